using System.Globalization;

namespace Prescient.Agent.Collectors;

/// <summary>Parses /proc/&lt;pid&gt;/status.</summary>
public static class ProcStatusParser
{
    /// <summary>The real uid: first number of the "Uid:" line.</summary>
    public static bool TryParseRealUid(string text, out uint uid)
    {
        foreach (var line in ParseText.Lines(text))
        {
            if (line.StartsWith("Uid:", StringComparison.Ordinal))
            {
                var fields = ParseText.Fields(line[4..]);
                uid = 0;
                return fields.Length > 0 && uint.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out uid);
            }
        }

        uid = 0;
        return false;
    }
}
