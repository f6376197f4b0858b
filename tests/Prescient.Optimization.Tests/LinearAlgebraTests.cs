using System.Text.Json;
using Prescient.Optimization.Ipm;
using Prescient.Optimization.Linear;
using Prescient.Optimization.Model;

namespace Prescient.Optimization.Tests;

public sealed class LinearAlgebraTests
{
    [Fact]
    public void NormalEquations_DenseColumn_IsKeptOutOfTheFactorAndSolveStaysAccurate()
    {
        // 120 rows, sparse columns plus one column that touches every row.
        var random = new Random(3);
        var b = new LinearProgramBuilder();
        const int rows = 120;
        var x0 = new double[rows + 1];
        for (var i = 0; i < rows; i++)
        {
            b.AddRow("r" + i, double.NegativeInfinity, double.PositiveInfinity);
        }

        var activity = new double[rows];
        for (var j = 0; j < rows; j++)
        {
            x0[j] = random.NextDouble();
            b.AddColumn("s" + j, 1 + random.NextDouble(), 0, double.PositiveInfinity);
            foreach (var i in new[] { j, (j + 1) % rows })
            {
                var a = 1 + random.NextDouble();
                b.AddEntry(i, j, a);
                activity[i] += a * x0[j];
            }
        }

        var dense = b.AddColumn("dense", 1, 0, double.PositiveInfinity);
        x0[dense] = 0.5;
        for (var i = 0; i < rows; i++)
        {
            var a = 0.5 + random.NextDouble();
            b.AddEntry(i, dense, a);
            activity[i] += a * 0.5;
        }

        for (var i = 0; i < rows; i++)
        {
            b.SetRowBounds(i, activity[i], activity[i]);
        }

        var lp = b.Build();
        var form = new StandardForm(lp);
        var normal = new NormalEquationsCholesky(form.A);
        Assert.Equal(1, normal.DenseColumnCount);

        var result = InteriorPointSolver.Solve(lp, new InteriorPointOptions { Path = SolverPath.General, Presolve = false });
        Assert.True(result.Status == LpStatus.Optimal, $"{result.Status} {result.Reason} it {result.Iterations} {result.PrimalResidual} {result.DualResidual} {result.RelativeGap}");
        Assert.True(result.PrimalResidual <= 1e-8 && result.DualResidual <= 1e-8 && result.RelativeGap <= 1e-7, $"{result.PrimalResidual} {result.DualResidual} {result.RelativeGap}");
    }

    [Fact]
    public void BlockStructure_CoupledMatrix_IsNotBlockAngularAndStructuredPathRefuses()
    {
        // A tridiagonal chain of 100 rows is one big connected block.
        var b = new LinearProgramBuilder();
        for (var i = 0; i < 100; i++)
        {
            b.AddRow("r" + i, 1, double.PositiveInfinity);
        }

        for (var j = 0; j < 99; j++)
        {
            b.AddColumn("x" + j, 1, 0, 10);
            b.AddEntry(j, j, 1);
            b.AddEntry(j + 1, j, 1);
        }

        var lp = b.Build();
        Assert.Null(BlockStructure.Detect(new StandardForm(lp).A));
        var e = Assert.Throws<InvalidOperationException>(() => InteriorPointSolver.Solve(lp, new InteriorPointOptions { Path = SolverPath.Structured }));
        Assert.Contains("block-angular", e.Message, StringComparison.Ordinal);
        Assert.Equal("general", InteriorPointSolver.Solve(lp).Path);
    }

    [Fact]
    public void LpResultJson_Write_HasTheDocumentedFields()
    {
        var lp = Mps.MpsReader.ReadString("NAME j\nROWS\n N obj\n L a\nCOLUMNS\n    x obj -1 a 1\n    y obj -1 a 1\nRHS\n    rhs a 2\nENDATA\n");
        var result = InteriorPointSolver.Solve(lp);
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            LpResultJson.Write(writer, result, lp, "j.mps");
        }

        using var doc = JsonDocument.Parse(stream.ToArray());
        var root = doc.RootElement;
        Assert.Equal("optimal", root.GetProperty("status").GetString());
        Assert.Equal(-2.0, root.GetProperty("objective").GetDouble(), 1e-7);
        Assert.True(root.GetProperty("iterations").GetInt32() > 0);
        Assert.True(root.GetProperty("seconds").GetDouble() >= 0);
        foreach (var name in new[] { "primal_residual", "dual_residual", "relative_gap", "path", "rows", "columns", "nonzeros" })
        {
            Assert.True(root.TryGetProperty(name, out _), name);
        }
    }

    [Theory]
    [InlineData(LpStatus.Optimal, "optimal")]
    [InlineData(LpStatus.Infeasible, "infeasible")]
    [InlineData(LpStatus.Unbounded, "unbounded")]
    [InlineData(LpStatus.IterationLimit, "iteration_limit")]
    [InlineData(LpStatus.TimeLimit, "time_limit")]
    [InlineData(LpStatus.NumericalError, "numerical_error")]
    public void LpStatusNames_Name_IsStable(LpStatus status, string name) => Assert.Equal(name, status.Name());
}
