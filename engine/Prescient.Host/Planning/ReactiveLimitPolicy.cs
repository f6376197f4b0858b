using Prescient.Abstractions.Telemetry;
using Prescient.Host.State;

namespace Prescient.Host.Planning;

/// <summary>
/// The reactive path: limits follow observed usage with headroom, the way threshold autoscalers do.
/// It is what the engine runs before the predictive orchestrator takes over, and the fallback the
/// orchestrator degrades to for a series whose forecasts cannot be trusted. Pure: same input, same
/// output.
/// </summary>
public static class ReactiveLimitPolicy
{
    /// <summary>CPU quota never goes below this many cores, so a job is never starved.</summary>
    public const double MinimumCpuCores = 0.1;

    /// <summary>Memory limits keep at least this much above current usage (bytes).</summary>
    public const ulong MemoryMarginBytes = 64UL << 20;

    /// <summary>The hard memory limit keeps at least this much above current usage (bytes).</summary>
    public const ulong MemoryMaxMarginBytes = 256UL << 20;

    /// <summary>
    /// Target limits for a job from its latest usage: CPU quota = max(0.1, usage × (1 + headroom)) cores,
    /// rounded up to 0.05 and capped at the node's cores; memory.high = max(usage × (1 + headroom),
    /// usage + 64 MiB), memory.max = max(usage × (1 + 2·headroom), usage + 256 MiB), both rounded up to
    /// MiB and capped at the node's memory but never below usage plus the margin.
    /// </summary>
    public static LimitsInfo Target(UsageReading usage, NodeCapacityInfo? capacity, double headroom)
    {
        var cpu = usage.Values[(int)ResourceKind.Cpu];
        var quota = Math.Ceiling(Math.Max(MinimumCpuCores, cpu * (1 + headroom)) * 20) / 20;
        if (capacity is { CpuCores: > 0 })
        {
            quota = Math.Min(quota, capacity.CpuCores);
        }

        var memory = (ulong)usage.Values[(int)ResourceKind.Memory];
        var high = RoundUpMiB(Math.Max(memory * (1 + headroom), memory + MemoryMarginBytes));
        var max = RoundUpMiB(Math.Max(memory * (1 + (2 * headroom)), memory + MemoryMaxMarginBytes));
        if (capacity is { MemoryBytes: > 0 })
        {
            // A cap at the node's size must still leave the job room: never below usage + margin.
            high = Math.Max(Math.Min(high, capacity.MemoryBytes), memory + MemoryMarginBytes);
            max = Math.Max(Math.Min(max, capacity.MemoryBytes), memory + MemoryMarginBytes);
        }

        return LimitsInfo.None with { CpuQuotaCores = quota, MemoryHighBytes = high, MemoryMaxBytes = Math.Max(max, high) };
    }

    /// <summary>
    /// True when the target differs enough from what is applied to be worth a command: nothing applied
    /// yet, a relative change above the hysteresis, or applied memory limits at or below current usage
    /// plus the margin (those are raised at once, whatever the hysteresis).
    /// </summary>
    public static bool NeedsChange(LimitsInfo applied, LimitsInfo target, UsageReading usage, double hysteresis)
    {
        if (applied.CpuQuotaCores <= 0 || applied.MemoryHighBytes == 0 || applied.MemoryMaxBytes == 0)
        {
            return true;
        }

        var memory = usage.Values[(int)ResourceKind.Memory];
        if (applied.MemoryMaxBytes < memory + MemoryMarginBytes || applied.MemoryHighBytes < memory + MemoryMarginBytes)
        {
            return true;
        }

        return RelativeChange(applied.CpuQuotaCores, target.CpuQuotaCores) > hysteresis
            || RelativeChange(applied.MemoryHighBytes, target.MemoryHighBytes) > hysteresis
            || RelativeChange(applied.MemoryMaxBytes, target.MemoryMaxBytes) > hysteresis;
    }

    private static double RelativeChange(double from, double to) => Math.Abs(to - from) / Math.Max(Math.Abs(from), 1e-9);

    private static ulong RoundUpMiB(double bytes) => (ulong)Math.Ceiling(bytes / (1 << 20)) << 20;
}
