namespace Prescient.Agent.Collectors;

/// <summary>
/// The aggregate "cpu" line of /proc/stat, in USER_HZ ticks summed over all CPUs.
/// Busy = total minus idle and iowait; guest time is already inside user and nice, so it is not
/// added again.
/// </summary>
public readonly record struct CpuTimes(ulong BusyTicks, ulong TotalTicks, int CpuCount);
