using Prescient.Agent.Collectors;

namespace Prescient.Agent.Tests.Collectors;

public sealed class RateCalculatorTests
{
    [Fact]
    public void TryRate_Increase_DeltaOverSeconds()
    {
        Assert.True(RateCalculator.TryRate(1000, 6000, 5, out var rate));
        Assert.Equal(1000, rate);
    }

    [Fact]
    public void TryRate_Unchanged_Zero()
    {
        Assert.True(RateCalculator.TryRate(7, 7, 5, out var rate));
        Assert.Equal(0, rate);
    }

    [Fact]
    public void TryRate_CounterReset_NoRate()
    {
        Assert.False(RateCalculator.TryRate(6000, 10, 5, out var rate));
        Assert.Equal(0, rate);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void TryRate_BadInterval_NoRate(double seconds)
    {
        Assert.False(RateCalculator.TryRate(0, 10, seconds, out _));
    }

    [Fact]
    public void SumRates_OnlyCountedDevicesInBothSamples_ResetDeviceContributesNothing()
    {
        DeviceCounters[] before = [new("eth0", 1000, 2000), new("lo", 0, 0), new("eth1", 5000, 5000)];
        DeviceCounters[] after = [new("eth0", 3000, 2500), new("lo", 1_000_000, 1_000_000), new("eth1", 10, 5100), new("eth2", 999, 999)];

        var (rx, tx) = RateCalculator.SumRates(before, after, 2, new HashSet<string> { "eth0", "eth1", "eth2" });

        // eth0: 1000 and 250 B/s; eth1 rx reset (no rate), tx 50 B/s; eth2 new (no rate); lo not counted.
        Assert.Equal(1000, rx);
        Assert.Equal(300, tx);
    }

    [Fact]
    public void TryCpuCores_BusyShareTimesCpuCount()
    {
        Assert.True(RateCalculator.TryCpuCores(new CpuTimes(100, 1000, 2), new CpuTimes(600, 2000, 2), out var cores));
        Assert.Equal(1.0, cores, 9);
    }

    [Fact]
    public void TryCpuCores_NoTicksElapsed_False()
    {
        Assert.False(RateCalculator.TryCpuCores(new CpuTimes(100, 1000, 2), new CpuTimes(100, 1000, 2), out _));
    }
}
