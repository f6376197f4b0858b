using System.IO.Compression;

namespace Prescient.Forecasting.Traces;

/// <summary>
/// Reads a text file line by line, gunzipping <c>.gz</c> files, numbering lines from 1. A truncated or corrupt
/// gzip stream ends the file early: the lines before it are kept and the truncation is counted, never thrown.
/// </summary>
internal sealed class LineReader : IDisposable
{
    private readonly StreamReader _reader;
    private readonly TraceDiagnostics _diagnostics;
    private bool _done;

    public LineReader(string path, TraceDiagnostics diagnostics)
    {
        Path = path;
        _diagnostics = diagnostics;
        Stream stream = File.OpenRead(path);
        if (path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase))
        {
            stream = new GZipStream(stream, CompressionMode.Decompress);
        }

        _reader = new StreamReader(stream);
    }

    public string Path { get; }

    /// <summary>1-based number of the line last returned.</summary>
    public long LineNumber { get; private set; }

    public bool TryReadLine(out string line)
    {
        line = string.Empty;
        if (_done)
        {
            return false;
        }

        try
        {
            var l = _reader.ReadLine();
            if (l is null)
            {
                _done = true;
                return false;
            }

            LineNumber++;
            line = l;
            return true;
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or IOException)
        {
            _done = true;
            _diagnostics.Add("truncated-file", Path, LineNumber + 1, e.Message);
            return false;
        }
    }

    public void Dispose() => _reader.Dispose();

    /// <summary>The first line of <paramref name="path"/> (gunzipped), or null when empty or unreadable.</summary>
    public static string? FirstLine(string path)
    {
        try
        {
            using var r = new LineReader(path, new TraceDiagnostics());
            while (r.TryReadLine(out var line))
            {
                if (line.Trim().Length > 0)
                {
                    return line;
                }
            }
        }
        catch (IOException)
        {
        }

        return null;
    }
}
