using System.Globalization;
using Prescient.Orchestration.Cycle;

namespace Prescient.Host.Planning;

/// <summary>Turns a planned change into the sentence <c>GetPlan</c> and the agent's command carry: what, why, which forecast, horizon and constraint.</summary>
internal static class PlanExplanation
{
    public static string Explain(in PlannedChange c, string model, Orchestrator orchestrator, string? targetNode)
    {
        var resource = c.Resource >= 0 ? ((OrchestratedResource)c.Resource).Name() : "";
        var horizon = c.Horizon >= 0 && c.Horizon < orchestrator.Shape.HorizonCount
            ? Prescient.Abstractions.Forecasting.ForecastShape.FormatDuration(orchestrator.Shape.HorizonSeconds(c.Horizon))
            : "";
        var binding = c.Constraint switch
        {
            BindingConstraint.NodeCapacity => "; bound by node capacity",
            BindingConstraint.Floor => "; bound by the floor (usage + margin)",
            BindingConstraint.Ceiling => "; bound by the request/ceiling",
            BindingConstraint.ChangeLimit => "; bound by the per-cycle change limit",
            _ => "",
        };
        var lead = c.NotBeforeSeconds > 0 ? string.Create(CultureInfo.InvariantCulture, $"; apply in {c.NotBeforeSeconds} s, ahead of the {horizon} horizon") : "";
        var inv = CultureInfo.InvariantCulture;
        return c.Kind switch
        {
            ChangeKind.SetLimits => c.Reason switch
            {
                ChangeReason.Spike => string.Create(inv, $"reactive (spike): {resource} usage passed the forecast; limit raised from {c.Previous:0.###} to {Value(c)} now{binding}"),
                ChangeReason.ColdStart => string.Create(inv, $"reactive (cold start, no forecast yet): {resource} at usage x headroom, {Value(c)}{binding}"),
                ChangeReason.ForecastFallback => string.Create(inv, $"reactive fallback (forecast error over threshold): {resource} with widened margins, {c.Previous:0.###} -> {Value(c)}{binding}"),
                _ => string.Create(inv, $"predictive ({model}): {resource} 0.9-quantile {c.Forecast:0.###} at {horizon}; {(c.Reason == ChangeReason.ForecastRaise ? "raise" : "lower")} {c.Previous:0.###} -> {Value(c)}{binding}{lead}"),
            },
            ChangeKind.SetCpuset => string.Create(inv, $"predictive ({model}): {resource} footprint {c.Forecast:0.###} at {horizon} crosses a NUMA node; spread over {c.Instances} NUMA nodes"),
            ChangeKind.ReserveBandwidth => string.Create(inv, $"predictive ({model}): network transfers of {c.Forecast:0.###} Gbit/s predicted at {horizon}; reserve {c.BandwidthGigabits:0.###} Gbit/s{binding}"),
            ChangeKind.Prefetch => string.Create(inv, $"prefetch: pending job expected to start in {c.NotBeforeSeconds + orchestrator.Options.PrefetchLeadSeconds} s; read its datasets {orchestrator.Options.PrefetchLeadSeconds} s ahead"),
            ChangeKind.ScaleOut => string.Create(inv, $"recommendation: {c.Instances} instances; predicted cpu 0.9-quantile {c.Forecast:0.###} cores at {horizon} exceeds the request of {c.Previous:0.###}"),
            ChangeKind.Migrate => string.Create(inv, $"recommendation: migrate to {targetNode} (no kill: checkpoint/drain first); node's predicted {resource} at {horizon} is over {orchestrator.Options.MigrationThreshold:P0} of capacity; this job's share {c.Forecast:0.###}"),
            ChangeKind.Replan => string.Create(inv, $"recommendation: node lost or its agent silent; limits kept as they are (fail-static); re-plan on {targetNode}"),
            _ => c.Kind.ToString(),
        };
    }

    private static string Value(in PlannedChange c) => c.Resource == (sbyte)OrchestratedResource.Memory
        ? string.Create(CultureInfo.InvariantCulture, $"memory.high {c.MemoryHighGibibytes:0.###} GiB, memory.max {c.MemoryMaxGibibytes:0.###} GiB (cpu {c.CpuQuotaCores:0.###})")
        : string.Create(CultureInfo.InvariantCulture, $"cpu {c.CpuQuotaCores:0.###} cores (memory.high {c.MemoryHighGibibytes:0.###} GiB)");
}
