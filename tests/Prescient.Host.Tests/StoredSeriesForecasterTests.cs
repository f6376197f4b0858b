using Microsoft.Extensions.Time.Testing;
using Prescient.Abstractions.Telemetry;
using Prescient.Forecasting.Numerics;
using Prescient.Host.Forecasts;
using Prescient.Host.State;

namespace Prescient.Host.Tests;

public sealed class StoredSeriesForecasterTests
{
    [Theory]
    [InlineData(0.5, 0)]
    [InlineData(0.975, 1.959963985)]
    [InlineData(0.01, -2.326347874)]
    [InlineData(0.999, 3.090232306)]
    public void NormalQuantile_KnownValues(double p, double z)
    {
        Assert.Equal(z, Distributions.NormalQuantile(p), 6);
    }

    [Fact]
    public void Forecast_ConstantSeries_GivesThatValueAtEveryQuantile()
    {
        var (forecaster, _) = Build(i => 2.0);
        var result = forecaster.Forecast(EntityKind.Node, "n1", [ResourceKind.Cpu], [60, 300], [0.5, 0.9], stepSeconds: 5);
        Assert.True(result.Found);
        var cpu = result.Resources.Single();
        Assert.Equal("persistence", cpu.Model);
        Assert.All(cpu.Horizons.SelectMany(h => h.Quantiles), q => Assert.Equal(2.0, q.Value, 4));
    }

    [Fact]
    public void Forecast_NoisySeries_QuantilesAscendAndCoverSpread()
    {
        var random = new Random(7);
        var (forecaster, _) = Build(i => 2 + random.NextDouble());
        var result = forecaster.Forecast(EntityKind.System, "", [ResourceKind.Cpu], [60], [0.1, 0.5, 0.9], stepSeconds: 5);
        var q = result.Resources.Single().Horizons.Single().Quantiles.Select(x => x.Value).ToArray();
        Assert.True(q[0] < q[1] && q[1] < q[2]);
        Assert.True(q[2] - q[0] > 0.5, $"interval {q[0]}..{q[2]} is too narrow for uniform noise of width 1");
    }

    [Fact]
    public void Forecast_UnknownScope_IsNotFound()
    {
        var (forecaster, _) = Build(i => 1);
        Assert.False(forecaster.Forecast(EntityKind.Node, "nope", [ResourceKind.Cpu], [60], [0.5], 5).Found);
    }

    private static (StoredSeriesForecaster, ClusterState) Build(Func<int, double> cpu)
    {
        var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1_800_000_000));
        var state = new ClusterState(new EngineOptions { SamplesPerSeries = 500 }, time);
        var session = state.RegisterAgent(TestData.Hello("n1")).SessionId;
        for (var i = 0; i < 200; i++)
        {
            time.Advance(TimeSpan.FromSeconds(5));
            state.IngestTelemetry("n1", session, TestData.Reading(time.GetUtcNow().ToUnixTimeMilliseconds(), cpu: cpu(i)), []);
        }

        return (new StoredSeriesForecaster(state, time), state);
    }
}
