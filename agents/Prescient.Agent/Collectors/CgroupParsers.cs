namespace Prescient.Agent.Collectors;

/// <summary>Parsers for the cgroup v1 and v2 accounting files the agent reads.</summary>
public static class CgroupParsers
{
    /// <summary>A file holding one unsigned integer: cpuacct.usage (ns), memory.usage_in_bytes, memory.current.</summary>
    public static bool TryParseSingleValue(string text, out ulong value, out string? error)
    {
        var trimmed = text.Trim();
        if (!ParseText.TryUnsigned(trimmed, out value))
        {
            error = $"'{Shorten(trimmed)}' is not an unsigned integer";
            return false;
        }

        error = null;
        return true;
    }

    /// <summary>memory.stat (v1 or v2), cpu.stat (v2): "key value" lines.</summary>
    public static bool TryParseKeyed(string text, out Dictionary<string, ulong> values, out string? error) =>
        ParseText.TryFlatKeyed(text, out values, out error);

    /// <summary>
    /// v1 blkio.throttle.io_service_bytes[_recursive]: "MAJ:MIN Read|Write|Sync|Async|Discard|Total N"
    /// per device and a final "Total N". Sums Read and Write over devices.
    /// </summary>
    public static bool TryParseBlkioServiceBytes(string text, out ulong readBytes, out ulong writeBytes, out string? error)
    {
        readBytes = 0;
        writeBytes = 0;
        foreach (var line in ParseText.Lines(text))
        {
            var fields = ParseText.Fields(line);
            if (fields.Length == 2 && fields[0] == "Total")
            {
                continue;
            }

            if (fields.Length != 3 || !fields[0].Contains(':', StringComparison.Ordinal) || !ParseText.TryUnsigned(fields[2], out var bytes))
            {
                error = $"line '{line}' is not 'MAJ:MIN Op bytes'";
                return false;
            }

            if (fields[1] == "Read")
            {
                readBytes += bytes;
            }
            else if (fields[1] == "Write")
            {
                writeBytes += bytes;
            }
        }

        error = null;
        return true;
    }

    /// <summary>v2 io.stat: "MAJ:MIN rbytes=N wbytes=N rios=N wios=N dbytes=N dios=N" per device.</summary>
    public static bool TryParseIoStat(string text, out ulong readBytes, out ulong writeBytes, out string? error)
    {
        readBytes = 0;
        writeBytes = 0;
        foreach (var line in ParseText.Lines(text))
        {
            var fields = ParseText.Fields(line);
            if (!fields[0].Contains(':', StringComparison.Ordinal))
            {
                error = $"line '{line}' does not start with MAJ:MIN";
                return false;
            }

            for (var i = 1; i < fields.Length; i++)
            {
                var eq = fields[i].IndexOf('=', StringComparison.Ordinal);
                if (eq <= 0 || !ParseText.TryUnsigned(fields[i][(eq + 1)..], out var value))
                {
                    error = $"field '{fields[i]}' is not 'key=unsigned'";
                    return false;
                }

                var key = fields[i].AsSpan(0, eq);
                if (key.SequenceEqual("rbytes"))
                {
                    readBytes += value;
                }
                else if (key.SequenceEqual("wbytes"))
                {
                    writeBytes += value;
                }
            }
        }

        error = null;
        return true;
    }

    /// <summary>v2 cpu.stat usage_usec, converted to nanoseconds.</summary>
    public static bool TryParseCpuStatUsage(string text, out ulong usageNanoseconds, out string? error)
    {
        usageNanoseconds = 0;
        if (!ParseText.TryFlatKeyed(text, out var values, out error))
        {
            return false;
        }

        if (!values.TryGetValue("usage_usec", out var usec))
        {
            error = "no usage_usec";
            return false;
        }

        usageNanoseconds = usec * 1000;
        return true;
    }

    /// <summary>The pids in cgroup.procs, one per line.</summary>
    public static List<int> ParseProcs(string text)
    {
        var pids = new List<int>();
        foreach (var line in ParseText.Lines(text))
        {
            if (int.TryParse(line, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var pid) && pid > 0)
            {
                pids.Add(pid);
            }
        }

        return pids;
    }

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "...";
}
