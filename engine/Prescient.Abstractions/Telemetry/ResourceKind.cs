namespace Prescient.Abstractions.Telemetry;

/// <summary>
/// The resources Prescient measures, forecasts and allocates, with a fixed unit each:
/// <see cref="Cpu"/> in cores (1.0 = one core fully busy), <see cref="Memory"/> in bytes, the network
/// and disk kinds in bytes per second, <see cref="ApiCalls"/> in calls per second.
/// The numeric values are dense indices (0..<see cref="ResourceKinds.Count"/>-1) used for arrays.
/// </summary>
public enum ResourceKind
{
    Cpu = 0,
    Memory = 1,
    NetRx = 2,
    NetTx = 3,
    DiskRead = 4,
    DiskWrite = 5,
    ApiCalls = 6,
}
