namespace Prescient.Agent.Collectors;

/// <summary>Parses /proc/net/dev: per interface, received and transmitted bytes.</summary>
public static class NetDevParser
{
    /// <summary>
    /// Each data line is "name: rx_bytes rx_packets ... (8 receive fields) tx_bytes ...";
    /// the two header lines have a '|' and are skipped.
    /// </summary>
    public static bool TryParse(string text, out List<DeviceCounters> interfaces, out string? error)
    {
        interfaces = [];
        foreach (var line in ParseText.Lines(text))
        {
            if (line.Contains('|', StringComparison.Ordinal))
            {
                continue;
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                error = $"line '{line}' has no 'interface:'";
                return false;
            }

            var name = line[..colon].Trim();
            var fields = ParseText.Fields(line[(colon + 1)..]);
            if (fields.Length < 16)
            {
                error = $"interface '{name}' has {fields.Length} counters, expected 16";
                return false;
            }

            if (!ParseText.TryUnsigned(fields[0], out var rx) || !ParseText.TryUnsigned(fields[8], out var tx))
            {
                error = $"interface '{name}' has a non-numeric byte counter";
                return false;
            }

            interfaces.Add(new DeviceCounters(name, rx, tx));
        }

        error = null;
        return true;
    }
}
