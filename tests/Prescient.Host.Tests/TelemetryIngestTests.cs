using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Prescient.Abstractions.Telemetry;
using Prescient.Host.Services;
using Prescient.Host.State;

namespace Prescient.Host.Tests;

public sealed class TelemetryIngestTests
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.FromUnixTimeSeconds(1_800_000_000));

    [Fact]
    public async Task EnqueueThenFlush_StoresEveryBatchInOrderAndCountsTheBad()
    {
        var state = new ClusterState(new EngineOptions { SamplesPerSeries = 1024, MaxSeries = 100 }, _time);
        var session = state.RegisterAgent(TestData.Hello("n1")).SessionId;
        using var ingest = new TelemetryIngest(state, NullLogger<TelemetryIngest>.Instance);
        await ingest.StartAsync(CancellationToken.None);
        var start = _time.GetUtcNow().ToUnixTimeMilliseconds() - 600_000;

        // More batches than one round stores, each a later sample of the same job: any reordering would refuse some as
        // out of order. Every hundredth carries a negative value, which is refused and counted.
        const int Batches = (TelemetryIngest.MaxBatchesPerLock * 2) + 7;
        for (var i = 0; i < Batches; i++)
        {
            var cpu = i % 100 == 99 ? -1 : i;
            await ingest.EnqueueAsync(state.CheckTelemetry("n1", session, null, [(TestData.Job("j"), TestData.Reading(start + i, cpu: cpu))]), CancellationToken.None);
        }

        await ingest.FlushAsync(TimeSpan.FromSeconds(30));
        var snapshot = state.Snapshot(true, new CommandLog(_time));
        var refused = Batches / 100;
        Assert.Equal((ulong)(Batches - refused), snapshot.TelemetrySamplesAccepted);
        Assert.Equal((ulong)refused, snapshot.Rejections.Single(r => r.Key == RejectionReasons.NegativeValue).Value);
        Assert.DoesNotContain(snapshot.Rejections, r => r.Key == RejectionReasons.DuplicateOrOutOfOrder);
        Assert.Equal(Batches - 1, snapshot.Jobs.Single().Latest!.Values[(int)ResourceKind.Cpu]);
        await ingest.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Flush_AfterStop_ReturnsAtOnce()
    {
        var state = new ClusterState(new EngineOptions(), _time);
        using var ingest = new TelemetryIngest(state, NullLogger<TelemetryIngest>.Instance);
        await ingest.StartAsync(CancellationToken.None);
        await ingest.StopAsync(CancellationToken.None);
        var flush = ingest.FlushAsync(TimeSpan.FromMinutes(10));
        Assert.True(flush.IsCompleted);
        await flush;
    }
}
