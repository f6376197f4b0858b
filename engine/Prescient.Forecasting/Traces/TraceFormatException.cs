namespace Prescient.Forecasting.Traces;

/// <summary>A trace cannot be read at all: unknown format, missing or wrong header. The message names the file and line.</summary>
public sealed class TraceFormatException : Exception
{
    /// <summary>Creates the exception; the message is <c>file:line: reason</c>.</summary>
    public TraceFormatException(string file, long line, string reason)
        : base(line > 0 ? $"{file}:{line}: {reason}" : $"{file}: {reason}")
    {
        File = file;
        Line = line;
    }

    /// <summary>The file that could not be read.</summary>
    public string File { get; }

    /// <summary>1-based line, or 0 when the problem is the whole file.</summary>
    public long Line { get; }
}
