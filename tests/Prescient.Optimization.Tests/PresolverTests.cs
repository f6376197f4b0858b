using Prescient.Optimization.Ipm;
using Prescient.Optimization.Mps;
using Prescient.Optimization.Presolve;

namespace Prescient.Optimization.Tests;

public sealed class PresolverTests
{
    [Fact]
    public void Run_SingletonFixedAndEmpty_RemovesThemAndPostsolveRecoversDuals()
    {
        // min x + 2y + 3z, r1: x + y + z >= 2 (kept), r2: 2y >= 1 (singleton), r3: empty (0 <= 5),
        // z fixed at 0.5 by bounds.
        var lp = MpsReader.ReadString("NAME p\nROWS\n N obj\n G r1\n G r2\n L r3\nCOLUMNS\n    x obj 1 r1 1\n    y obj 2 r1 1\n    y r2 2\n    z obj 3 r1 1\nRHS\n    rhs r1 2 r2 1\n    rhs r3 5\nBOUNDS\n FX BND z 0.5\nENDATA\n");
        var presolved = Presolver.Run(lp);
        Assert.Null(presolved.Status);
        Assert.Equal(2, presolved.RemovedRows);
        Assert.Equal(1, presolved.RemovedColumns);

        var with = InteriorPointSolver.Solve(lp);
        var without = InteriorPointSolver.Solve(lp, new InteriorPointOptions { Presolve = false });
        Assert.Equal(LpStatus.Optimal, with.Status);
        Assert.Equal(without.Objective, with.Objective, 1e-7);
        // x = 1, y = 0.5, z = 0.5: objective 1 + 1 + 1.5
        Assert.Equal(3.5, with.Objective, 1e-7);
        Assert.True(with.DualResidual <= 1e-7, $"dual residual {with.DualResidual}");
        Assert.True(with.RelativeGap <= 1e-7, $"gap {with.RelativeGap}");
        Assert.Equal(1.0, with.RowDuals[0], 1e-6);
        Assert.Equal(0.5, with.RowDuals[1], 1e-6);
    }

    [Fact]
    public void Run_DuplicateRows_MergedAndPostsolveDualsAreConsistent()
    {
        // min 3x + 2y: r1: x + y >= 2, r2: 2x + 2y >= 6 (binding, a multiple of r1), r3: -x - y >= -8, r4: x - y <= 1.
        var lp = MpsReader.ReadString("NAME d\nROWS\n N obj\n G r1\n G r2\n G r3\n L r4\nCOLUMNS\n    x obj 3 r1 1\n    x r2 2 r3 -1\n    x r4 1\n    y obj 2 r1 1\n    y r2 2 r3 -1\n    y r4 -1\nRHS\n    rhs r1 2 r2 6\n    rhs r3 -8 r4 1\nENDATA\n");
        var presolved = Presolver.Run(lp);
        Assert.Null(presolved.Status);
        Assert.Equal(2, presolved.RemovedRows);
        var result = InteriorPointSolver.Solve(lp);
        var plain = InteriorPointSolver.Solve(lp, new InteriorPointOptions { Presolve = false });
        Assert.Equal(LpStatus.Optimal, result.Status);
        Assert.Equal(6.0, result.Objective, 1e-7); // y = 3, x = 0
        Assert.Equal(plain.Objective, result.Objective, 1e-7);
        Assert.True(result.DualResidual <= 1e-7 && result.RelativeGap <= 1e-7, $"dual {result.DualResidual} gap {result.RelativeGap}");
        Assert.Equal(1.0, result.RowDuals[1], 1e-6); // the binding duplicate carries the dual
        Assert.Equal(0.0, result.RowDuals[0], 1e-6);
    }

    [Fact]
    public void Run_DuplicateRowsWithDisjointBounds_ReportsInfeasible()
    {
        var lp = MpsReader.ReadString("NAME d\nROWS\n N obj\n G r1\n G r2\nCOLUMNS\n    x obj 1 r1 1\n    x r2 -2\n    y obj 1 r1 1\n    y r2 -2\nRHS\n    rhs r1 5 r2 -4\nENDATA\n");
        var presolved = Presolver.Run(lp);
        Assert.Equal(LpStatus.Infeasible, presolved.Status);
        Assert.Equal(LpStatus.Infeasible, InteriorPointSolver.Solve(lp).Status);
    }

    [Fact]
    public void Run_SingletonRowsContradict_ReportsInfeasible()
    {
        var lp = MpsReader.ReadString("NAME p\nROWS\n N obj\n G a\n L b\n L c\nCOLUMNS\n    x obj 1 a 1\n    x b 1\n    y obj 1 c 1\n    x c 1\nRHS\n    rhs a 3 b 1\n    rhs c 10\nENDATA\n");
        var presolved = Presolver.Run(lp);
        Assert.Equal(LpStatus.Infeasible, presolved.Status);
    }

    [Fact]
    public void Run_NetlibWithPresolve_SameOptimumAsWithout()
    {
        var dir = TestData.RequireNetlib();
        foreach (var name in new[] { "afiro", "sc50a", "boeing1", "e226" })
        {
            var lp = MpsReader.ReadFile(Path.Combine(dir, name + ".mps"));
            var with = InteriorPointSolver.Solve(lp, new InteriorPointOptions { Path = SolverPath.General });
            var without = InteriorPointSolver.Solve(lp, new InteriorPointOptions { Path = SolverPath.General, Presolve = false });
            Assert.Equal(LpStatus.Optimal, with.Status);
            Assert.Equal(LpStatus.Optimal, without.Status);
            Assert.True(Math.Abs(with.Objective - without.Objective) <= 1e-7 * (1 + Math.Abs(without.Objective)), name);
            Assert.True(with.DualResidual <= 1e-6 && with.PrimalResidual <= 1e-6, $"{name}: residuals {with.PrimalResidual} {with.DualResidual}");
        }
    }
}
