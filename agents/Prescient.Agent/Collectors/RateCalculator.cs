namespace Prescient.Agent.Collectors;

/// <summary>Rates from cumulative counters.</summary>
public static class RateCalculator
{
    /// <summary>
    /// (current − previous) / seconds. False — no rate for this interval — when the interval is not
    /// positive or the counter went backwards (a reset: the cgroup or device was recreated, or the
    /// counter wrapped), since any number then would be a guess.
    /// </summary>
    public static bool TryRate(ulong previous, ulong current, double seconds, out double ratePerSecond)
    {
        if (!(seconds > 0) || !double.IsFinite(seconds) || current < previous)
        {
            ratePerSecond = 0;
            return false;
        }

        ratePerSecond = (current - previous) / seconds;
        return true;
    }

    /// <summary>
    /// Sum of per-device rates over the devices in both samples and in <paramref name="counted"/>
    /// (all when null); a device that reset contributes nothing for this interval.
    /// </summary>
    public static (double FirstPerSecond, double SecondPerSecond) SumRates(
        IReadOnlyList<DeviceCounters> previous,
        IReadOnlyList<DeviceCounters> current,
        double seconds,
        IReadOnlySet<string>? counted)
    {
        double first = 0;
        double second = 0;
        foreach (var now in current)
        {
            if (counted is not null && !counted.Contains(now.Name))
            {
                continue;
            }

            foreach (var before in previous)
            {
                if (before.Name != now.Name)
                {
                    continue;
                }

                if (TryRate(before.FirstBytes, now.FirstBytes, seconds, out var a))
                {
                    first += a;
                }

                if (TryRate(before.SecondBytes, now.SecondBytes, seconds, out var b))
                {
                    second += b;
                }

                break;
            }
        }

        return (first, second);
    }

    /// <summary>CPU cores busy between two /proc/stat samples: busy share of all ticks times the CPU count.</summary>
    public static bool TryCpuCores(CpuTimes previous, CpuTimes current, out double cores)
    {
        cores = 0;
        if (current.TotalTicks <= previous.TotalTicks || current.BusyTicks < previous.BusyTicks)
        {
            return false;
        }

        var busy = (double)(current.BusyTicks - previous.BusyTicks);
        var total = (double)(current.TotalTicks - previous.TotalTicks);
        cores = Math.Clamp(busy / total, 0, 1) * current.CpuCount;
        return true;
    }
}
