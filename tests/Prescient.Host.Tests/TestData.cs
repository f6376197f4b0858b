using Prescient.Abstractions.Telemetry;
using Prescient.Host.State;

namespace Prescient.Host.Tests;

internal static class TestData
{
    public static UsageReading Reading(long unixMilliseconds, double cpu = 0.5, double memory = 200 << 20, double apiCalls = -1) =>
        new(unixMilliseconds, [cpu, memory, 10, 20, 30, 40, apiCalls], -1);

    public static JobIdentityInfo Job(string id, string user = "alice", string group = "physics", string program = "sim") =>
        new(id, user, group, program, "batch", "normal");

    public static AgentHelloInfo Hello(string node, params ManagedJobInfo[] jobs) =>
        new(node, new NodeCapacityInfo(8, 16UL << 30, 10_000_000_000, 0), [], "test", jobs, "dry-run", "managed-fallback", 0);

    public static double[] Values(UsageReading r) => r.Values;

    public static ResourceKind[] AllResources => Enum.GetValues<ResourceKind>();
}
