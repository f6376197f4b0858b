namespace Prescient.Optimization.Mps;

/// <summary>A malformed MPS file: the message names the source, the 1-based line and the problem.</summary>
public sealed class MpsFormatException : FormatException
{
    public MpsFormatException(string source, int lineNumber, string problem)
        : base(lineNumber > 0 ? $"{source}:{lineNumber}: {problem}" : $"{source}: {problem}")
    {
        Source = source;
        LineNumber = lineNumber;
        Problem = problem;
    }

    /// <summary>File name (or a label for in-memory text).</summary>
    public new string Source { get; }

    /// <summary>1-based line number, or 0 when the problem concerns the whole file.</summary>
    public int LineNumber { get; }

    /// <summary>The problem, without the location.</summary>
    public string Problem { get; }
}
