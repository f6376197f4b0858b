using System.Globalization;
using Prescient.Abstractions.Forecasting;
using Prescient.Abstractions.Telemetry;

namespace Prescient.Forecasting.Traces;

/// <summary>
/// Reads and writes <c>prescient-csv</c>, Prescient's own long-format telemetry (optionally gzipped):
/// <code>
/// # prescient-csv v1
/// # step=300
/// timestamp,entity_kind,entity,resource,value,group
/// 1372629804,node,vm-1,cpu,0.52,web
/// </code>
/// Lines starting with <c>#</c> are comments; <c># step=N</c> sets the grid step in seconds (otherwise the most
/// common gap between a series' timestamps). The header is required; <c>group</c> is optional. <c>timestamp</c>
/// is Unix seconds (decimals allowed); <c>entity_kind</c> one of job, user, group, program, node, system;
/// <c>resource</c> one of cpu, memory, net_rx, net_tx, disk_read, disk_write, api_calls; <c>value</c> in the
/// resource's unit (cores, bytes, bytes/s, calls/s). Ragged rows, unknown kinds, NaN and negative values are
/// dropped and counted; repeated timestamps keep the first row.
/// </summary>
public static class PrescientCsvReader
{
    /// <summary>The required header (the <c>group</c> column may be left out).</summary>
    public const string Header = "timestamp,entity_kind,entity,resource,value,group";

    /// <summary>True when the first non-comment line is the prescient-csv header.</summary>
    public static bool LooksLike(string file)
    {
        try
        {
            using var r = new LineReader(file, new TraceDiagnostics());
            while (r.TryReadLine(out var line))
            {
                var t = line.Trim();
                if (t.Length == 0 || t[0] == '#')
                {
                    continue;
                }

                return t.StartsWith("timestamp,entity_kind,entity,resource,value", StringComparison.OrdinalIgnoreCase);
            }
        }
        catch (IOException)
        {
        }

        return false;
    }

