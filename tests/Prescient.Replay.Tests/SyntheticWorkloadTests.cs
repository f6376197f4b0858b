using Prescient.Replay.Workloads;

namespace Prescient.Replay.Tests;

public sealed class SyntheticWorkloadTests
{
    [Fact]
    public void Generate_SameSeed_SameWorkload_OtherSeed_Differs()
    {
        var a = SyntheticWorkload.Generate(10, 12, 300, 7);
        var b = SyntheticWorkload.Generate(10, 12, 300, 7);
        var c = SyntheticWorkload.Generate(10, 12, 300, 8);
        Assert.Equal(a.Demand.SelectMany(x => x), b.Demand.SelectMany(x => x));
        Assert.NotEqual(a.Demand.SelectMany(x => x), c.Demand.SelectMany(x => x));
    }

    [Fact]
    public void Generate_Statistics_FollowTheMeasuredParameters()
    {
        var w = SyntheticWorkload.Generate(200, 72, 300, 1);
        var meanCpu = Enumerable.Range(0, w.JobCount).Select(j => w.Demand[j * ReplayResources.Count].Average(v => (double)v)).Order().ToArray();
        var median = meanCpu[meanCpu.Length / 2];
        Assert.True(median is > 0.03 and < 0.5, $"median of the jobs' mean CPU {median}");
        Assert.True(meanCpu[^20] > 5 * median, $"the CPU means are heavy-tailed, as in the traces: 90th percentile {meanCpu[^20]}, median {median}");
        Assert.All(w.Demand, series => Assert.All(series, v => Assert.True(float.IsFinite(v) && v >= 0)));
        Assert.Equal(72 * 12, w.Steps);
    }
}
