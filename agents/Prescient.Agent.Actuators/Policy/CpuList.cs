using System.Globalization;

namespace Prescient.Agent.Actuators.Policy;

/// <summary>The kernel's list format for CPU and NUMA node sets: "0-3,8,10-11".</summary>
public static class CpuList
{
    /// <summary>Largest id accepted, well above any real machine, so a typo cannot allocate a huge list.</summary>
    public const int MaxId = 65535;

    /// <summary>
    /// Parses <paramref name="text"/> (surrounding whitespace allowed) into ascending distinct ids.
    /// Empty text gives an empty list. Returns false with a reason on malformed input.
    /// </summary>
    public static bool TryParse(string text, out List<int> ids, out string? error)
    {
        ids = [];
        error = null;
        var trimmed = text.AsSpan().Trim();
        if (trimmed.IsEmpty)
        {
            return true;
        }

        var set = new SortedSet<int>();
        foreach (var range in trimmed.Split(','))
        {
            var part = trimmed[range].Trim();
            var dash = part.IndexOf('-');
            var firstText = dash < 0 ? part : part[..dash];
            var lastText = dash < 0 ? part : part[(dash + 1)..];
            if (!TryId(firstText, out var first) || !TryId(lastText, out var last))
            {
                error = $"'{part.ToString()}' is not an id or a range of ids (0..{MaxId})";
                return false;
            }

            if (last < first)
            {
                error = $"range '{part.ToString()}' ends before it starts";
                return false;
            }

            for (var id = first; id <= last; id++)
            {
                set.Add(id);
            }
        }

        ids = [.. set];
        return true;
    }

    /// <summary>Formats ascending ids back into the kernel list format with ranges.</summary>
    public static string Format(IReadOnlyList<int> ids)
    {
        var parts = new List<string>();
        var i = 0;
        while (i < ids.Count)
        {
            var j = i;
            while (j + 1 < ids.Count && ids[j + 1] == ids[j] + 1)
            {
                j++;
            }

            parts.Add(i == j
                ? ids[i].ToString(CultureInfo.InvariantCulture)
                : string.Create(CultureInfo.InvariantCulture, $"{ids[i]}-{ids[j]}"));
            i = j + 1;
        }

        return string.Join(',', parts);
    }

    private static bool TryId(ReadOnlySpan<char> text, out int id) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out id) && id <= MaxId;
}