    /// <summary>Reads <paramref name="path"/>; throws <see cref="TraceFormatException"/> when the header is missing.</summary>
    public static Trace Read(string path)
    {
        var diagnostics = new TraceDiagnostics();
        var rows = new Dictionary<(EntityKind, string), (string Group, Dictionary<ResourceKind, List<(long T, long Line, double V)>> Data)>();
        var order = new List<(EntityKind, string)>();
        var step = 0;
        var sawHeader = false;
        using (var reader = new LineReader(path, diagnostics))
        {
            while (reader.TryReadLine(out var line))
            {
                var t = line.Trim();
                if (t.Length == 0)
                {
                    continue;
                }

                if (t[0] == '#')
                {
                    var body = t[1..].Trim();
                    if (body.StartsWith("step=", StringComparison.Ordinal)
                        && !int.TryParse(body[5..], NumberStyles.None, CultureInfo.InvariantCulture, out step))
                    {
                        throw new TraceFormatException(path, reader.LineNumber, "'# step=' needs a positive whole number of seconds");
                    }

                    continue;
                }

                if (!sawHeader)
                {
                    if (!t.StartsWith("timestamp,entity_kind,entity,resource,value", StringComparison.OrdinalIgnoreCase))
                    {
                        throw new TraceFormatException(path, reader.LineNumber, $"expected the prescient-csv header '{Header}'");
                    }

                    sawHeader = true;
                    continue;
                }

                var f = t.Split(',');
                if (f.Length is < 5 or > 6)
                {
                    diagnostics.Add("ragged-row", path, reader.LineNumber, $"expected 5 or 6 fields, found {f.Length}");
                    continue;
                }

                if (!double.TryParse(f[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var ts) || !double.IsFinite(ts) || ts < 0)
                {
                    diagnostics.Add("bad-timestamp", path, reader.LineNumber);
                    continue;
                }

                if (!Enum.TryParse<EntityKind>(f[1].Trim(), true, out var kind) || !Enum.IsDefined(kind) || int.TryParse(f[1], out _))
                {
                    diagnostics.Add("unknown-entity-kind", path, reader.LineNumber, f[1]);
                    continue;
                }

                if (!ResourceKinds.TryParse(f[3].Trim(), out var resource))
                {
                    diagnostics.Add("unknown-resource", path, reader.LineNumber, f[3]);
                    continue;
                }

                if (!double.TryParse(f[4], NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || !double.IsFinite(v))
                {
                    diagnostics.Add("non-finite-value", path, reader.LineNumber);
                    continue;
                }

                if (v < 0)
                {
                    diagnostics.Add("negative-value", path, reader.LineNumber);
                    continue;
                }

                var entity = (kind, f[2].Trim());
                if (!rows.TryGetValue(entity, out var e))
                {
                    e = (f.Length > 5 && f[5].Trim().Length > 0 ? f[5].Trim() : "default", new Dictionary<ResourceKind, List<(long, long, double)>>());
                    rows[entity] = e;
                    order.Add(entity);
                }

                if (!e.Data.TryGetValue(resource, out var list))
                {
                    list = [];
                    e.Data[resource] = list;
                }

                list.Add(((long)Math.Round(ts), reader.LineNumber, v));
            }
        }

        if (!sawHeader)
        {
            throw new TraceFormatException(path, 0, $"no prescient-csv header '{Header}' found");
        }

        if (step <= 0)
        {
            step = InferStep(rows.Values.SelectMany(e => e.Data.Values));
        }

        var series = new List<TraceSeries>();
        foreach (var entity in order)
        {
            var (group, data) = rows[entity];
            foreach (var resource in data.Keys.OrderBy(k => (int)k))
            {
                var grid = new GridBuilder(1);
                foreach (var (time, line, value) in data[resource])
                {
                    grid.Add(time, line, [value]);
                }

                if (grid.TryBuild(step, path, diagnostics, out var start, out var cols))
                {
                    series.Add(new TraceSeries(new SeriesKey(entity.Item1, entity.Item2, resource), group, start, step, cols[0]));
                }
            }
        }

        return new Trace(path, "prescient-csv", step, series, diagnostics, []);
    }

    /// <summary>Writes series as prescient-csv (NaN values are left out); used to export synthetic workloads.</summary>
    public static void Write(TextWriter writer, IEnumerable<TraceSeries> series, int stepSeconds)
    {
        writer.WriteLine("# prescient-csv v1");
        writer.WriteLine($"# step={stepSeconds.ToString(CultureInfo.InvariantCulture)}");
        writer.WriteLine(Header);
        foreach (var s in series)
        {
            var kind = s.Key.Entity.ToString().ToLowerInvariant();
            for (var i = 0; i < s.Values.Length; i++)
            {
                if (float.IsNaN(s.Values[i]))
                {
                    continue;
                }

                var t = s.StartSeconds + ((long)i * s.StepSeconds);
                writer.Write(t.ToString(CultureInfo.InvariantCulture));
                writer.Write(',');
                writer.Write(kind);
                writer.Write(',');
                writer.Write(s.Key.Name);
                writer.Write(',');
                writer.Write(s.Key.Resource.Name());
                writer.Write(',');
                writer.Write(s.Values[i].ToString("R", CultureInfo.InvariantCulture));
                writer.Write(',');
                writer.WriteLine(s.Group);
            }
        }
    }

    private static int InferStep(IEnumerable<List<(long T, long Line, double V)>> lists)
    {
        var counts = new Dictionary<long, int>();
        foreach (var list in lists)
        {
            var sorted = list.Select(x => x.T).Distinct().Order().ToArray();
            for (var i = 1; i < sorted.Length && i < 1000; i++)
            {
                var d = sorted[i] - sorted[i - 1];
                counts[d] = counts.TryGetValue(d, out var c) ? c + 1 : 1;
            }
        }

        if (counts.Count == 0)
        {
            return 60;
        }

        return (int)Math.Clamp(counts.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key).First().Key, 1, 86400);
    }
}
