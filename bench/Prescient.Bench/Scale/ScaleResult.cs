using System.Text.Json;

namespace Prescient.Bench.Scale;

/// <summary>One size's measurements; written as <c>{"nodes", "ingest_per_s", "rtt_ms": {p50, p99, p999}, "cycle_ms": {p50, p99}, "rss_mb", "gc_heap_mb", "gc_committed_mb", "gc_pause_ms": {engine, load}, "settle_s", "steady", ...}</c>.</summary>
internal sealed record ScaleResult(
    int Nodes,
    int JobsPerNode,
    string Load,
    double IngestPerSecond,
    double OfferedPerSecond,
    ulong Commands,
    double RttP50,
    double RttP99,
    double RttP999,
    long Cycles,
    double CycleP50,
    double CycleP99,
    double RssMegabytes,
    double GcHeapMegabytes,
    double GcCommittedMegabytes,
    double EngineGcPauseMilliseconds,
    double LoadGcPauseMilliseconds,
    uint AgentsConnected,
    long Rejected,
    double SettleSeconds,
    bool Steady)
{
    public void Write(Utf8JsonWriter w)
    {
        w.WriteStartObject();
        w.WriteNumber("nodes", Nodes);
        w.WriteNumber("jobs_per_node", JobsPerNode);
        w.WriteString("load", Load);
        w.WriteNumber("ingest_per_s", Math.Round(IngestPerSecond, 1));
        w.WriteNumber("offered_per_s", Math.Round(OfferedPerSecond, 1));
        w.WriteStartObject("rtt_ms");
        w.WriteNumber("p50", RttP50);
        w.WriteNumber("p99", RttP99);
        w.WriteNumber("p999", RttP999);
        w.WriteNumber("commands", Commands);
        w.WriteEndObject();
        w.WriteStartObject("cycle_ms");
        w.WriteNumber("p50", CycleP50);
        w.WriteNumber("p99", CycleP99);
        w.WriteNumber("cycles", Cycles);
        w.WriteEndObject();
        w.WriteNumber("rss_mb", Math.Round(RssMegabytes, 1));
        w.WriteNumber("gc_heap_mb", Math.Round(GcHeapMegabytes, 1));
        w.WriteNumber("gc_committed_mb", Math.Round(GcCommittedMegabytes, 1));
        w.WriteStartObject("gc_pause_ms");
        w.WriteNumber("engine", Math.Round(EngineGcPauseMilliseconds, 1));
        w.WriteNumber("load", Math.Round(LoadGcPauseMilliseconds, 1));
        w.WriteEndObject();
        w.WriteNumber("agents_connected", AgentsConnected);
        w.WriteNumber("rejected", Rejected);
        w.WriteNumber("settle_s", Math.Round(SettleSeconds, 1));
        w.WriteBoolean("steady", Steady);
        w.WriteEndObject();
    }
}
