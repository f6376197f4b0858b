using System.Globalization;

namespace Prescient.Agent.Collectors;

/// <summary>Parses /etc/passwd into uid → user name. Malformed lines are skipped (the file is not ours).</summary>
public static class PasswdParser
{
    /// <summary>name:password:uid:gid:gecos:home:shell; the first entry for a uid wins, as in getpwuid.</summary>
    public static Dictionary<uint, string> Parse(string text)
    {
        var users = new Dictionary<uint, string>();
        foreach (var line in ParseText.Lines(text))
        {
            if (line.StartsWith('#'))
            {
                continue;
            }

            var fields = line.Split(':');
            if (fields.Length >= 4 && fields[0].Length > 0
                && uint.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out var uid))
            {
                users.TryAdd(uid, fields[0]);
            }
        }

        return users;
    }
}
