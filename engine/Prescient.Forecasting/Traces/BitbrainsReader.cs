using System.Globalization;
using Prescient.Abstractions.Forecasting;
using Prescient.Abstractions.Telemetry;

namespace Prescient.Forecasting.Traces;

/// <summary>
/// Reads Bitbrains GWA-T-12 per-VM files (<c>N.csv</c> or <c>N.csv.gz</c>; a folder of them is one trace):
/// fields separated by <c>;</c> plus whitespace, one header line, 11 columns, timestamps in Unix seconds despite
/// the header's "[ms]". Each VM becomes entity <c>node/vm-N</c> with six series: CPU in cores
/// (usage MHz ÷ MHz per core; the series' <see cref="TraceSeries.Capacity"/> is the VM's provisioned cores, the
/// largest the file gives), memory in bytes, disk read/write and network rx/tx in bytes per second.
/// Rows with 0 cores and 0 capacity (the VM was not reporting), ragged rows, unparsable or negative fields
/// are dropped and counted; repeated timestamps keep the first row; the result is put on a 300 s grid.
/// </summary>
public static class BitbrainsReader
{
    /// <summary>The trace's sampling step.</summary>
    public const int StepSeconds = 300;

    private static readonly ResourceKind[] Resources =
        [ResourceKind.Cpu, ResourceKind.Memory, ResourceKind.DiskRead, ResourceKind.DiskWrite, ResourceKind.NetRx, ResourceKind.NetTx];

    /// <summary>True when the first line of <paramref name="file"/> is a Bitbrains header.</summary>
    public static bool LooksLike(string file)
    {
        var first = LineReader.FirstLine(file);
        return first is not null && first.StartsWith("Timestamp [ms];", StringComparison.Ordinal) && first.Contains("CPU cores", StringComparison.Ordinal);
    }

    /// <summary>The VM files of a folder (or the single file), ordered by VM number.</summary>
    public static string[] Files(string path)
    {
        if (File.Exists(path))
        {
            return [path];
        }

        return Directory.EnumerateFiles(path)
            .Where(f => f.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".csv.gz", StringComparison.OrdinalIgnoreCase))
            .OrderBy(f => VmNumber(f))
            .ThenBy(f => f, StringComparer.Ordinal)
            .ToArray();
    }

    /// <summary>Reads the trace at <paramref name="path"/> (a folder or one file); at most <paramref name="maxVms"/> VMs when positive.</summary>
    public static Trace Read(string path, int maxVms = 0)
    {
        var diagnostics = new TraceDiagnostics();
        var series = new List<TraceSeries>();
        var files = Files(path);
        if (files.Length == 0)
        {
            throw new TraceFormatException(path, 0, "no Bitbrains .csv or .csv.gz files found");
        }

        var vms = 0;
        foreach (var file in files)
        {
            if (maxVms > 0 && vms >= maxVms)
            {
                break;
            }

            if (ReadVm(file, diagnostics, series))
            {
                vms++;
            }
        }

        return new Trace(path, "bitbrains", StepSeconds, series, diagnostics, []);
    }

    private static bool ReadVm(string file, TraceDiagnostics diagnostics, List<TraceSeries> series)
    {
        var name = "vm-" + Path.GetFileName(file).Split('.')[0];
        var grid = new GridBuilder(Resources.Length);
        var cores = 0.0;
        using (var reader = new LineReader(file, diagnostics))
        {
            if (!reader.TryReadLine(out var header) || !header.StartsWith("Timestamp", StringComparison.Ordinal))
            {
                throw new TraceFormatException(file, 1, "expected the Bitbrains header line starting with 'Timestamp [ms];'");
            }

            Span<double> f = stackalloc double[11];
            while (reader.TryReadLine(out var line))
            {
                if (line.Length == 0)
                {
                    continue;
                }

                if (!TryParseRow(line, f))
                {
                    diagnostics.Add("ragged-row", file, reader.LineNumber, "expected 11 numeric fields");
                    continue;
                }

                // 0: time, 1: cores, 2: capacity MHz, 3: usage MHz, 4: usage %, 5: memory capacity KB,
                // 6: memory usage KB, 7: disk read KB/s, 8: disk write KB/s, 9: net rx KB/s, 10: net tx KB/s.
                if (f[1] <= 0 && f[2] <= 0 && f[5] <= 0)
                {
                    diagnostics.Add("vm-not-reporting", file, reader.LineNumber);
                    continue;
                }

                var negative = false;
                for (var i = 1; i < 11; i++)
                {
                    negative |= f[i] < 0;
                }

                if (negative || f[0] <= 0)
                {
                    diagnostics.Add("negative-value", file, reader.LineNumber);
                    continue;
                }

                var mhzPerCore = f[1] > 0 && f[2] > 0 ? f[2] / f[1] : double.NaN;
                cores = Math.Max(cores, f[1]);
                var row = new double[Resources.Length];
                row[0] = f[3] == 0 ? 0 : f[3] / mhzPerCore;
                row[1] = f[6] * 1024.0;
                row[2] = f[7] * 1024.0;
                row[3] = f[8] * 1024.0;
                row[4] = f[9] * 1024.0;
                row[5] = f[10] * 1024.0;
                grid.Add((long)f[0], reader.LineNumber, row);
            }
        }

        if (!grid.TryBuild(StepSeconds, file, diagnostics, out var start, out var columns))
        {
            diagnostics.Add("empty-file", file, 0);
            return false;
        }

        for (var r = 0; r < Resources.Length; r++)
        {
            series.Add(new TraceSeries(new SeriesKey(EntityKind.Node, name, Resources[r]), "bitbrains", start, StepSeconds, columns[r])
            {
                Capacity = Resources[r] == ResourceKind.Cpu && cores > 0 ? cores : double.NaN,
            });
        }

        return true;
    }

    private static bool TryParseRow(string line, Span<double> fields)
    {
        var rest = line.AsSpan();
        for (var i = 0; i < fields.Length; i++)
        {
            var sep = rest.IndexOf(';');
            var token = (sep < 0 ? rest : rest[..sep]).Trim();
            if (!double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out fields[i]) || !double.IsFinite(fields[i]))
            {
                return false;
            }

            if (sep < 0)
            {
                return i == fields.Length - 1;
            }

            rest = rest[(sep + 1)..];
        }

        return rest.Trim().IsEmpty;
    }

    private static long VmNumber(string file)
    {
        var stem = Path.GetFileName(file).Split('.')[0];
        return long.TryParse(stem, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : long.MaxValue;
    }
}
