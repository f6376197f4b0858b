namespace Prescient.Agent.Collectors;

/// <summary>
/// Supplies the text of kernel files and the listing of directories to the collectors, so that the
/// parsers run the same on the live machine and on fixture trees. Never throws for a missing or
/// unreadable path: it answers false / empty, since cgroups and processes vanish at any time.
/// </summary>
public interface IFileSource
{
    /// <summary>Reads a whole file; false when it does not exist or cannot be read.</summary>
    bool TryReadText(string path, out string text);

    /// <summary>Names of the subdirectories of <paramref name="path"/> (empty when it does not exist).</summary>
    IReadOnlyList<string> ListDirectories(string path);

    /// <summary>True when a file or directory exists at <paramref name="path"/>.</summary>
    bool Exists(string path);
}
