using Prescient.Optimization.Model;
using Prescient.Optimization.Mps;

namespace Prescient.Optimization.Tests;

public sealed class MpsReaderTests
{
    private const string Ranged = """
        NAME          RANGED
        ROWS
         N  COST
         E  EPOS
         E  ENEG
         L  LROW
         G  GROW
         N  FREE
        COLUMNS
            X         COST      1.0        EPOS      1.0
            X         ENEG      1.0        LROW      1.0
            X         GROW      1.0        FREE      2.0
        RHS
            RHS       EPOS      4.0        ENEG      4.0
            RHS       LROW      10.0       GROW      1.0
            RHS       COST      -2.5
        RANGES
            RNG       EPOS      3.0        ENEG      -3.0
            RNG       LROW      -2.0       GROW      -5.0
            RNG       FREE      7.0
        ENDATA
        """;

    [Fact]
    public void Read_Ranges_FollowSignRules()
    {
        var lp = MpsReader.ReadString(Ranged);
        Assert.Equal(5, lp.RowCount);
        Assert.Equal((4.0, 7.0), (lp.RowLower[0], lp.RowUpper[0]));
        Assert.Equal((1.0, 4.0), (lp.RowLower[1], lp.RowUpper[1]));
        Assert.Equal((8.0, 10.0), (lp.RowLower[2], lp.RowUpper[2]));
        Assert.Equal((1.0, 6.0), (lp.RowLower[3], lp.RowUpper[3]));
        Assert.Equal((double.NegativeInfinity, double.PositiveInfinity), (lp.RowLower[4], lp.RowUpper[4]));
        Assert.Equal(2.5, lp.ObjectiveConstant);
        Assert.Equal(1.0, lp.Objective[0]);
    }

    [Fact]
    public void Read_Bounds_AllTypes()
    {
        const string text = """
            NAME B
            ROWS
             N obj
             L r
            COLUMNS
                A r 1
                B r 1
                C r 1
                D r 1
                E r 1
                F r 1
                G r 1
                H r 1
                I r 1
                J r 1
                K r 1
            RHS
                rhs r 1
            BOUNDS
             UP BND A 4
             LO BND B -2
             FX BND C 3.5
             FR BND D
             MI BND E
             PL BND F
             BV BND G
             LI BND H 2
             UI BND H 9
             UP BND I -3
             LO BND J 1
             UP BND J -3
             MI BND K
             UP BND K 1e30
            ENDATA
            """;
        var lp = MpsReader.ReadString(text);
        (double, double) Bounds(int j) => (lp.ColumnLower[j], lp.ColumnUpper[j]);
        Assert.Equal((0.0, 4.0), Bounds(0));
        Assert.Equal((-2.0, double.PositiveInfinity), Bounds(1));
        Assert.Equal((3.5, 3.5), Bounds(2));
        Assert.Equal((double.NegativeInfinity, double.PositiveInfinity), Bounds(3));
        Assert.Equal((double.NegativeInfinity, double.PositiveInfinity), Bounds(4));
        Assert.Equal((0.0, double.PositiveInfinity), Bounds(5));
        Assert.Equal((0.0, 1.0), Bounds(6));
        Assert.Equal((2.0, 9.0), Bounds(7));
        Assert.Equal((double.NegativeInfinity, -3.0), Bounds(8)); // negative UP, no lower given: lower becomes -inf
        Assert.Equal((1.0, -3.0), Bounds(9));                     // lower given explicitly: kept (inconsistent, solver says infeasible)
        Assert.Equal((double.NegativeInfinity, double.PositiveInfinity), Bounds(10));
    }

    [Theory]
    [InlineData("OBJSENSE\n    MAX\n", ObjectiveSense.Maximize)]
    [InlineData("OBJSENSE MAXIMIZE\n", ObjectiveSense.Maximize)]
    [InlineData("OBJSENSE\n    MIN\n", ObjectiveSense.Minimize)]
    [InlineData("", ObjectiveSense.Minimize)]
    public void Read_ObjSense_IsHonoured(string section, ObjectiveSense expected)
    {
        var text = "NAME S\n" + section + "ROWS\n N obj\n L r\nCOLUMNS\n    x obj 1 r 1\nRHS\n    rhs r 1\nENDATA\n";
        Assert.Equal(expected, MpsReader.ReadString(text).Sense);
    }

    [Fact]
    public void Read_DuplicateEntries_AreSummed()
    {
        var lp = MpsReader.ReadString("NAME D\nROWS\n N obj\n L r\nCOLUMNS\n    x r 1 r 2\n    x obj 1\n    x obj 3\nRHS\n    rhs r 1\nENDATA\n");
        Assert.Equal(1, lp.NonZeroCount);
        Assert.Equal(3.0, lp.Values[0]);
        Assert.Equal(4.0, lp.Objective[0]);
    }

