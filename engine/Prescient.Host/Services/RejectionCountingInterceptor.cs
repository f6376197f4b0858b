using Grpc.Core;
using Grpc.Core.Interceptors;
using Prescient.Host.State;

namespace Prescient.Host.Services;

/// <summary>Counts every request refused as malformed (INVALID_ARGUMENT) under <see cref="RejectionReasons.InvalidRequest"/>.</summary>
public sealed class RejectionCountingInterceptor(ClusterState state) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context).ConfigureAwait(false);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.InvalidArgument)
        {
            state.CountRejection(RejectionReasons.InvalidRequest);
            throw;
        }
    }
}
