namespace Prescient.Agent.Collectors;

/// <summary>Parses /proc/stat.</summary>
public static class ProcStatParser
{
    /// <summary>Reads the aggregate cpu line and counts the per-CPU lines.</summary>
    public static bool TryParse(string text, out CpuTimes times, out string? error)
    {
        times = default;
        string[]? aggregate = null;
        var cpuCount = 0;
        foreach (var line in ParseText.Lines(text))
        {
            if (!line.StartsWith("cpu", StringComparison.Ordinal))
            {
                continue;
            }

            var fields = ParseText.Fields(line);
            if (fields[0] == "cpu")
            {
                aggregate = fields;
            }
            else if (fields[0].Length > 3 && char.IsAsciiDigit(fields[0][3]))
            {
                cpuCount++;
            }
        }

        if (aggregate is null)
        {
            error = "no aggregate 'cpu' line";
            return false;
        }

        // user nice system idle [iowait irq softirq steal guest guest_nice]; kernels before 2.6 had 4.
        if (aggregate.Length < 5)
        {
            error = $"the cpu line has {aggregate.Length - 1} fields, expected at least 4";
            return false;
        }

        var counted = Math.Min(aggregate.Length - 1, 8);
        ulong total = 0;
        ulong idle = 0;
        for (var i = 1; i <= counted; i++)
        {
            if (!ParseText.TryUnsigned(aggregate[i], out var ticks))
            {
                error = $"cpu field {i} is not an unsigned integer: '{aggregate[i]}'";
                return false;
            }

            total += ticks;
            if (i is 4 or 5)
            {
                idle += ticks;
            }
        }

        times = new CpuTimes(total - idle, total, Math.Max(cpuCount, 1));
        error = null;
        return true;
    }
}
