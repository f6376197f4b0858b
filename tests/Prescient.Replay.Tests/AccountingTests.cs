using Prescient.Replay.Simulation;
using Prescient.Replay.Workloads;

namespace Prescient.Replay.Tests;

public sealed class AccountingTests
{
    /// <summary>One job; CPU demand given, the other resources constant 1.</summary>
    internal static ReplayWorkload OneJob(float[] cpu, float memory = 1)
    {
        var steps = cpu.Length;
        float[] Constant(float v) => Enumerable.Repeat(v, steps).ToArray();
        var demand = new[] { cpu, Constant(memory), Constant(0.01f), Constant(0.01f) };
        return new ReplayWorkload("test", 300, 1_700_000_000, ["j"], ["g"], demand, WorkloadBuilder.PeakRequests(demand), [true, true, true, true]);
    }

    [Fact]
    public void Account_ShortfallAndSlack_AreFractionsOfDemandAndAllocation()
    {
        var w = OneJob([1, 3]);
        var accounting = new Accounting(w);
        var oom = new bool[1];
        accounting.Account(0, [2, 2, 1, 1], oom);
        accounting.Account(1, [2, 0.5, 1, 1], oom);

        var cpu = accounting.Outcome(ReplayResource.Cpu);
        Assert.Equal(1.0 / 4, cpu.Shortfall, 12);
        Assert.Equal(1.0 / 4, cpu.Slack, 12);
        Assert.Equal(1, cpu.ShortfallEvents);
        Assert.Equal(300, cpu.ThrottledCpuSeconds, 9);
        Assert.True(oom[0], "memory demand 1 above limit 0.5 is an OOM-equivalent");
        var memory = accounting.Outcome(ReplayResource.Memory);
        Assert.Equal(1, memory.OomEvents);
        Assert.Equal(0.5 / 2, memory.Shortfall, 12);
    }

    [Fact]
    public void Account_SpikeCoveredAhead_CountsAsProvisioned_LateOneHasReactionTime()
    {
        var cpu = Enumerable.Repeat(1f, 20).ToArray();
        cpu[13] = 4;
        cpu[17] = 4;
        var w = OneJob(cpu);
        var accounting = new Accounting(w);
        var oom = new bool[1];
        for (var t = 0; t < 20; t++)
        {
            // Covered ahead at 13; at 17 the allocation follows one step late.
            double a = t is 13 ? 4 : t is 18 ? 4 : 1;
            accounting.Account(t, [a, 2, 1, 1], oom);
        }

        var outcome = accounting.Outcome(ReplayResource.Cpu);
        Assert.Equal(2, outcome.Spikes);
        Assert.Equal(0.5, outcome.PreprovisionedSpikeShare, 12);
        // Reaction time averages over answered spikes: 0 s for the one covered ahead, 300 s for the late one.
        Assert.Equal(150, outcome.MeanReactionSeconds, 9);
        Assert.Equal(0, outcome.UnansweredSpikes);
    }

    [Fact]
    public void CountChanges_CountsOnlyRealChanges()
    {
        var accounting = new Accounting(OneJob([1, 1]));
        accounting.CountChanges([1, 2, 3, 4], [1, 2.5, 3, 4 + 1e-12]);
        Assert.Equal(1, accounting.Outcome(ReplayResource.Memory).Changes);
        Assert.Equal(0, accounting.Outcome(ReplayResource.Cpu).Changes);
    }
}
