using System.Text.Encodings.Web;
using System.Text.Json;
using Prescient.Replay.Simulation;
using Prescient.Replay.Workloads;

namespace Prescient.Replay.Reporting;

/// <summary>
/// The replay's JSON document: <c>{"policies": {"&lt;name&gt;": {"&lt;resource&gt;": {"shortfall", "slack",
/// "oom_events", "changes", "preprovisioned_spike_share", ...}}}, "curve": [{"quantile", "&lt;resource&gt;": {"shortfall",
/// "slack"}}], "workload": {...}}</c>. <c>curve</c> is present with a sweep.
/// </summary>
public static class ReplayJson
{
    public static void Write(Stream stream, ReplayResult result)
    {
        using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        w.WriteStartObject();
        w.WriteStartObject("workload");
        w.WriteString("source", result.Source);
        w.WriteNumber("jobs", result.Jobs);
        w.WriteNumber("nodes", result.Nodes);
        w.WriteNumber("steps", result.Steps);
        w.WriteNumber("step_seconds", result.StepSeconds);
        w.WriteNumber("seed", result.Seed);
        w.WriteEndObject();
        w.WriteStartObject("policies");
        foreach (var run in result.Policies)
        {
            w.WriteStartObject(run.Policy);
            if (run.RiskQuantile is { } q)
            {
                w.WriteNumber("risk_quantile", q);
            }

            w.WriteNumber("wall_seconds", Math.Round(run.WallSeconds, 3));
            foreach (var (resource, o) in run.Outcomes)
            {
                w.WriteStartObject(resource.Name());
                WriteOutcome(w, o, resource);
                w.WriteEndObject();
            }

            if (run.Recommendations.Count > 0)
            {
                w.WriteStartObject("recommendations");
                foreach (var (kind, count) in run.Recommendations.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    w.WriteNumber(kind, count);
                }

                w.WriteEndObject();
            }

            w.WriteEndObject();
        }

        w.WriteEndObject();
        if (result.Sweep.Count > 0)
        {
            w.WriteStartArray("curve");
            foreach (var run in result.Sweep)
            {
                w.WriteStartObject();
                w.WriteNumber("quantile", run.RiskQuantile ?? double.NaN);
                foreach (var (resource, o) in run.Outcomes)
                {
                    w.WriteStartObject(resource.Name());
                    w.WriteNumber("shortfall", o.Shortfall);
                    w.WriteNumber("slack", o.Slack);
                    w.WriteNumber("oom_events", o.OomEvents);
                    w.WriteEndObject();
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        w.WriteEndObject();
    }

    private static void WriteOutcome(Utf8JsonWriter w, ResourceOutcome o, ReplayResource resource)
    {
        w.WriteNumber("shortfall", o.Shortfall);
        w.WriteNumber("slack", o.Slack);
        w.WriteNumber("shortfall_events", o.ShortfallEvents);
        w.WriteNumber("oom_events", o.OomEvents);
        if (resource == ReplayResource.Cpu)
        {
            w.WriteNumber("throttled_cpu_seconds", Math.Round(o.ThrottledCpuSeconds, 1));
        }

        w.WriteNumber("changes", o.Changes);
        w.WriteNumber("spikes", o.Spikes);
        w.WriteNumber("preprovisioned_spike_share", o.PreprovisionedSpikeShare);
        w.WriteNumber("mean_reaction_seconds", o.MeanReactionSeconds);
        w.WriteNumber("unanswered_spikes", o.UnansweredSpikes);
    }
}
