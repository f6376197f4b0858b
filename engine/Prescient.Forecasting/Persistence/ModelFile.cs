using System.Buffers;
using MessagePack;

namespace Prescient.Forecasting.Persistence;

/// <summary>
/// The envelope of every file Prescient's forecasting layer persists (models, profiles, calibration state):
/// a MessagePack array <c>["prescient-forecasting", formatVersion, kind, payload]</c> where payload is the
/// kind's own MessagePack document. Writes are atomic: the bytes go to a temporary file in the same folder,
/// are flushed to disk, then renamed over the target, so a crash leaves the old file or the new one, never a
/// torn one. A file of another format version, another kind, or not ours is refused with a message that says
/// which and what to do.
/// </summary>
public static class ModelFile
{
    /// <summary>The first element of every file.</summary>
    public const string Magic = "prescient-forecasting";

    /// <summary>The format version this build writes and reads.</summary>
    public const int FormatVersion = 1;

    /// <summary>Writes <paramref name="payload"/> (a MessagePack document) as a file of <paramref name="kind"/>, atomically.</summary>
    public static void Write(string path, string kind, ReadOnlySpan<byte> payload)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var w = new MessagePackWriter(buffer);
        w.WriteArrayHeader(4);
        w.Write(Magic);
        w.Write(FormatVersion);
        w.Write(kind);
        w.Write(payload);
        w.Flush();
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(dir);
        var temp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Environment.ProcessId}.tmp");
        using (var fs = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            fs.Write(buffer.WrittenSpan);
            fs.Flush(flushToDisk: true);
        }

        File.Move(temp, full, overwrite: true);
    }

    /// <summary>
    /// Reads a file written by <see cref="Write"/> and returns its payload. Throws <see cref="InvalidDataException"/>
    /// naming the file when it is not a Prescient forecasting file, has another format version or another kind.
    /// </summary>
    public static byte[] Read(string path, string kind)
    {
        var bytes = File.ReadAllBytes(path);
        try
        {
            var r = new MessagePackReader(bytes);
            if (r.ReadArrayHeader() != 4 || r.ReadString() != Magic)
            {
                throw new InvalidDataException($"{path}: not a Prescient forecasting file");
            }

            var version = r.ReadInt32();
            if (version != FormatVersion)
            {
                throw new InvalidDataException(
                    $"{path}: format version {version}, but this build of Prescient reads version {FormatVersion}; retrain with 'prescient train' (or use the Prescient release that wrote it)");
            }

            var actual = r.ReadString();
            if (actual != kind)
            {
                throw new InvalidDataException($"{path}: holds a '{actual}', expected a '{kind}'");
            }

            var payload = r.ReadBytes();
            return payload is { } seq ? seq.ToArray() : [];
        }
        catch (MessagePackSerializationException e)
        {
            throw new InvalidDataException($"{path}: corrupt or truncated ({e.Message})", e);
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException($"{path}: truncated", e);
        }
    }
}
