using System.Globalization;
using Prescient.Abstractions.Forecasting;
using Prescient.Abstractions.Telemetry;

namespace Prescient.Forecasting.Traces;

/// <summary>
/// Reads Standard Workload Format job logs (Parallel Workloads Archive; <c>.swf</c> or <c>.swf.gz</c>) and builds
/// demand series from the jobs in progress: for the whole system, each group and each user, the mean number of
/// processors in use over each step (and memory in use, in bytes, when the log reports it). Job times are
/// placed in Unix time with the header's <c>UnixStartTime</c>; a missing wait time (-1) counts as 0.
/// Ragged lines, non-numeric fields and jobs with no run time or no processors are dropped and counted.
/// </summary>
public static class SwfReader
{
    /// <summary>The default grid step.</summary>
    public const int DefaultStepSeconds = 300;

    /// <summary>True when the file starts like an SWF log (a <c>;</c> header or an 18-field numeric line).</summary>
    public static bool LooksLike(string file)
    {
        if (file.EndsWith(".swf", StringComparison.OrdinalIgnoreCase) || file.EndsWith(".swf.gz", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        var first = LineReader.FirstLine(file);
        return first is not null && (first.TrimStart().StartsWith(';') || first.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length == 18);
    }

    /// <summary>Reads the jobs of <paramref name="path"/>.</summary>
    public static IReadOnlyList<JobRecord> ReadJobs(string path, TraceDiagnostics diagnostics)
    {
        long unixStart = 0;
        var jobs = new List<JobRecord>();
        using var reader = new LineReader(path, diagnostics);
        Span<double> f = stackalloc double[18];
        while (reader.TryReadLine(out var line))
        {
            var t = line.Trim();
            if (t.Length == 0)
            {
                continue;
            }

            if (t[0] == ';')
            {
                var body = t[1..].Trim();
                if (body.StartsWith("UnixStartTime:", StringComparison.Ordinal)
                    && long.TryParse(body["UnixStartTime:".Length..].Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var u))
                {
                    unixStart = u;
                }

                continue;
            }

            var parts = t.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length != 18)
            {
                diagnostics.Add("ragged-row", path, reader.LineNumber, $"expected 18 fields, found {parts.Length}");
                continue;
            }

            var ok = true;
            for (var i = 0; i < 18 && ok; i++)
            {
                ok = double.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out f[i]) && double.IsFinite(f[i]);
            }

            if (!ok)
            {
                diagnostics.Add("non-numeric-field", path, reader.LineNumber);
                continue;
            }

            var procs = f[4] > 0 ? f[4] : f[7];
            if (f[3] <= 0 || procs <= 0 || f[1] < 0)
            {
                diagnostics.Add("job-without-runtime-or-processors", path, reader.LineNumber);
                continue;
            }

            var submit = unixStart + (long)f[1];
            var start = submit + (long)Math.Max(0, f[2]);
            jobs.Add(new JobRecord(
                (long)f[0], submit, start, (long)f[3], (int)procs, f[6] > 0 ? f[6] * 1024.0 : -1,
                Id(f[11]), Id(f[12]), Id(f[13]), f[8] > 0 ? (long)f[8] : -1));
        }

        if (jobs.Count == 0)
        {
            throw new TraceFormatException(path, 0, "no valid SWF job lines (18 whitespace-separated numeric fields)");
        }

        return jobs;
    }

    /// <summary>
    /// Reads <paramref name="path"/> and builds the system, group and user demand series on a grid of
    /// <paramref name="stepSeconds"/>. Series are ordered system, groups, users, each by total demand (descending);
    /// <paramref name="maxEntities"/> &gt; 0 keeps only that many groups and that many users.
    /// </summary>
    public static Trace Read(string path, int stepSeconds = DefaultStepSeconds, int maxEntities = 0)
    {
        var diagnostics = new TraceDiagnostics();
        var jobs = ReadJobs(path, diagnostics);
        var series = BuildDemandSeries(jobs, stepSeconds, maxEntities);
        return new Trace(path, "swf", stepSeconds, series, diagnostics, jobs);
    }

