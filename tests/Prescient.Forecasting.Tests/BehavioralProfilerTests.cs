using Prescient.Abstractions.Forecasting;
using Prescient.Abstractions.Telemetry;
using Prescient.Forecasting.Series;

namespace Prescient.Forecasting.Tests;

public sealed class BehavioralProfilerTests
{
    [Fact]
    public void RecordBatch_TenSecondSamples_ForecastsFromFiveMinuteTier()
    {
        var profiler = new BehavioralProfiler();
        var cpu = profiler.Track(new SeriesKey(EntityKind.Job, "42", ResourceKind.Cpu), "physics");
        var mem = profiler.Track(new SeriesKey(EntityKind.Job, "42", ResourceKind.Memory), "physics");
        var steps = 0;
        for (var t = 0L; t < 2 * 86400; t += 10)
        {
            var phase = Math.Sin(2 * Math.PI * t / 86400.0);
            steps += profiler.RecordBatch(1_700_000_000 + t, [cpu, mem], [4 + phase, 2e9 + (1e8 * phase)]);
        }

        Assert.InRange(steps, (2 * 576) - 4, 2 * 576);
        var batch = new ForecastBatch(profiler.Forecaster.Shape, 2);
        profiler.Forecast([cpu, mem], batch);
        var median = profiler.Forecaster.Shape.IndexOfQuantile(0.5);
        Assert.InRange(batch[0, 0, median], 2.5, 5.5);
        Assert.InRange(batch[1, 0, median], 1.7e9, 2.3e9);
        Assert.Equal(0, profiler.Store.Dropped(IngestStatus.InvalidValue));
    }
}
