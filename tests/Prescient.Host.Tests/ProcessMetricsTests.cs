using System.Globalization;
using Microsoft.Extensions.DependencyInjection;

namespace Prescient.Host.Tests;

public sealed class ProcessMetricsTests
{
    [Fact]
    public async Task Metrics_ReportTheProcessMemoryAndCollections()
    {
        await using var server = await EngineServer.StartAsync();
        var before = Value(Render(server), "prescient_gc_allocated_bytes_total");
        _ = new byte[1 << 20];
        var metrics = Render(server);

        // The kernel's resident size covers the managed heap's committed memory, which covers the heap.
        var resident = Value(metrics, "prescient_process_resident_bytes");
        var committed = Value(metrics, "prescient_gc_committed_bytes");
        var heap = Value(metrics, "prescient_gc_heap_bytes");
        Assert.True(resident > 10e6, $"resident {resident}");
        Assert.InRange(heap, 0, committed);
        Assert.InRange(Value(metrics, "prescient_gc_fragmented_bytes"), 0, heap);
        Assert.InRange(Value(metrics, "prescient_gc_pause_time_percent"), 0, 100);
        Assert.True(Value(metrics, "prescient_gc_allocated_bytes_total") >= before + (1 << 20));
        Assert.True(Value(metrics, "prescient_gc_collections_total{generation=\"0\"}") >= Value(metrics, "prescient_gc_collections_total{generation=\"2\"}"));
    }

    [Fact]
    public async Task Metrics_ReportTheLastCollectionsPausesAndWhatTheyKept()
    {
        await using var server = await EngineServer.StartAsync();
        var totalBefore = Value(Render(server), "prescient_gc_pause_seconds_total");
        var kept = new object[1000];
        for (var i = 0; i < kept.Length; i++)
        {
            kept[i] = new byte[100];
        }

        GC.Collect(0, GCCollectionMode.Forced, blocking: true);
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        var metrics = Render(server);
        GC.KeepAlive(kept);

        // A full blocking collection has just run: it reports its pause and what it kept (at least the array above), and
        // the total pause covers it and never goes back. (The young one may have been raised to an older generation by
        // the runtime, so its kind's figures are only checked to be there.)
        var full = Value(metrics, "prescient_gc_last_pause_seconds{kind=\"full_blocking\"}");
        Assert.True(full > 0, $"full pause {full}");
        Assert.InRange(Value(metrics, "prescient_gc_last_pause_seconds{kind=\"ephemeral\"}"), 0, 60);
        Assert.InRange(Value(metrics, "prescient_gc_last_promoted_bytes{kind=\"ephemeral\"}"), 0, double.MaxValue);
        Assert.True(Value(metrics, "prescient_gc_last_promoted_bytes{kind=\"full_blocking\"}") >= 100_000);
        Assert.InRange(Value(metrics, "prescient_gc_last_promoted_bytes{kind=\"background\"}"), 0, double.MaxValue);
        var total = Value(metrics, "prescient_gc_pause_seconds_total");
        Assert.True(total >= totalBefore + full, $"total pause {total} against {totalBefore} + {full}");
    }

    private static string Render(EngineServer server) => server.Services.GetRequiredService<Metrics.PlanningMetrics>().Render();

    private static double Value(string metrics, string name)
    {
        var line = metrics.Split('\n').Single(l => l.StartsWith(name + " ", StringComparison.Ordinal));
        return double.Parse(line[(name.Length + 1)..], CultureInfo.InvariantCulture);
    }
}
