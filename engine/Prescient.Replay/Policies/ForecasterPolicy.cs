using Prescient.Abstractions.Forecasting;
using Prescient.Abstractions.Telemetry;
using Prescient.Forecasting.Models;
using Prescient.Replay.Simulation;
using Prescient.Replay.Workloads;

namespace Prescient.Replay.Policies;

/// <summary>
/// A recommender that sets each allocation to one forecaster's recommendation for the next step: <c>vpa</c> (the
/// Kubernetes VPA recommender's target) or <c>autopilot</c> (Google Autopilot's moving-window recommender), both
/// from <c>Prescient.Forecasting</c>. Values are fed in the forecasters' native units (cores, bytes, bytes/s) so
/// that their absolute constants (bucket sizes, the 100 MiB OOM bump) mean what they mean in the original.
/// Until a series has a recommendation, its allocation stays at the request.
/// </summary>
public sealed class ForecasterPolicy(string model) : IReplayPolicy
{
    private static readonly double[] ToNative = [1, 1024.0 * 1024 * 1024, 1e9 / 8, 1e9];
    private static readonly ResourceKind[] Kinds = [ResourceKind.Cpu, ResourceKind.Memory, ResourceKind.NetRx, ResourceKind.DiskRead];
    private IForecaster? _forecaster;
    private int[] _series = [];
    private double[] _values = [];
    private double[] _output = [];

    public string Name => model;

    public void Start(SimulatedCluster cluster)
    {
        var step = cluster.Workload.StepSeconds;
        _forecaster = ForecasterRegistry.Create(model, ForecastShape.ForStep(step, [step], [0.5]));
        var pairs = cluster.Workload.JobCount * ReplayResources.Count;
        _forecaster.AddSeries(pairs);
        _series = new int[pairs];
        for (var i = 0; i < pairs; i++)
        {
            _series[i] = i;
            _forecaster.DescribeSeries(i, new SeriesKey(EntityKind.Job, cluster.Workload.JobIds[i / ReplayResources.Count], Kinds[i % ReplayResources.Count]),
                cluster.Workload.JobGroups[i / ReplayResources.Count]);
        }

        _values = new double[pairs];
        _output = new double[pairs * _forecaster.Shape.Width];
    }

    public void Decide(int step, long nowSeconds, ReadOnlySpan<double> observed, ReadOnlySpan<bool> outOfMemory, Span<double> allocation)
    {
        var f = _forecaster!;
        for (var i = 0; i < observed.Length; i++)
        {
            _values[i] = observed[i] * ToNative[i % ReplayResources.Count];
        }

        f.Observe(nowSeconds, _series, _values);
        if (f is VpaForecaster vpa)
        {
            for (var j = 0; j < outOfMemory.Length; j++)
            {
                if (outOfMemory[j])
                {
                    var memory = (j * ReplayResources.Count) + (int)ReplayResource.Memory;
                    vpa.ObserveOutOfMemory(memory, nowSeconds, _values[memory]);
                }
            }
        }

        f.Forecast(_series, _output);
        var width = f.Shape.Width;
        for (var i = 0; i < allocation.Length; i++)
        {
            var recommendation = _output[i * width] / ToNative[i % ReplayResources.Count];
            if (double.IsFinite(recommendation) && recommendation > 0)
            {
                allocation[i] = recommendation;
            }
        }
    }
}
