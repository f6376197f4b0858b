namespace Prescient.Agent.Collectors;

/// <summary>The real file system. Thread-safe.</summary>
public sealed class FileSystemSource : IFileSource
{
    /// <summary>The one instance.</summary>
    public static FileSystemSource Instance { get; } = new();

    private FileSystemSource()
    {
    }

    /// <inheritdoc />
    public bool TryReadText(string path, out string text)
    {
        try
        {
            // procfs and cgroupfs report size 0; ReadAllText reads to EOF regardless.
            text = File.ReadAllText(path);
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            text = string.Empty;
            return false;
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<string> ListDirectories(string path)
    {
        try
        {
            var names = new List<string>();
            foreach (var dir in Directory.EnumerateDirectories(path))
            {
                names.Add(Path.GetFileName(dir));
            }

            names.Sort(StringComparer.Ordinal);
            return names;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return [];
        }
    }

    /// <inheritdoc />
    public bool Exists(string path) => File.Exists(path) || Directory.Exists(path);
}
