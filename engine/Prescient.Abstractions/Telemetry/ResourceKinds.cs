namespace Prescient.Abstractions.Telemetry;

/// <summary>Names and iteration helpers for <see cref="ResourceKind"/>.</summary>
public static class ResourceKinds
{
    /// <summary>Number of resource kinds; arrays indexed by <see cref="ResourceKind"/> have this length.</summary>
    public const int Count = 7;

    private static readonly string[] Names = ["cpu", "memory", "net_rx", "net_tx", "disk_read", "disk_write", "api_calls"];

    /// <summary>The stable snake_case name used in JSON, metrics and configuration (e.g. <c>net_rx</c>).</summary>
    public static string Name(this ResourceKind kind) => Names[(int)kind];

    /// <summary>Parses a name written by <see cref="Name"/>; false when it is not one.</summary>
    public static bool TryParse(string name, out ResourceKind kind)
    {
        for (var i = 0; i < Names.Length; i++)
        {
            if (string.Equals(Names[i], name, StringComparison.OrdinalIgnoreCase))
            {
                kind = (ResourceKind)i;
                return true;
            }
        }

        kind = default;
        return false;
    }
}
