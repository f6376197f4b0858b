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
    private readonly CountingStream? _counter;
    private readonly uint? _expectedLength;
    private bool _done;

    public LineReader(string path, TraceDiagnostics diagnostics)
    {
        Path = path;
        _diagnostics = diagnostics;
        Stream stream = File.OpenRead(path);
        if (path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase))
        {
            // A gzip file ends with ISIZE, the uncompressed length mod 2^32: GZipStream stops quietly at a truncated
            // end, so the count of bytes it produced is compared with it at the end.
            if (stream.Length >= 18)
            {
                stream.Seek(-4, SeekOrigin.End);
                Span<byte> tail = stackalloc byte[4];
                stream.ReadExactly(tail);
                _expectedLength = BitConverter.ToUInt32(tail);
                stream.Seek(0, SeekOrigin.Begin);
            }

            _counter = new CountingStream(new GZipStream(stream, CompressionMode.Decompress));
            stream = _counter;
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
                if (_counter is not null && (_expectedLength is null || (uint)_counter.Count != _expectedLength))
                {
                    _diagnostics.Add("truncated-file", Path, LineNumber, "gzip stream ended before its recorded length");
                }

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

    private sealed class CountingStream(Stream inner) : Stream
    {
        public long Count { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => Count; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = inner.Read(buffer, offset, count);
            Count += n;
            return n;
        }

        public override int Read(Span<byte> buffer)
        {
            var n = inner.Read(buffer);
            Count += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }

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
