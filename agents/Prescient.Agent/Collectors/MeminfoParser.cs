namespace Prescient.Agent.Collectors;

/// <summary>Parses /proc/meminfo ("Key:   value kB").</summary>
public static class MeminfoParser
{
    /// <summary>Needs MemTotal; MemAvailable falls back to MemFree + Buffers + Cached on old kernels.</summary>
    public static bool TryParse(string text, out MemoryInfo info, out string? error)
    {
        info = default;
        var values = new Dictionary<string, ulong>(StringComparer.Ordinal);
        foreach (var line in ParseText.Lines(text))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                error = $"line '{line}' has no 'Key:'";
                return false;
            }

            var fields = ParseText.Fields(line[(colon + 1)..]);
            if (fields.Length is < 1 or > 2 || !ParseText.TryUnsigned(fields[0], out var value))
            {
                error = $"line '{line}' has no unsigned value";
                return false;
            }

            var multiplier = fields.Length == 2
                ? fields[1] == "kB" ? 1024UL : 0UL
                : 1UL;
            if (multiplier == 0)
            {
                error = $"line '{line}' has unknown unit '{fields[1]}'";
                return false;
            }

            if (value > ulong.MaxValue / multiplier)
            {
                error = $"line '{line}' overflows 64 bits";
                return false;
            }

            values[line[..colon]] = value * multiplier;
        }

        if (!values.TryGetValue("MemTotal", out var total) || total == 0)
        {
            error = "no MemTotal";
            return false;
        }

        if (!values.TryGetValue("MemAvailable", out var available))
        {
            available = values.GetValueOrDefault("MemFree") + values.GetValueOrDefault("Buffers") + values.GetValueOrDefault("Cached");
        }

        info = new MemoryInfo(total, Math.Min(available, total));
        error = null;
        return true;
    }
}
