using System.Globalization;
using Prescient.Optimization.Model;

namespace Prescient.Optimization.Mps;

/// <summary>
/// Reads linear programs in MPS format (fixed and free).
/// </summary>
/// <remarks>
/// Rules implemented:
/// <list type="bullet">
/// <item>The first N row is the objective; further N rows are kept as free rows.</item>
/// <item>The objective constant is the negated RHS of the objective row.</item>
/// <item>RANGES: on an E row a positive R gives [rhs, rhs+|R|], a negative one [rhs-|R|, rhs]; on an L row
/// [rhs-|R|, rhs]; on a G row [rhs, rhs+|R|]; on an N row it is ignored.</item>
/// <item>BOUNDS UP/LO/FX/FR/MI/PL; BV, LI, UI and SC are read as their LP relaxation. An UP (or UI) bound
/// below zero on a column whose lower bound was not given sets the lower bound to -inf (the classic rule).</item>
/// <item>Values of magnitude ≥ 1e30 in RHS, RANGES and BOUNDS mean infinity. NaN anywhere and infinite
/// matrix or objective coefficients are errors. Duplicate matrix entries are summed.</item>
/// <item>OBJSENSE (MIN/MAX, on the same or the next line) and OBJSENSE MAXIMIZE are honoured; MARKER lines are skipped.</item>
/// </list>
/// Every problem is reported as an <see cref="MpsFormatException"/> naming the line.
/// </remarks>
public static class MpsReader
{
    private const double InfinityThreshold = 1e30;

    private enum Section
    {
        None,
        Name,
        ObjSense,
        ObjName,
        Rows,
        Columns,
        Rhs,
        Ranges,
        Bounds,
        End,
    }

    /// <summary>Reads a file; I/O errors propagate, format errors are <see cref="MpsFormatException"/>.</summary>
    public static LinearProgram ReadFile(string path, MpsFormat format = MpsFormat.Auto)
    {
        using var reader = new StreamReader(path);
        return Read(reader, Path.GetFileName(path), format);
    }

    /// <summary>Reads MPS text held in memory.</summary>
    public static LinearProgram ReadString(string text, string source = "<string>", MpsFormat format = MpsFormat.Auto)
    {
        using var reader = new StringReader(text);
        return Read(reader, source, format);
    }

    /// <summary>Reads MPS text from a reader; <paramref name="source"/> labels errors.</summary>
    public static LinearProgram Read(TextReader reader, string source, MpsFormat format = MpsFormat.Auto)
    {
        var state = new ReaderState(source, format);
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            state.LineNumber++;
            state.ParseLine(line);
        }

