using System.Globalization;

namespace Prescient.Forecasting.Traces;

/// <summary>
/// What a reader dropped or repaired, counted by reason, with the first few locations (<c>file:line: reason</c>)
/// kept verbatim so a user can find them. Not thread-safe.
/// </summary>
public sealed class TraceDiagnostics
{
    /// <summary>How many locations are kept in <see cref="Examples"/>.</summary>
    public const int MaxExamples = 20;

    private readonly SortedDictionary<string, long> _counts = new(StringComparer.Ordinal);
    private readonly List<string> _examples = [];

    /// <summary>Counts per reason (e.g. <c>duplicate-timestamp</c>, <c>ragged-row</c>, <c>negative-value</c>).</summary>
    public IReadOnlyDictionary<string, long> Counts => _counts;

    /// <summary>The first <see cref="MaxExamples"/> problems as <c>file:line: reason</c>.</summary>
    public IReadOnlyList<string> Examples => _examples;

    /// <summary>Total of all counts.</summary>
    public long Total
    {
        get
        {
            long t = 0;
            foreach (var c in _counts.Values)
            {
                t += c;
            }

            return t;
        }
    }

    /// <summary>Counts one occurrence of <paramref name="reason"/> at <paramref name="file"/>:<paramref name="line"/> (line 0 = whole file).</summary>
    public void Add(string reason, string file, long line, string? detail = null)
    {
        _counts[reason] = _counts.TryGetValue(reason, out var c) ? c + 1 : 1;
        if (_examples.Count < MaxExamples)
        {
            var where = line > 0 ? $"{file}:{line.ToString(CultureInfo.InvariantCulture)}" : file;
            _examples.Add(detail is null ? $"{where}: {reason}" : $"{where}: {reason} ({detail})");
        }
    }

    /// <summary>Count of <paramref name="reason"/>, 0 when never seen.</summary>
    public long Count(string reason) => _counts.TryGetValue(reason, out var c) ? c : 0;
}
