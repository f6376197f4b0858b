using System.Globalization;
using System.Text.RegularExpressions;
using Prescient.Abstractions.Forecasting;
using Prescient.Abstractions.Telemetry;

namespace Prescient.Forecasting.Traces;

/// <summary>
/// Reads wide whole-cluster usage CSVs (the Alibaba 2018, Google 2019 and Azure 2019 series of the evaluation
/// data): a header of column names, one row per step, an optional <c>timestamp</c> column in seconds (otherwise
/// row index × step). The step is read from a <c>_N_seconds</c> part of the file name, else 300 s. Columns map to
/// resources by name: <c>cpu*</c>/<c>avg_cpu</c> → cpu, <c>mem*</c>/<c>avg_mem</c>/<c>assigned_mem</c> → memory,
/// <c>net_in</c> → net_rx, <c>net_out</c> → net_tx (first match wins; units as in the file). A folder of files
/// named <c>..._day_N_...</c> is one series, days joined in order with day N starting at (N−1) days.
/// </summary>
public static partial class ClusterCsvReader
{
    private static readonly (string Prefix, ResourceKind Kind)[] Columns =
    [
        ("cpu", ResourceKind.Cpu), ("avg_cpu", ResourceKind.Cpu), ("mem", ResourceKind.Memory), ("avg_mem", ResourceKind.Memory),
        ("assigned_mem", ResourceKind.Memory), ("net_in", ResourceKind.NetRx), ("net_out", ResourceKind.NetTx),
    ];

    /// <summary>True when the header has at least one known column and no Bitbrains/prescient-csv signature.</summary>
    public static bool LooksLike(string file)
    {
        var first = LineReader.FirstLine(file);
        if (first is null || first.Contains(';', StringComparison.Ordinal) || first.StartsWith("timestamp,entity_kind", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        return MapColumns(first.Split(','), out _).Count > 0;
    }

    /// <summary>Reads one file or a folder of day files.</summary>
    public static Trace Read(string path)
    {
        var diagnostics = new TraceDiagnostics();
        var files = File.Exists(path)
            ? [path]
            : Directory.EnumerateFiles(path).Where(f => f.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".csv.gz", StringComparison.OrdinalIgnoreCase))
                .OrderBy(DayNumber).ThenBy(f => f, StringComparer.Ordinal).ToArray();
        if (files.Length == 0)
        {
            throw new TraceFormatException(path, 0, "no .csv files found");
        }

        var m = StepRegex().Match(Path.GetFileName(files[0]));
        var step = m.Success ? int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : 300;
        GridBuilder? grid = null;
        ResourceKind[] kinds = [];
        foreach (var file in files)
        {
            var day = DayNumber(file);
            var offset = day == int.MaxValue ? 0 : (day - 1) * 86400L;
            using var reader = new LineReader(file, diagnostics);
            if (!reader.TryReadLine(out var header))
            {
                diagnostics.Add("empty-file", file, 0);
                continue;
            }

            var names = header.Split(',');
            var map = MapColumns(names, out var timeColumn);
            if (map.Count == 0)
            {
                throw new TraceFormatException(file, 1, "no known usage column (cpu*, mem*, net_in, net_out) in the header");
            }

            if (grid is null)
            {
                kinds = map.Select(x => x.Kind).ToArray();
                grid = new GridBuilder(kinds.Length);
            }
            else if (map.Count != kinds.Length)
            {
                throw new TraceFormatException(file, 1, "columns differ from the first file's");
            }

            long row = 0;
            while (reader.TryReadLine(out var line))
            {
                if (line.Length == 0)
                {
                    continue;
                }

                var f = line.Split(',');
                if (f.Length != names.Length)
                {
                    diagnostics.Add("ragged-row", file, reader.LineNumber, $"expected {names.Length} fields");
                    row++;
                    continue;
                }

                var t = offset + (row * step);
                if (timeColumn >= 0)
                {
                    if (!double.TryParse(f[timeColumn], NumberStyles.Float, CultureInfo.InvariantCulture, out var ts) || !double.IsFinite(ts))
                    {
                        diagnostics.Add("bad-timestamp", file, reader.LineNumber);
                        row++;
                        continue;
                    }

                    t = offset + (long)ts;
                }

                var values = new double[kinds.Length];
                for (var c = 0; c < map.Count; c++)
                {
                    if (!double.TryParse(f[map[c].Column], NumberStyles.Float, CultureInfo.InvariantCulture, out values[c]) || !double.IsFinite(values[c]) || values[c] < 0)
                    {
                        diagnostics.Add("bad-value", file, reader.LineNumber);
                        values[c] = double.NaN;
                    }
                }

                grid.Add(t, reader.LineNumber, values);
                row++;
            }
        }

        var series = new List<TraceSeries>();
        var name = Path.GetFileName(Path.TrimEndingDirectorySeparator(path));
        if (grid is not null && grid.TryBuild(step, path, diagnostics, out var start, out var cols))
        {
            for (var c = 0; c < kinds.Length; c++)
            {
                series.Add(new TraceSeries(new SeriesKey(EntityKind.System, name, kinds[c]), "cluster", start, step, cols[c]));
            }
        }

        return new Trace(path, "cluster-csv", step, series, diagnostics, []);
    }

    private static List<(int Column, ResourceKind Kind)> MapColumns(string[] names, out int timeColumn)
    {
        timeColumn = -1;
        var result = new List<(int, ResourceKind)>();
        var seen = new bool[ResourceKinds.Count];
        for (var i = 0; i < names.Length; i++)
        {
            var n = names[i].Trim().ToLowerInvariant();
            if (n == "timestamp" || n == "time")
            {
                timeColumn = i;
                continue;
            }

            foreach (var (prefix, kind) in Columns)
            {
                if (n.StartsWith(prefix, StringComparison.Ordinal) && !seen[(int)kind])
                {
                    seen[(int)kind] = true;
                    result.Add((i, kind));
                    break;
                }
            }
        }

        return result;
    }

    private static int DayNumber(string file)
    {
        var m = DayRegex().Match(Path.GetFileName(file));
        return m.Success ? int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : int.MaxValue;
    }

    [GeneratedRegex(@"_(\d+)_seconds")]
    private static partial Regex StepRegex();

    [GeneratedRegex(@"_day_(\d+)_")]
    private static partial Regex DayRegex();
}
