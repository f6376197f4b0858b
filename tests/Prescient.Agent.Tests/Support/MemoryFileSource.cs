using Prescient.Agent.Collectors;

namespace Prescient.Agent.Tests.Support;

/// <summary>An in-memory file tree whose files can change between ticks; directories are implied by file paths.</summary>
internal sealed class MemoryFileSource : IFileSource
{
    private readonly Dictionary<string, string> _files = new(StringComparer.Ordinal);

    public string this[string path]
    {
        set => _files[path] = value;
    }

    public void Remove(string pathPrefix)
    {
        foreach (var key in _files.Keys.Where(k => k == pathPrefix || k.StartsWith(pathPrefix + "/", StringComparison.Ordinal)).ToList())
        {
            _files.Remove(key);
        }
    }

    public bool TryReadText(string path, out string text) => _files.TryGetValue(path, out text!);

    public IReadOnlyList<string> ListDirectories(string path)
    {
        var prefix = path.TrimEnd('/') + "/";
        var names = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var key in _files.Keys)
        {
            if (key.StartsWith(prefix, StringComparison.Ordinal))
            {
                var rest = key[prefix.Length..];
                var slash = rest.IndexOf('/', StringComparison.Ordinal);
                if (slash > 0)
                {
                    names.Add(rest[..slash]);
                }
            }
        }

        return [.. names];
    }

    public bool Exists(string path) =>
        _files.ContainsKey(path) || _files.Keys.Any(k => k.StartsWith(path.TrimEnd('/') + "/", StringComparison.Ordinal));
}
