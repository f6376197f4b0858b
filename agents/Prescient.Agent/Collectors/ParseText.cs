using System.Globalization;

namespace Prescient.Agent.Collectors;

/// <summary>Small helpers shared by the parsers: whitespace splitting and strict unsigned numbers.</summary>
internal static class ParseText
{
    internal static string[] Fields(string line) =>
        line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    internal static string[] Lines(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    internal static bool TryUnsigned(string text, out ulong value) =>
        ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);

    /// <summary>
    /// Parses "key value" lines (memory.stat, cpu.stat); lines that do not have that shape are
    /// skipped; a known-shaped line with a non-numeric value is an error.
    /// </summary>
    internal static bool TryFlatKeyed(string text, out Dictionary<string, ulong> values, out string? error)
    {
        values = new Dictionary<string, ulong>(StringComparer.Ordinal);
        foreach (var line in Lines(text))
        {
            var fields = Fields(line);
            if (fields.Length != 2)
            {
                error = $"line '{line}' is not 'key value'";
                return false;
            }

            if (!TryUnsigned(fields[1], out var value))
            {
                error = $"value of '{fields[0]}' is not an unsigned integer: '{fields[1]}'";
                return false;
            }

            values[fields[0]] = value;
        }

        error = null;
        return true;
    }
}