        return state.Finish();
    }

    private sealed class ReaderState(string source, MpsFormat format)
    {
        private readonly Dictionary<string, int> _rowIndex = new(StringComparer.Ordinal);
        private readonly Dictionary<string, int> _columnIndex = new(StringComparer.Ordinal);
        private readonly List<char> _rowType = [];
        private readonly List<string> _rowNames = [];
        private readonly List<double> _rhs = [];
        private readonly List<double> _range = [];
        private readonly List<string> _columnNames = [];
        private readonly List<double> _objective = [];
        private readonly List<double> _lower = [];
        private readonly List<double> _upper = [];
        private readonly List<bool> _lowerGiven = [];
        private readonly List<int> _entryRow = [];
        private readonly List<int> _entryColumn = [];
        private readonly List<double> _entryValue = [];
        private readonly string[] _fields = new string[8];
        private Section _section = Section.None;
        private string _name = "";
        private string? _objectiveName;
        private string? _requestedObjectiveName;
        private int _objectiveRow = -1;
        private double _objectiveConstant;
        private ObjectiveSense _sense = ObjectiveSense.Minimize;
        private bool _sawEnd;
        private bool _sawRows;
        private bool _sawColumns;

        public int LineNumber { get; set; }

        public void ParseLine(string line)
        {
            if (_sawEnd)
            {
                if (line.Trim().Length != 0)
                {
                    throw Error("text after ENDATA");
                }

                return;
            }

            if (line.Length == 0 || line[0] == '*' || line.AsSpan().Trim().Length == 0)
            {
                return;
            }

            if (!char.IsWhiteSpace(line[0]))
            {
                ParseHeader(line);
                return;
            }

            var count = Split(line);
            switch (_section)
            {
                case Section.ObjSense:
                    ParseSense(_fields[0]);
                    break;
                case Section.ObjName:
                    _requestedObjectiveName = _fields[0];
                    break;
                case Section.Rows:
                    ParseRow(count);
                    break;
                case Section.Columns:
                    ParseColumn(line, count);
                    break;
                case Section.Rhs:
                    ParseRhsOrRange(line, count, isRange: false);
                    break;
                case Section.Ranges:
                    ParseRhsOrRange(line, count, isRange: true);
                    break;
                case Section.Bounds:
                    ParseBound(line, count);
                    break;
                default:
                    throw Error("data line outside of a section (expected NAME, ROWS, COLUMNS, RHS, RANGES, BOUNDS or ENDATA)");
            }
        }

        public LinearProgram Finish()
        {
            if (!_sawEnd)
            {
                throw new MpsFormatException(source, LineNumber, "missing ENDATA");
            }

            if (!_sawRows)
            {
                throw new MpsFormatException(source, LineNumber, "missing ROWS section");
            }

            // Rows exclude the objective row; map MPS row index -> model row index.
            var map = new int[_rowType.Count];
            var builder = new LinearProgramBuilder
            {
                Name = _name,
                Sense = _sense,
                ObjectiveName = _objectiveName ?? "obj",
                ObjectiveConstant = _objectiveConstant,
            };
            for (var r = 0; r < _rowType.Count; r++)
            {
                if (r == _objectiveRow)
                {
                    map[r] = -1;
                    continue;
                }

                var rhs = _rhs[r];
                var range = _range[r];
                double lo, hi;
                switch (_rowType[r])
                {
                    case 'E':
                        lo = rhs;
                        hi = rhs;
                        if (!double.IsNaN(range))
                        {
                            if (range >= 0)
                            {
                                hi = rhs + Math.Abs(range);
                            }
                            else
                            {
                                lo = rhs - Math.Abs(range);
                            }
                        }

                        break;
                    case 'L':
                        lo = double.IsNaN(range) ? double.NegativeInfinity : rhs - Math.Abs(range);
                        hi = rhs;
                        break;
                    case 'G':
                        lo = rhs;
                        hi = double.IsNaN(range) ? double.PositiveInfinity : rhs + Math.Abs(range);
                        break;
                    default:
                        lo = double.NegativeInfinity;
                        hi = double.PositiveInfinity;
                        break;
                }

                map[r] = builder.AddRow(_rowNames[r], lo, hi);
            }

            for (var j = 0; j < _columnNames.Count; j++)
            {
                builder.AddColumn(_columnNames[j], _objective[j], _lower[j], _upper[j]);
            }

            for (var e = 0; e < _entryRow.Count; e++)
            {
                builder.AddEntry(map[_entryRow[e]], _entryColumn[e], _entryValue[e]);
            }

            return builder.Build();
        }

        private void ParseHeader(string line)
        {
            var count = Split(line);
            var keyword = _fields[0].ToUpperInvariant();
            switch (keyword)
            {
                case "NAME":
                    _section = Section.Name;
                    _name = count > 1 ? line[4..].Trim() : "";
                    break;
                case "OBJSENSE":
                    _section = Section.ObjSense;
                    if (count > 1)
                    {
                        ParseSense(_fields[1]);
                    }

                    break;
                case "OBJNAME":
                    _section = Section.ObjName;
                    if (count > 1)
                    {
                        _requestedObjectiveName = _fields[1];
                    }

                    break;
                case "ROWS":
                    _section = Section.Rows;
                    _sawRows = true;
                    break;
                case "COLUMNS":
                    RequireRows();
                    _section = Section.Columns;
                    _sawColumns = true;
                    break;
                case "RHS":
                    RequireColumns();
                    _section = Section.Rhs;
                    break;
                case "RANGES":
                    RequireColumns();
                    _section = Section.Ranges;
                    break;
                case "BOUNDS":
                    RequireColumns();
                    _section = Section.Bounds;
                    break;
                case "ENDATA":
                    _section = Section.End;
                    _sawEnd = true;
                    break;
                case "MIN":
                case "MAX":
                case "MINIMIZE":
                case "MAXIMIZE":
                    if (_section != Section.ObjSense)
                    {
                        throw Error($"unknown section '{_fields[0]}'");
                    }

                    ParseSense(_fields[0]);
                    break;
                default:
                    throw Error($"unknown section '{_fields[0]}'");
            }
        }

        private void RequireRows()
        {
            if (!_sawRows)
            {
                throw Error("COLUMNS before ROWS");
            }
        }

        private void RequireColumns()
        {
            if (!_sawColumns)
            {
                throw Error("section before COLUMNS");
            }
        }

        private void ParseSense(string word)
        {
            _sense = word.ToUpperInvariant() switch
            {
                "MIN" or "MINIMIZE" or "MINIMISE" => ObjectiveSense.Minimize,
                "MAX" or "MAXIMIZE" or "MAXIMISE" => ObjectiveSense.Maximize,
                _ => throw Error($"OBJSENSE must be MIN or MAX, not '{word}'"),
            };
        }

        private void ParseRow(int count)
        {
            if (count != 2)
            {
                throw Error($"a ROWS line needs a type and a name, found {count} field(s)");
            }

            var type = _fields[0].ToUpperInvariant();
            if (type.Length != 1 || "NELG".IndexOf(type[0], StringComparison.Ordinal) < 0)
            {
                throw Error($"unknown row type '{_fields[0]}' (expected N, E, L or G)");
            }

            var name = _fields[1];
            if (_rowIndex.ContainsKey(name))
            {
                throw Error($"duplicate row '{name}'");
            }

            var index = _rowType.Count;
            _rowIndex.Add(name, index);
            _rowType.Add(type[0]);
            _rowNames.Add(name);
            _rhs.Add(0);
            _range.Add(double.NaN);
            if (type[0] == 'N' && _objectiveRow < 0 && (_requestedObjectiveName is null || _requestedObjectiveName == name))
            {
                _objectiveRow = index;
                _objectiveName = name;
            }
        }

        private void ParseColumn(string line, int count)
        {
            if (count >= 3 && IsMarker(count))
            {
                return;
            }

            if (count is not (3 or 5))
            {
                count = FixedFields(line, count, 3, 5);
            }

            var name = _fields[0];
            if (!_columnIndex.TryGetValue(name, out var column))
            {
                column = _columnNames.Count;
                _columnIndex.Add(name, column);
                _columnNames.Add(name);
                _objective.Add(0);
                _lower.Add(0);
                _upper.Add(double.PositiveInfinity);
                _lowerGiven.Add(false);
            }
            for (var f = 1; f < count; f += 2)
            {
                var rowName = _fields[f];
                if (!_rowIndex.TryGetValue(rowName, out var row))
                {
                    throw Error($"column '{name}' refers to unknown row '{rowName}'");
                }

                var value = ParseNumber(_fields[f + 1], allowInfinite: false);
                if (row == _objectiveRow)
                {
                    _objective[column] += value;
                }
                else
                {
                    _entryRow.Add(row);
                    _entryColumn.Add(column);
                    _entryValue.Add(value);
                }
            }
        }

        private bool IsMarker(int count)
        {
            for (var f = 1; f < count; f++)
            {
                if (_fields[f].Trim('\'').Equals("MARKER", StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }

            return false;
        }

        private void ParseRhsOrRange(string line, int count, bool isRange)
        {
            var what = isRange ? "RANGES" : "RHS";
            if (count is not (2 or 3 or 4 or 5))
            {
                count = FixedFields(line, count, 3, 5);
            }

            var start = count % 2 == 0 ? 0 : 1;
            for (var f = start; f < count; f += 2)
            {
                var rowName = _fields[f];
                if (!_rowIndex.TryGetValue(rowName, out var row))
                {
                    throw Error($"{what} refers to unknown row '{rowName}'");
                }

                var value = ParseNumber(_fields[f + 1], allowInfinite: true);
                if (isRange)
                {
                    if (row == _objectiveRow || _rowType[row] == 'N')
                    {
                        continue;
                    }

                    if (double.IsInfinity(value))
                    {
                        throw Error($"RANGES value of row '{rowName}' is infinite");
                    }

                    _range[row] = value;
                }
                else if (row == _objectiveRow)
                {
                    if (double.IsInfinity(value))
                    {
                        throw Error("objective constant is infinite");
                    }

                    _objectiveConstant = -value;
                }
                else
                {
                    _rhs[row] = value;
                }
            }
        }

        private void ParseBound(string line, int count)
        {
            if (count < 2)
            {
                throw Error("a BOUNDS line needs a type and a column");
            }

            var type = _fields[0].ToUpperInvariant();
            bool needsValue;
            switch (type)
            {
                case "UP":
                case "LO":
                case "FX":
                case "LI":
                case "UI":
                    needsValue = true;
                    break;
                case "FR":
                case "MI":
                case "PL":
                case "BV":
                case "SC":
                    needsValue = false;
                    break;
                default:
                    throw Error($"unknown bound type '{_fields[0]}' (expected UP, LO, FX, FR, MI, PL, BV, LI, UI or SC)");
            }

            string columnName;
            string? valueText = null;
            if (needsValue)
            {
                if (count == 4)
                {
                    columnName = _fields[2];
                    valueText = _fields[3];
                }
                else if (count == 3)
                {
                    columnName = _fields[1];
                    valueText = _fields[2];
                }
                else
                {
                    count = FixedFields(line, count, 4, 4);
                    columnName = _fields[2];
                    valueText = _fields[3];
                }
            }
            else if (count == 2)
            {
                columnName = _fields[1];
            }
            else if (count == 3)
            {
                if (_columnIndex.ContainsKey(_fields[2]) || !double.TryParse(_fields[2], NumberStyles.Float, CultureInfo.InvariantCulture, out _))
                {
                    columnName = _fields[2];
                }
                else
                {
                    columnName = _fields[1];
                    valueText = _fields[2];
                }
            }
            else if (count == 4)
            {
                columnName = _fields[2];
                valueText = _fields[3];
            }
            else
            {
                throw Error($"a {type} bound takes a set name, a column and at most a value; found {count} fields");
            }

            if (!_columnIndex.TryGetValue(columnName, out var column))
            {
                throw Error($"BOUNDS refers to unknown column '{columnName}'");
            }

            var value = valueText is null ? double.NaN : ParseNumber(valueText, allowInfinite: true);
            switch (type)
            {
                case "UP":
                case "UI":
                    _upper[column] = value;
                    if (value < 0 && !_lowerGiven[column] && _lower[column] == 0)
                    {
                        _lower[column] = double.NegativeInfinity;
                    }

                    break;
                case "LO":
                case "LI":
                    _lower[column] = value;
                    _lowerGiven[column] = true;
                    break;
                case "FX":
                    if (double.IsInfinity(value))
                    {
                        throw Error($"FX bound of column '{columnName}' is infinite");
                    }

                    _lower[column] = value;
                    _upper[column] = value;
                    _lowerGiven[column] = true;
                    break;
                case "FR":
                    _lower[column] = double.NegativeInfinity;
                    _upper[column] = double.PositiveInfinity;
                    _lowerGiven[column] = true;
                    break;
                case "MI":
                    _lower[column] = double.NegativeInfinity;
                    _lowerGiven[column] = true;
                    break;
                case "PL":
                    _upper[column] = double.PositiveInfinity;
                    break;
                case "BV":
                    _lower[column] = 0;
                    _upper[column] = 1;
                    _lowerGiven[column] = true;
                    break;
                case "SC":
                    _upper[column] = double.IsNaN(value) ? double.PositiveInfinity : value;
                    break;
            }
        }

        private int FixedFields(string line, int tokenCount, int minimum, int maximum)
        {
            if (format == MpsFormat.Free)
            {
                throw Error($"expected between {minimum} and {maximum} fields, found {tokenCount}");
            }

            // Classic fixed columns (1-based): 2-3, 5-12, 15-22, 25-36, 40-47, 50-61.
            ReadOnlySpan<(int Start, int Length)> layout = [(1, 2), (4, 8), (14, 8), (24, 12), (39, 8), (49, 12)];
            var n = 0;
            var firstField = _section == Section.Bounds ? 0 : 1;
            for (var f = firstField; f < layout.Length; f++)
            {
                var (start, length) = layout[f];
                if (start >= line.Length)
                {
                    break;
                }

                var text = line.Substring(start, Math.Min(length, line.Length - start)).Trim();
                if (text.Length == 0 && f != 1 && f != 2)
                {
                    break;
                }

                _fields[n++] = text;
            }

            if (_section == Section.Rhs || _section == Section.Ranges)
            {
                // Fixed layout: set name in field 2, then (row, value) pairs; keep parity odd.
                if (n % 2 == 0)
                {
                    throw Error($"cannot split the line into fields (found {tokenCount} tokens)");
                }
            }

            if (n < minimum || n > maximum)
            {
                throw Error($"expected between {minimum} and {maximum} fields, found {tokenCount}");
            }

            return n;
        }

        private int Split(string line)
        {
            var n = 0;
            var i = 0;
            while (i < line.Length)
            {
                while (i < line.Length && char.IsWhiteSpace(line[i]))
                {
                    i++;
                }

                if (i >= line.Length)
                {
                    break;
                }

                var start = i;
                while (i < line.Length && !char.IsWhiteSpace(line[i]))
                {
                    i++;
                }

                if (n == _fields.Length)
                {
                    throw Error("too many fields on the line");
                }

                _fields[n++] = line[start..i];
            }

            return n;
        }

        private double ParseNumber(string text, bool allowInfinite)
        {
            if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            {
                throw Error($"'{text}' is not a number");
            }

            if (double.IsNaN(value))
            {
                throw Error("NaN value");
            }

            if (Math.Abs(value) >= InfinityThreshold)
            {
                if (!allowInfinite)
                {
                    throw Error($"coefficient '{text}' is infinite");
                }

                value = value > 0 ? double.PositiveInfinity : double.NegativeInfinity;
            }

            return value;
        }

        private MpsFormatException Error(string problem) => new(source, LineNumber, problem);
    }
}
