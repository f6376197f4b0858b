namespace Prescient.Forecasting.Traces;

/// <summary>
/// Puts timestamped rows of one entity on a regular grid: sorts by time, keeps the first row of a repeated
/// timestamp, drops rows whose time is implausibly far from the entity's median (clock jumps), rounds each
/// remaining time to the nearest grid point and leaves NaN where no row lands. Every drop is counted.
/// </summary>
internal sealed class GridBuilder
{
    /// <summary>Rows further than this from the median time are clock jumps (one year).</summary>
    private const long MaxDistanceFromMedianSeconds = 366L * 86400;

    private readonly int _width;
    private readonly List<(long Time, long Line, double[] Values)> _rows = [];

    public GridBuilder(int width) => _width = width;

    public int RowCount => _rows.Count;

    public void Add(long timeSeconds, long line, double[] values)
    {
        if (values.Length != _width)
        {
            throw new ArgumentException("row width mismatch", nameof(values));
        }

        _rows.Add((timeSeconds, line, values));
    }

    /// <summary>Builds the grid: column c of the result is the series of value c. Returns false when no row survives.</summary>
    public bool TryBuild(int stepSeconds, string file, TraceDiagnostics diagnostics, out long startSeconds, out float[][] columns)
    {
        columns = [];
        startSeconds = 0;
        if (_rows.Count == 0)
        {
            return false;
        }

        // Stable sort: among equal timestamps the row read first stays first and wins.
        var rows = _rows.OrderBy(r => r.Time).ThenBy(r => r.Line).ToList();
        var median = rows[rows.Count / 2].Time;
        var kept = new List<(long Time, long Line, double[] Values)>(rows.Count);
        long lastTime = long.MinValue;
        foreach (var r in rows)
        {
            if (Math.Abs(r.Time - median) > MaxDistanceFromMedianSeconds)
            {
                diagnostics.Add("clock-jump", file, r.Line, $"timestamp {r.Time} is far from the file's other timestamps");
                continue;
            }

            if (r.Time == lastTime)
            {
                diagnostics.Add("duplicate-timestamp", file, r.Line);
                continue;
            }

            lastTime = r.Time;
            kept.Add(r);
        }

        if (kept.Count == 0)
        {
            return false;
        }

        startSeconds = kept[0].Time;
        var n = (int)((kept[^1].Time - startSeconds + (stepSeconds / 2)) / stepSeconds) + 1;
        columns = new float[_width][];
        for (var c = 0; c < _width; c++)
        {
            columns[c] = new float[n];
            Array.Fill(columns[c], float.NaN);
        }

        var filled = new bool[n];
        foreach (var r in kept)
        {
            var i = (int)((r.Time - startSeconds + (stepSeconds / 2)) / stepSeconds);
            if (filled[i])
            {
                diagnostics.Add("duplicate-grid-point", file, r.Line, $"lands on the same {stepSeconds} s grid point as an earlier row");
                continue;
            }

            filled[i] = true;
            for (var c = 0; c < _width; c++)
            {
                var v = r.Values[c];
                columns[c][i] = double.IsFinite(v) ? (float)v : float.NaN;
            }
        }

        return true;
    }
}