    [Fact]
    public void Read_FreeFormatLongNamesAndNoRhsSetName_Parses()
    {
        var lp = MpsReader.ReadString("NAME free\nROWS\n N objective_row\n G a_rather_long_row_name\nCOLUMNS\n a_rather_long_column_name objective_row 2 a_rather_long_row_name 1.5\nRHS\n a_rather_long_row_name 3\nBOUNDS\n UP a_rather_long_column_name 10\nENDATA\n", format: MpsFormat.Free);
        Assert.Equal(3.0, lp.RowLower[0]);
        Assert.Equal(10.0, lp.ColumnUpper[0]);
        Assert.Equal("a_rather_long_column_name", lp.ColumnNames![0]);
    }

    [Fact]
    public void Read_MarkerLines_AreSkipped()
    {
        var lp = MpsReader.ReadString("NAME m\nROWS\n N obj\n L r\nCOLUMNS\n    M1 'MARKER' 'INTORG'\n    x obj 1 r 1\n    M2 'MARKER' 'INTEND'\nRHS\n    rhs r 1\nBOUNDS\n UP BND x 5\nENDATA\n");
        Assert.Equal(1, lp.ColumnCount);
    }

    [Theory]
    [InlineData("NAME x\nROWS\n N obj\n L r\nCOLUMNS\n    x nosuch 1\nRHS\nENDATA\n", 6, "unknown row 'nosuch'")]
    [InlineData("NAME x\nROWS\n N obj\n Q r\nCOLUMNS\nENDATA\n", 4, "unknown row type")]
    [InlineData("NAME x\nROWS\n N obj\n L r\nCOLUMNS\n    x r abc\nENDATA\n", 6, "'abc' is not a number")]
    [InlineData("NAME x\nROWS\n N obj\n L r\nCOLUMNS\n    x r NaN\nENDATA\n", 6, "NaN")]
    [InlineData("NAME x\nROWS\n N obj\n L r\nCOLUMNS\n    x r 1e31\nENDATA\n", 6, "infinite")]
    [InlineData("NAME x\nROWS\n N obj\n L r\nCOLUMNS\n    x r 1\nRHS\n    rhs r NaN\nENDATA\n", 8, "NaN")]
    [InlineData("NAME x\nROWS\n N obj\n L r\nCOLUMNS\n    x r 1\nBOUNDS\n XX BND x 1\nENDATA\n", 8, "unknown bound type")]
    [InlineData("NAME x\nROWS\n N obj\n L r\nCOLUMNS\n    x r 1\nBOUNDS\n UP BND y 1\nENDATA\n", 8, "unknown column 'y'")]
    [InlineData("NAME x\nROWS\n N obj\n L r\nCOLUMNS\n    x r 1\n", 6, "missing ENDATA")]
    [InlineData("NAME x\nWHAT\nENDATA\n", 2, "unknown section")]
    [InlineData("NAME x\nROWS\n N obj\n L r\n L r\nENDATA\n", 5, "duplicate row")]
    [InlineData("NAME x\n    x r 1\n", 2, "outside of a section")]
    [InlineData("NAME x\nROWS\n N obj\nCOLUMNS\n    x obj 1\nENDATA\nmore\n", 7, "after ENDATA")]
    public void Read_MalformedFile_ThrowsWithLineNumber(string text, int line, string problem)
    {
        var e = Assert.Throws<MpsFormatException>(() => MpsReader.ReadString(text, "bad.mps"));
        Assert.Equal(line, e.LineNumber);
        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
        Assert.StartsWith($"bad.mps:{line}: ", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WriteThenRead_RandomModel_RoundTripsExactly()
    {
        var random = new Random(7);
        for (var trial = 0; trial < 20; trial++)
        {
            var lp = RandomLp.Create(random, random.Next(1, 12), random.Next(1, 15), feasible: false);
            lp.ObjectiveConstant = random.NextDouble() - 0.5;
            lp.Sense = trial % 2 == 0 ? ObjectiveSense.Minimize : ObjectiveSense.Maximize;
            var text = MpsWriter.WriteString(lp);
            var back = MpsReader.ReadString(text);
            Assert.Equal(lp.Sense, back.Sense);
            Assert.Equal(lp.ObjectiveConstant, back.ObjectiveConstant);
            Assert.Equal(lp.RowCount, back.RowCount);
            Assert.Equal(lp.ColumnCount, back.ColumnCount);
            Assert.Equal(lp.Objective, back.Objective);
            Assert.Equal(lp.ColumnLower, back.ColumnLower);
            Assert.Equal(lp.ColumnUpper, back.ColumnUpper);
            for (var i = 0; i < lp.RowCount; i++)
            {
                Assert.Equal(lp.RowLower[i], back.RowLower[i], Math.Abs(lp.RowLower[i]) * 1e-15);
                Assert.Equal(lp.RowUpper[i], back.RowUpper[i], Math.Abs(lp.RowUpper[i]) * 1e-15);
            }
            Assert.Equal(lp.ColumnStart, back.ColumnStart);
            Assert.Equal(lp.RowIndex.AsSpan(0, lp.NonZeroCount).ToArray(), back.RowIndex.AsSpan(0, back.NonZeroCount).ToArray());
            Assert.Equal(lp.Values.AsSpan(0, lp.NonZeroCount).ToArray(), back.Values.AsSpan(0, back.NonZeroCount).ToArray());
        }
    }
}
