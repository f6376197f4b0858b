namespace Prescient.Host.State;

/// <summary>
/// What a node, job, user, group or program name may look like. Names end up in file paths, cgroup
/// paths, metrics labels and logs, so anything outside a conservative character set is refused rather
/// than escaped.
/// </summary>
public static class NameRules
{
    /// <summary>Longest accepted name, in characters (a DNS name's limit).</summary>
    public const int MaxLength = 253;

    /// <summary>True for 1..253 characters of [A-Za-z0-9._-] plus '@' and '+' (allowed in user and account names), not starting with '.' or '-'.</summary>
    public static bool IsValid(string? name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > MaxLength || name[0] is '.' or '-')
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' or '@' or '+'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Like <see cref="IsValid"/> but an empty string (an optional field left out) is fine.</summary>
    public static bool IsValidOrEmpty(string? name) => string.IsNullOrEmpty(name) || IsValid(name);

    /// <summary>
    /// The first field of <paramref name="identity"/> that breaks the rules, as its wire name (<c>job_id</c> must be
    /// valid; <c>user</c>, <c>group</c>, <c>program</c>, <c>partition</c>, <c>qos</c> valid or empty), with its value;
    /// null when every field is fine.
    /// </summary>
    public static (string Field, string Value)? InvalidIdentityField(JobIdentityInfo identity)
    {
        if (!IsValid(identity.JobId))
        {
            return ("job_id", identity.JobId);
        }

        return !IsValidOrEmpty(identity.User) ? ("user", identity.User)
            : !IsValidOrEmpty(identity.Group) ? ("group", identity.Group)
            : !IsValidOrEmpty(identity.Program) ? ("program", identity.Program)
            : !IsValidOrEmpty(identity.Partition) ? ("partition", identity.Partition)
            : !IsValidOrEmpty(identity.Qos) ? ("qos", identity.Qos)
            : null;
    }

    /// <summary>A printable, bounded rendering of an untrusted name for error messages.</summary>
    public static string Quote(string? name)
    {
        if (name is null)
        {
            return "(null)";
        }

        var shown = name.Length > 64 ? name[..64] + "…" : name;
        var chars = shown.Select(c => char.IsControl(c) ? '?' : c).ToArray();
        return "'" + new string(chars) + "'";
    }
}
