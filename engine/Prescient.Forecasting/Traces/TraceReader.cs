namespace Prescient.Forecasting.Traces;

/// <summary>Opens a trace in a named format or detects it (<c>auto</c>).</summary>
public static class TraceReader
{
    /// <summary>The formats <see cref="Read"/> accepts.</summary>
    public static readonly string[] Formats = ["auto", "bitbrains", "swf", "prescient-csv", "cluster-csv"];

    /// <summary>
    /// Reads <paramref name="path"/> as <paramref name="format"/>. Throws <see cref="TraceFormatException"/> for an
    /// unknown format, a missing path or content that matches no reader; <paramref name="stepSeconds"/> &gt; 0
    /// overrides the SWF grid step; <paramref name="maxEntities"/> &gt; 0 limits VMs (Bitbrains) or groups and users (SWF).
    /// </summary>
    public static Trace Read(string path, string format = "auto", int stepSeconds = 0, int maxEntities = 0)
    {
        if (path == "synthetic" || path.StartsWith("synthetic:", StringComparison.Ordinal))
        {
            return Synthetic(path, maxEntities);
        }

        if (!File.Exists(path) && !Directory.Exists(path))
        {
            throw new TraceFormatException(path, 0, "no such file or folder");
        }

        var resolved = format == "auto" ? Detect(path) : format;
        return resolved switch
        {
            "bitbrains" => BitbrainsReader.Read(path, maxEntities),
            "swf" => SwfReader.Read(path, stepSeconds > 0 ? stepSeconds : SwfReader.DefaultStepSeconds, maxEntities),
            "prescient-csv" => PrescientCsvReader.Read(path),
            "cluster-csv" => ClusterCsvReader.Read(path),
            _ => throw new TraceFormatException(path, 0, $"unknown format '{format}' (known: {string.Join(", ", Formats)})"),
        };
    }

    /// <summary>
    /// <c>synthetic[:VMS[:DAYS[:SEED]]]</c>: the built-in workload with parameters measured on the real traces
    /// (default 20 VMs, 14 days, seed 1).
    /// </summary>
    private static Trace Synthetic(string path, int maxEntities)
    {
        var parts = path.Split(':');
        int vms = 20, days = 14, seed = 1;
        if ((parts.Length > 1 && !int.TryParse(parts[1], out vms)) || (parts.Length > 2 && !int.TryParse(parts[2], out days))
            || (parts.Length > 3 && !int.TryParse(parts[3], out seed)) || vms < 1 || days < 1)
        {
            throw new TraceFormatException(path, 0, "expected synthetic[:VMS[:DAYS[:SEED]]] with positive numbers");
        }

        return Prescient.Forecasting.Synthetic.SyntheticWorkload.Usage(maxEntities > 0 ? Math.Min(vms, maxEntities) : vms, days, seed);
    }

    /// <summary>The format of <paramref name="path"/> judged from names and first lines; throws when none matches.</summary>
    public static string Detect(string path)
    {
        var probe = path;
        if (Directory.Exists(path))
        {
            probe = Directory.EnumerateFiles(path).Order(StringComparer.Ordinal).FirstOrDefault()
                ?? throw new TraceFormatException(path, 0, "empty folder");
        }

        if (BitbrainsReader.LooksLike(probe))
        {
            return "bitbrains";
        }

        if (PrescientCsvReader.LooksLike(probe))
        {
            return "prescient-csv";
        }

        if (ClusterCsvReader.LooksLike(probe))
        {
            return "cluster-csv";
        }

        if (SwfReader.LooksLike(probe))
        {
            return "swf";
        }

        throw new TraceFormatException(probe, 1, "format not recognized (expected bitbrains, swf, prescient-csv or cluster-csv); pass --format");
    }
}
