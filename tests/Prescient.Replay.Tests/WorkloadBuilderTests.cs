using Prescient.Replay.Workloads;

namespace Prescient.Replay.Tests;

public sealed class WorkloadBuilderTests
{
    [Fact]
    public void Synthetic_SameSeed_SameWorkload_OtherSeed_Differs()
    {
        var a = WorkloadBuilder.Synthetic(5, 12, 7);
        var b = WorkloadBuilder.Synthetic(5, 12, 7);
        var c = WorkloadBuilder.Synthetic(5, 12, 8);
        Assert.Equal(a.Demand.SelectMany(x => x), b.Demand.SelectMany(x => x));
        Assert.NotEqual(a.Demand.SelectMany(x => x), c.Demand.SelectMany(x => x));
        Assert.Equal(12 * 12, a.Steps);
        Assert.All(a.Demand, series => Assert.All(series, v => Assert.True(float.IsFinite(v) && v >= 0)));
    }

    [Fact]
    public void PeakRequests_RoundUpToTheGrainOfEachResource()
    {
        float[][] demand = [[0.3f, 1.1f], [0.1f, 0.6f], [0, 0], [0.004f, 0.002f]];
        Assert.Equal([1.25, 0.75, 0.01, 0.01], WorkloadBuilder.PeakRequests(demand));
    }

    [Fact]
    public void Synthetic_NonPositiveHours_IsRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => WorkloadBuilder.Synthetic(3, 0, 1));
    }
}
