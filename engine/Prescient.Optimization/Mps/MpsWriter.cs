using System.Globalization;
using Prescient.Optimization.Model;

namespace Prescient.Optimization.Mps;

/// <summary>
/// Writes a <see cref="LinearProgram"/> as MPS that both fixed-format readers (fields split on white
/// space) and free-format readers accept. Numbers use the shortest round-trip form, so reading the file
/// back gives the same model bit for bit, except a ranged row whose bounds differ from both "lower + range"
/// and "upper - range" by rounding (then within one unit in the last place). Names must not contain white space.
/// </summary>
public static class MpsWriter
{
    public static void WriteFile(LinearProgram lp, string path)
    {
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        using var writer = new StreamWriter(stream);
        Write(lp, writer);
    }

    public static string WriteString(LinearProgram lp)
    {
        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        Write(lp, writer);
        return writer.ToString();
    }

    public static void Write(LinearProgram lp, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(lp);
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write("NAME          ");
        writer.WriteLine(lp.Name.Length == 0 ? "PRESCIENT" : lp.Name);
        if (lp.Sense == ObjectiveSense.Maximize)
        {
            writer.WriteLine("OBJSENSE");
            writer.WriteLine("    MAX");
        }

        writer.WriteLine("ROWS");
        writer.Write(" N  ");
        writer.WriteLine(lp.ObjectiveName);
        for (var i = 0; i < lp.RowCount; i++)
        {
            var lo = lp.RowLower[i];
            var hi = lp.RowUpper[i];
            var type = lo == hi ? 'E' : RangedAsUpper(lo, hi) ? 'L' : double.IsFinite(lo) ? 'G' : double.IsFinite(hi) ? 'L' : 'N';
            writer.Write(' ');
            writer.Write(type);
            writer.Write("  ");
            writer.WriteLine(lp.RowName(i));
        }

        writer.WriteLine("COLUMNS");
        for (var j = 0; j < lp.ColumnCount; j++)
        {
            var name = lp.ColumnName(j);
            if (lp.Objective[j] != 0)
            {
                Entry(writer, name, lp.ObjectiveName, lp.Objective[j]);
            }

            for (var p = lp.ColumnStart[j]; p < lp.ColumnStart[j + 1]; p++)
            {
                Entry(writer, name, lp.RowName(lp.RowIndex[p]), lp.Values[p]);
            }

            if (lp.Objective[j] == 0 && lp.ColumnStart[j] == lp.ColumnStart[j + 1])
            {
                // A column without entries still needs a line to exist.
                Entry(writer, name, lp.ObjectiveName, 0);
            }
        }

        writer.WriteLine("RHS");
        if (lp.ObjectiveConstant != 0)
        {
            Entry(writer, "RHS", lp.ObjectiveName, -lp.ObjectiveConstant);
        }

        for (var i = 0; i < lp.RowCount; i++)
        {
            var lo = lp.RowLower[i];
            var hi = lp.RowUpper[i];
            var rhs = lo == hi ? lo : RangedAsUpper(lo, hi) ? hi : double.IsFinite(lo) ? lo : double.IsFinite(hi) ? hi : 0;
            if (rhs != 0)
            {
                Entry(writer, "RHS", lp.RowName(i), rhs);
            }
        }

        var wroteRanges = false;
        for (var i = 0; i < lp.RowCount; i++)
        {
            var lo = lp.RowLower[i];
            var hi = lp.RowUpper[i];
            if (lo != hi && double.IsFinite(lo) && double.IsFinite(hi))
            {
                if (!wroteRanges)
                {
                    writer.WriteLine("RANGES");
                    wroteRanges = true;
                }

                Entry(writer, "RNG", lp.RowName(i), hi - lo);
            }
        }

        var wroteBounds = false;
        for (var j = 0; j < lp.ColumnCount; j++)
        {
            var lo = lp.ColumnLower[j];
            var hi = lp.ColumnUpper[j];
            if (lo == 0 && hi == double.PositiveInfinity)
            {
                continue;
            }

            if (!wroteBounds)
            {
                writer.WriteLine("BOUNDS");
                wroteBounds = true;
            }

            var name = lp.ColumnName(j);
            if (lo == hi)
            {
                Bound(writer, "FX", name, lo);
                continue;
            }

            if (lo == double.NegativeInfinity && hi == double.PositiveInfinity)
            {
                Bound(writer, "FR", name, null);
                continue;
            }

            // Lower first, so that the negative-upper-bound rule never applies on reading.
            if (lo == double.NegativeInfinity)
            {
                Bound(writer, "MI", name, null);
            }
            else if (lo != 0 || hi < 0)
            {
                Bound(writer, "LO", name, lo);
            }

            if (hi != double.PositiveInfinity)
            {
                Bound(writer, "UP", name, hi);
            }
        }

        writer.WriteLine("ENDATA");
    }

    /// <summary>
    /// A ranged row is written as G (rhs = lower, R = upper - lower) unless lower + R does not give back the
    /// upper bound exactly while upper - R gives back the lower one; then as L (rhs = upper).
    /// </summary>
    private static bool RangedAsUpper(double lo, double hi)
    {
        if (!double.IsFinite(lo) || !double.IsFinite(hi) || lo == hi)
        {
            return false;
        }

        var range = hi - lo;
        return lo + range != hi && hi - range == lo;
    }

    private static void Entry(TextWriter writer, string column, string row, double value)
    {
        writer.Write("    ");
        writer.Write(column);
        writer.Write("  ");
        writer.Write(row);
        writer.Write("  ");
        writer.WriteLine(value.ToString("R", CultureInfo.InvariantCulture));
    }

    private static void Bound(TextWriter writer, string type, string column, double? value)
    {
        writer.Write(' ');
        writer.Write(type);
        writer.Write(" BND  ");
        writer.Write(column);
        if (value is { } v)
        {
            writer.Write("  ");
            writer.Write(v.ToString("R", CultureInfo.InvariantCulture));
        }

        writer.WriteLine();
    }
}
