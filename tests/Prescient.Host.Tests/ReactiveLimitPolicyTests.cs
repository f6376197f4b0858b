using Prescient.Host.Planning;
using Prescient.Host.State;

namespace Prescient.Host.Tests;

public sealed class ReactiveLimitPolicyTests
{
    private static readonly NodeCapacityInfo Node = new(4, 8UL << 30, 0, 0);

    [Fact]
    public void Target_TypicalUsage_AddsHeadroomAndRounds()
    {
        var target = ReactiveLimitPolicy.Target(TestData.Reading(1, cpu: 1.0, memory: 1024.0 * 1024 * 1024), Node, 0.5);
        Assert.Equal(1.5, target.CpuQuotaCores, 6);
        Assert.Equal(1536UL << 20, target.MemoryHighBytes);
        Assert.Equal(2048UL << 20, target.MemoryMaxBytes);
    }

    [Fact]
    public void Target_IdleJob_KeepsMinimumsAndMargins()
    {
        var target = ReactiveLimitPolicy.Target(TestData.Reading(1, cpu: 0, memory: 0), Node, 0.5);
        Assert.Equal(ReactiveLimitPolicy.MinimumCpuCores, target.CpuQuotaCores, 6);
        Assert.Equal(ReactiveLimitPolicy.MemoryMarginBytes, target.MemoryHighBytes);
        Assert.Equal(ReactiveLimitPolicy.MemoryMaxMarginBytes, target.MemoryMaxBytes);
    }

    [Fact]
    public void Target_UsageNearNodeSize_NeverCutsBelowUsagePlusMargin()
    {
        var memory = 7.9 * (1UL << 30);
        var target = ReactiveLimitPolicy.Target(TestData.Reading(1, cpu: 10, memory: memory), Node, 0.5);
        Assert.Equal(4, target.CpuQuotaCores);
        Assert.True(target.MemoryMaxBytes >= memory + ReactiveLimitPolicy.MemoryMarginBytes);
        Assert.True(target.MemoryHighBytes >= memory + ReactiveLimitPolicy.MemoryMarginBytes);
    }

    [Fact]
    public void NeedsChange_SmallDrift_IsIgnored_LargeDrift_IsNot()
    {
        var usage = TestData.Reading(1, cpu: 1, memory: 1 << 30);
        var applied = ReactiveLimitPolicy.Target(usage, Node, 0.5);
        Assert.False(ReactiveLimitPolicy.NeedsChange(applied, ReactiveLimitPolicy.Target(TestData.Reading(2, cpu: 1.1, memory: 1 << 30), Node, 0.5), usage, 0.2));
        Assert.True(ReactiveLimitPolicy.NeedsChange(applied, ReactiveLimitPolicy.Target(TestData.Reading(2, cpu: 2, memory: 1 << 30), Node, 0.5), usage, 0.2));
    }

    [Fact]
    public void NeedsChange_UsageAboveAppliedMemoryLimit_RaisesAtOnce()
    {
        var applied = LimitsInfo.None with { CpuQuotaCores = 1, MemoryHighBytes = 1UL << 30, MemoryMaxBytes = 1UL << 30 };
        var usage = TestData.Reading(1, cpu: 0.9, memory: 1.01 * (1UL << 30));
        Assert.True(ReactiveLimitPolicy.NeedsChange(applied, applied, usage, hysteresis: 1));
    }
}
