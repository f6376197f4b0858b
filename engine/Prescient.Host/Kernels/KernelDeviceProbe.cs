using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Prescient.Kernels;

namespace Prescient.Host.Kernels;

/// <summary>
/// Chooses the inference device for the recurrent models at start-up (<see cref="EngineOptions.KernelDevice"/>:
/// <c>auto</c> probes CUDA, then OpenCL, then falls back to the SIMD CPU path; <c>cpu</c> and <c>gpu</c> force one)
/// by building a one-unit model through the kernels' own factory, and reports the backend and the reason in
/// the log and in <c>Admin.GetStatus</c> (model <c>kernels</c>).
/// </summary>
public sealed partial class KernelDeviceProbe(IOptions<EngineOptions> options, ILogger<KernelDeviceProbe> logger) : IHostedService
{
    /// <summary>The backend chosen (<c>cpu-simd</c>, <c>cuda</c>, <c>opencl</c>), or empty before the probe ran.</summary>
    public string Backend { get; private set; } = "";

    /// <summary>Why that backend was chosen (e.g. "no CUDA or OpenCL device found").</summary>
    public string Reason { get; private set; } = "not probed yet";

    /// <summary>False when the configured device could not be used at all.</summary>
    public bool Ready { get; private set; }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var device = RecurrentInferenceOptions.ParseDevice(options.Value.KernelDevice);
        try
        {
            var spec = new RecurrentModelSpec(RecurrentCellKind.Lstm, 1, 1, 1);
            using var inference = RecurrentInferenceFactory.Create(spec, new RecurrentWeights(spec), 1, device);
            Backend = inference.BackendName;
            Reason = inference.SelectionReason;
            Ready = true;
            LogChosen(options.Value.KernelDevice, Backend, Reason);
        }
        catch (Exception e) when (e is InvalidOperationException or NotSupportedException or ArgumentException)
        {
            Backend = "none";
            Reason = e.Message;
            LogFailed(options.Value.KernelDevice, e.Message);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Kernels: device '{Configured}' -> {Backend} ({Reason})")]
    private partial void LogChosen(string configured, string backend, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Kernels: device '{Configured}' cannot be used: {Error}; recurrent models stay off")]
    private partial void LogFailed(string configured, string error);
}
