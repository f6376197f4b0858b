namespace Prescient.Agent.Collectors;

/// <summary>Two cumulative byte counters of one named device (interface or block device).</summary>
/// <param name="Name">Interface or block device name.</param>
/// <param name="FirstBytes">Received (network) or read (disk) bytes since boot.</param>
/// <param name="SecondBytes">Transmitted (network) or written (disk) bytes since boot.</param>
public readonly record struct DeviceCounters(string Name, ulong FirstBytes, ulong SecondBytes);