    /// <summary>Builds processors-in-use (and memory-in-use when known) series from jobs; see <see cref="Read"/>.</summary>
    public static List<TraceSeries> BuildDemandSeries(IReadOnlyList<JobRecord> jobs, int stepSeconds, int maxEntities)
    {
        var t0 = long.MaxValue;
        var t1 = long.MinValue;
        var hasMemory = false;
        foreach (var j in jobs)
        {
            t0 = Math.Min(t0, j.StartSeconds);
            t1 = Math.Max(t1, j.StartSeconds + j.RunSeconds);
            hasMemory |= j.MemoryBytesPerProcessor > 0;
        }

        t0 -= t0 % stepSeconds;
        var n = (int)((t1 - t0) / stepSeconds) + 1;
        var resources = hasMemory ? new[] { ResourceKind.Cpu, ResourceKind.Memory } : [ResourceKind.Cpu];

        var system = new double[resources.Length][];
        for (var r = 0; r < resources.Length; r++)
        {
            system[r] = new double[n];
        }

        var groups = new Dictionary<string, double[][]>(StringComparer.Ordinal);
        var users = new Dictionary<string, double[][]>(StringComparer.Ordinal);
        var userGroup = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var j in jobs)
        {
            var g = Get(groups, j.Group, resources.Length, n);
            var u = Get(users, j.User, resources.Length, n);
            userGroup.TryAdd(j.User, j.Group);
            var start = j.StartSeconds;
            var end = j.StartSeconds + j.RunSeconds;
            for (var b = (int)((start - t0) / stepSeconds); b < n; b++)
            {
                var bs = t0 + ((long)b * stepSeconds);
                var be = bs + stepSeconds;
                if (bs >= end)
                {
                    break;
                }

                var overlap = (Math.Min(be, end) - Math.Max(bs, start)) / (double)stepSeconds;
                for (var r = 0; r < resources.Length; r++)
                {
                    var amount = resources[r] == ResourceKind.Cpu ? j.Processors : Math.Max(0, j.MemoryBytesPerProcessor) * j.Processors;
                    var add = overlap * amount;
                    system[r][b] += add;
                    g[r][b] += add;
                    u[r][b] += add;
                }
            }
        }

        var result = new List<TraceSeries>();
        Emit(result, EntityKind.System, "cluster", "cluster", system, resources, t0, stepSeconds);
        foreach (var (name, cols) in Ranked(groups, maxEntities))
        {
            Emit(result, EntityKind.Group, "g" + name, "cluster", cols, resources, t0, stepSeconds);
        }

        foreach (var (name, cols) in Ranked(users, maxEntities))
        {
            Emit(result, EntityKind.User, "u" + name, "g" + userGroup[name], cols, resources, t0, stepSeconds);
        }

        return result;
    }

    private static IEnumerable<(string Name, double[][] Cols)> Ranked(Dictionary<string, double[][]> map, int max)
    {
        var ranked = map.Select(kv => (kv.Key, kv.Value, Total: kv.Value[0].Sum()))
            .OrderByDescending(x => x.Total)
            .ThenBy(x => x.Key, StringComparer.Ordinal)
            .Select(x => (x.Key, x.Value));
        return max > 0 ? ranked.Take(max) : ranked;
    }

    private static double[][] Get(Dictionary<string, double[][]> map, string key, int width, int n)
    {
        if (!map.TryGetValue(key, out var cols))
        {
            cols = new double[width][];
            for (var r = 0; r < width; r++)
            {
                cols[r] = new double[n];
            }

            map[key] = cols;
        }

        return cols;
    }

    private static void Emit(List<TraceSeries> result, EntityKind kind, string name, string group, double[][] cols, ResourceKind[] resources, long t0, int step)
    {
        for (var r = 0; r < resources.Length; r++)
        {
            var values = new float[cols[r].Length];
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = (float)cols[r][i];
            }

            result.Add(new TraceSeries(new SeriesKey(kind, name, resources[r]), group, t0, step, values));
        }
    }

    private static string Id(double v) => v < 0 ? "unknown" : ((long)v).ToString(CultureInfo.InvariantCulture);
}
