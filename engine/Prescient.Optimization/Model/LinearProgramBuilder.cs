namespace Prescient.Optimization.Model;

/// <summary>
/// Builds a <see cref="LinearProgram"/> incrementally from rows, columns and (row, column, value)
/// entries in any order. Duplicate entries for the same (row, column) are summed. Not for hot paths.
/// </summary>
public sealed class LinearProgramBuilder
{
    private readonly List<string> _rowNames = [];
    private readonly List<double> _rowLower = [];
    private readonly List<double> _rowUpper = [];
    private readonly List<string> _columnNames = [];
    private readonly List<double> _objective = [];
    private readonly List<double> _columnLower = [];
    private readonly List<double> _columnUpper = [];
    private readonly List<(int Row, int Column, double Value)> _entries = [];

    public string Name { get; set; } = "";

    public string ObjectiveName { get; set; } = "obj";

    public ObjectiveSense Sense { get; set; } = ObjectiveSense.Minimize;

    public double ObjectiveConstant { get; set; }

    public int RowCount => _rowNames.Count;

    public int ColumnCount => _columnNames.Count;

    /// <summary>Adds a row <c>lower ≤ a'x ≤ upper</c> and returns its index.</summary>
    public int AddRow(string name, double lower, double upper)
    {
        _rowNames.Add(name);
        _rowLower.Add(lower);
        _rowUpper.Add(upper);
        return _rowNames.Count - 1;
    }

    /// <summary>Adds a column with its objective coefficient and bounds and returns its index.</summary>
    public int AddColumn(string name, double objective, double lower, double upper)
    {
        _columnNames.Add(name);
        _objective.Add(objective);
        _columnLower.Add(lower);
        _columnUpper.Add(upper);
        return _columnNames.Count - 1;
    }

    public void SetObjective(int column, double value) => _objective[column] = value;

    public void SetColumnBounds(int column, double lower, double upper)
    {
        _columnLower[column] = lower;
        _columnUpper[column] = upper;
    }

    public double GetColumnLower(int column) => _columnLower[column];

    public double GetColumnUpper(int column) => _columnUpper[column];

    public void SetRowBounds(int row, double lower, double upper)
    {
        _rowLower[row] = lower;
        _rowUpper[row] = upper;
    }

    public double GetRowLower(int row) => _rowLower[row];

    public double GetRowUpper(int row) => _rowUpper[row];

    /// <summary>Adds <paramref name="value"/> to the coefficient of column <paramref name="column"/> in row <paramref name="row"/>.</summary>
    public void AddEntry(int row, int column, double value) => _entries.Add((row, column, value));

    /// <summary>Creates the model; entries are grouped by column, sorted by row, duplicates summed (an explicit zero sum is kept out).</summary>
    public LinearProgram Build()
    {
        var counts = new int[ColumnCount + 1];
        foreach (var e in _entries)
        {
            counts[e.Column + 1]++;
        }

        for (var j = 0; j < ColumnCount; j++)
        {
            counts[j + 1] += counts[j];
        }

        var rows = new int[_entries.Count];
        var values = new double[_entries.Count];
        var next = (int[])counts.Clone();
        foreach (var e in _entries)
        {
            var p = next[e.Column]++;
            rows[p] = e.Row;
            values[p] = e.Value;
        }

        var lp = new LinearProgram(RowCount, ColumnCount, _entries.Count)
        {
            Name = Name,
            ObjectiveName = ObjectiveName,
            Sense = Sense,
            ObjectiveConstant = ObjectiveConstant,
            RowNames = [.. _rowNames],
            ColumnNames = [.. _columnNames],
        };

        var nz = 0;
        var keys = new int[64];
        var vals = new double[64];
        for (var j = 0; j < ColumnCount; j++)
        {
            lp.ColumnStart[j] = nz;
            var len = counts[j + 1] - counts[j];
            if (keys.Length < len)
            {
                keys = new int[len];
                vals = new double[len];
            }

            Array.Copy(rows, counts[j], keys, 0, len);
            Array.Copy(values, counts[j], vals, 0, len);
            Array.Sort(keys, vals, 0, len);
            for (var k = 0; k < len; k++)
            {
                if (nz > lp.ColumnStart[j] && lp.RowIndex[nz - 1] == keys[k])
                {
                    lp.Values[nz - 1] += vals[k];
                }
                else
                {
                    lp.RowIndex[nz] = keys[k];
                    lp.Values[nz] = vals[k];
                    nz++;
                }
            }

            var w = lp.ColumnStart[j];
            for (var p = lp.ColumnStart[j]; p < nz; p++)
            {
                if (lp.Values[p] != 0 || double.IsNaN(lp.Values[p]))
                {
                    lp.RowIndex[w] = lp.RowIndex[p];
                    lp.Values[w] = lp.Values[p];
                    w++;
                }
            }

            nz = w;
        }

        lp.ColumnStart[ColumnCount] = nz;
        for (var j = 0; j < ColumnCount; j++)
        {
            lp.Objective[j] = _objective[j];
            lp.ColumnLower[j] = _columnLower[j];
            lp.ColumnUpper[j] = _columnUpper[j];
        }

        for (var i = 0; i < RowCount; i++)
        {
            lp.RowLower[i] = _rowLower[i];
            lp.RowUpper[i] = _rowUpper[i];
        }

        return lp;
    }
}
