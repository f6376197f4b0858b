using Prescient.Optimization.Ipm;
using Prescient.Optimization.Model;
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

    /// <summary>
    /// min 2x + 3y + z + w - 3u with z free in r1: z - x - 2y = 3 and w ∈ [0, 100] in r3: w + u = 10, u ∈ [0, 4]
    /// (so w ∈ [6, 10]: implied free), plus r2: x + y ≥ 2. Substituting z = 3 + x + 2y and w = 10 - u leaves
    /// min 13 + 3x + 5y - 4u: x = 2, y = 0, u = 4, hence z = 5, w = 6 and objective 3; duals y1 = 1 (c_z / 1),
    /// y2 = 3 (x basic: 2 + y1 - y2 = 0), y3 = 1 (c_w / 1).
    /// </summary>
    private const string FreeSingletonMps = "NAME f\nROWS\n N obj\n E r1\n G r2\n E r3\nCOLUMNS\n    x obj 2 r1 -1\n    x r2 1\n    y obj 3 r1 -2\n    y r2 1\n"
        + "    z obj 1 r1 1\n    w obj 1 r3 1\n    u obj -3 r3 1\nRHS\n    rhs r1 3 r2 2\n    rhs r3 10\nBOUNDS\n FR BND z\n UP BND w 100\n UP BND u 4\nENDATA\n";

    [Fact]
    public void Run_FreeAndImpliedFreeColumnSingletons_SubstitutedAndPostsolveRecoversPointAndDuals()
    {
        var lp = MpsReader.ReadString(FreeSingletonMps);
        var presolved = Presolver.Run(lp);
        Assert.Null(presolved.Status);
        Assert.DoesNotContain(0, presolved.KeptRows); // r1 goes with z
        Assert.DoesNotContain(2, presolved.KeptRows); // r3 goes with w
        Assert.DoesNotContain(2, presolved.KeptColumns);
        Assert.DoesNotContain(3, presolved.KeptColumns);

        var result = InteriorPointSolver.Solve(lp, new InteriorPointOptions { Path = SolverPath.General });
        Assert.Equal(LpStatus.Optimal, result.Status);
        Assert.Equal(3.0, result.Objective, 1e-7);
        double[] expectedX = [2, 0, 5, 6, 4];
        for (var j = 0; j < expectedX.Length; j++)
        {
            Assert.Equal(expectedX[j], result.X[j], 1e-6);
        }

        Assert.Equal(1.0, result.RowDuals[0], 1e-6);
        Assert.Equal(3.0, result.RowDuals[1], 1e-6);
        Assert.Equal(1.0, result.RowDuals[2], 1e-6);
        Assert.True(result.PrimalResidual <= 1e-8 && result.DualResidual <= 1e-8 && result.RelativeGap <= 1e-8,
            $"residuals {result.PrimalResidual} {result.DualResidual} gap {result.RelativeGap}");
    }

    [Fact]
    public void Run_FreeColumnSingletonWhenMaximizing_DualsKeepTheMinimizationConvention()
    {
        // The same model with every cost negated, maximized: same point, objective -3, same duals.
        var mps = FreeSingletonMps.Replace("ROWS", "OBJSENSE\n    MAX\nROWS", StringComparison.Ordinal)
            .Replace("x obj 2", "x obj -2", StringComparison.Ordinal).Replace("y obj 3", "y obj -3", StringComparison.Ordinal)
            .Replace("z obj 1", "z obj -1", StringComparison.Ordinal).Replace("w obj 1", "w obj -1", StringComparison.Ordinal)
            .Replace("u obj -3", "u obj 3", StringComparison.Ordinal);
        var lp = MpsReader.ReadString(mps);
        var result = InteriorPointSolver.Solve(lp, new InteriorPointOptions { Path = SolverPath.General });
        Assert.Equal(LpStatus.Optimal, result.Status);
        Assert.Equal(2, result.PresolveRemovedRows);
        Assert.Equal(-3.0, result.Objective, 1e-7);
        Assert.Equal(5.0, result.X[2], 1e-6);
        Assert.Equal(1.0, result.RowDuals[0], 1e-6);
        Assert.Equal(3.0, result.RowDuals[1], 1e-6);
        Assert.Equal(1.0, result.RowDuals[2], 1e-6);
        Assert.True(result.DualResidual <= 1e-8 && result.RelativeGap <= 1e-8, $"dual {result.DualResidual} gap {result.RelativeGap}");
    }

    [Fact]
    public void Run_SingletonColumnWhoseBoundCanBind_IsKept()
    {
        // w ∈ [7, 100] but the row allows w ∈ [6, 10]: w's lower bound can bind (it does: u wants 4), so w is not
        // implied free and must not be substituted out; the optimum moves to u = 3, w = 7. (r3 alone, w + u = 10, is
        // an isolated row once z is substituted: the presolve solves it exactly.)
        var lp = MpsReader.ReadString(FreeSingletonMps.Replace(" UP BND w 100", " UP BND w 100\n LO BND w 7", StringComparison.Ordinal));
        var presolved = Presolver.Run(lp);
        Assert.DoesNotContain(2, presolved.KeptColumns);
        var result = InteriorPointSolver.Solve(lp, new InteriorPointOptions { Path = SolverPath.General });
        Assert.Equal(LpStatus.Optimal, result.Status);
        Assert.Equal(7.0, result.Objective, 1e-7); // 2x + 3y + z = 9, w - 3u = -2
        Assert.Equal(7.0, result.X[3], 1e-6);
        Assert.Equal(3.0, result.X[4], 1e-6);
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

    [Fact]
    public void Run_RedundantRowsAndDominatedColumns_SolvedByPresolveAlone()
    {
        // min -x - y + 2z, r1: x + y ≤ 10 with x, y ∈ [0, 3] (can never bind), r2: x + z ≤ 4. z costs and only
        // r2 (a ≤ row) holds it, so it sits at its lower bound 0; then r2 is x ≤ 4, which x ≤ 3 never reaches.
        // Nothing is left for the iteration: x = y = 3, z = 0, objective -6, every dual 0.
        var lp = MpsReader.ReadString("NAME r\nROWS\n N obj\n L r1\n L r2\nCOLUMNS\n    x obj -1 r1 1\n    x r2 1\n    y obj -1 r1 1\n    z obj 2 r2 1\nRHS\n    rhs r1 10 r2 4\nBOUNDS\n UP BND x 3\n UP BND y 3\n UP BND z 5\nENDATA\n");
        var presolved = Presolver.Run(lp);
        Assert.Null(presolved.Status);
        Assert.Equal(0, presolved.Reduced.RowCount);
        Assert.Equal(0, presolved.Reduced.ColumnCount);

        var result = InteriorPointSolver.Solve(lp);
        Assert.Equal(LpStatus.Optimal, result.Status);
        Assert.Equal(-6.0, result.Objective, 1e-9);
        Assert.Equal([3.0, 3.0, 0.0], result.X);
        Assert.Equal([0.0, 0.0], result.RowDuals);
        Assert.True(result.DualResidual <= 1e-9 && result.PrimalResidual <= 1e-9, $"residuals {result.PrimalResidual} {result.DualResidual}");
    }

    [Fact]
    public void Run_BindingRowAndCostedColumnThatARowNeeds_AreKept()
    {
        // z costs but r3 (≥) needs it: not dominated. r1 binds (max 6 > 5): kept.
        var lp = MpsReader.ReadString("NAME k\nROWS\n N obj\n L r1\n G r3\nCOLUMNS\n    x obj -1 r1 1\n    y obj -1 r1 1\n    z obj 2 r3 1\n    x r3 1\nRHS\n    rhs r1 5 r3 4\nBOUNDS\n UP BND x 3\n UP BND y 3\n UP BND z 5\nENDATA\n");
        var presolved = Presolver.Run(lp);
        Assert.Contains(0, presolved.KeptRows);
        Assert.Contains(2, presolved.KeptColumns);
        var with = InteriorPointSolver.Solve(lp);
        var without = InteriorPointSolver.Solve(lp, new InteriorPointOptions { Presolve = false });
        Assert.Equal(LpStatus.Optimal, with.Status);
        Assert.Equal(without.Objective, with.Objective, 1e-7);
        Assert.Equal(-3.0, with.Objective, 1e-7); // x = 3, y = 2, z = 1: -5 + 2
    }

    [Fact]
    public void Run_ParallelColumns_MergedAndSplitInProportionToTheirWidths()
    {
        // min -x1 - x2 - 3y + v, r1: x1 + x2 + y ≤ 5, r2: x1 + x2 + v ≥ 1, x1 ∈ [0, 2], x2 ∈ [0, 4], y ∈ [0, 3],
        // v ∈ [0, 5]. x1 and x2 are the same column (in both rows, so neither row is isolated): y = 3 first, then
        // x1 + x2 = 2, split 2 : 4 as their widths, 2/3 and 4/3; v = 0. Objective -11, r1's dual -1, r2's 0.
        var lp = MpsReader.ReadString("NAME p\nROWS\n N obj\n L r1\n G r2\nCOLUMNS\n    x1 obj -1 r1 1\n    x1 r2 1\n    x2 obj -1 r1 1\n    x2 r2 1\n    y obj -3 r1 1\n    v obj 1 r2 1\nRHS\n    rhs r1 5 r2 1\nBOUNDS\n UP BND x1 2\n UP BND x2 4\n UP BND y 3\n UP BND v 5\nENDATA\n");
        var presolved = Presolver.Run(lp);
        Assert.Equal(3, presolved.Reduced.ColumnCount);
        Assert.DoesNotContain(1, presolved.KeptColumns);

        var result = InteriorPointSolver.Solve(lp);
        Assert.Equal(LpStatus.Optimal, result.Status);
        Assert.Equal(-11.0, result.Objective, 1e-7);
        Assert.Equal(2.0 / 3, result.X[0], 1e-6);
        Assert.Equal(4.0 / 3, result.X[1], 1e-6);
        Assert.Equal(3.0, result.X[2], 1e-6);
        Assert.Equal(0.0, result.X[3], 1e-6);
        Assert.Equal(-1.0, result.RowDuals[0], 1e-6);
        Assert.Equal(0.0, result.RowDuals[1], 1e-6);
        Assert.True(result.DualResidual <= 1e-8 && result.RelativeGap <= 1e-8, $"dual {result.DualResidual} gap {result.RelativeGap}");
    }

    [Fact]
    public void Run_IsolatedRows_SolvedExactlyWithTheirDuals()
    {
        // Three rows whose columns appear nowhere else. r1: x + y + z ≤ 4 (a knapsack: z first at -3 per unit, then y at
        // -2; x at -1 gets nothing; dual -2). r2: 2a - b ≥ 1 with a ∈ [0, 1] costing 1, b ∈ [0, 2] paying -1 (preferred:
        // a = 0, b = 2, activity -2, 3 short; raising a gives 2 per unit at 1/2 per unit of activity, lowering b 1 per
        // unit at 1: a = 1, then b down to 1; dual 1). r3: p - q ≤ 10 with p ∈ [0, 2], q ∈ [0, 1] (never binds: dual 0).
        // r4: s + t + u ≤ 0.7 with s ∈ [0, 0.9] and t ∈ [0, 0.47] at -1 (a tie) and u ∈ [0, 0.1] at -2: 0.77 too much,
        // the tie gives it up in proportion (s + t = 0.6) and the dual is the tie's -1, not u's -2 (in doubles the gap
        // less what the tie gives is 1.1e-16, not 0: that remainder must not reach u).
        var lp = MpsReader.ReadString("NAME i\nROWS\n N obj\n L r1\n G r2\n L r3\n L r4\nCOLUMNS\n    x obj -1 r1 1\n    y obj -2 r1 1\n    z obj -3 r1 1\n"
            + "    a obj 1 r2 2\n    b obj -1 r2 -1\n    p obj -1 r3 1\n    q obj 1 r3 -1\n    s obj -1 r4 1\n    t obj -1 r4 1\n    u obj -2 r4 1\n"
            + "RHS\n    rhs r1 4 r2 1\n    rhs r3 10 r4 0.7\nBOUNDS\n UP BND x 5\n UP BND y 3\n UP BND z 2\n"
            + " UP BND a 1\n UP BND b 2\n UP BND p 2\n UP BND q 1\n UP BND s 0.9\n UP BND t 0.47\n UP BND u 0.1\nENDATA\n");
        var presolved = Presolver.Run(lp);
        Assert.Null(presolved.Status);
        Assert.Equal(0, presolved.Reduced.RowCount);

        var result = InteriorPointSolver.Solve(lp);
        Assert.Equal(LpStatus.Optimal, result.Status);
        Assert.Equal([0.0, 2.0, 2.0, 1.0, 1.0, 2.0, 0.0], result.X.AsSpan(0, 7).ToArray());
        Assert.Equal(0.9 * 0.6 / 1.37, result.X[7], 1e-12);
        Assert.Equal(0.47 * 0.6 / 1.37, result.X[8], 1e-12);
        Assert.Equal(0.1, result.X[9], 1e-12);
        Assert.Equal(-10.0 + 1 - 1 - 2 - 0.8, result.Objective, 1e-12);
        Assert.Equal([-2.0, 1.0, 0.0, -1.0], result.RowDuals);
        Assert.True(result.DualResidual <= 1e-12 && result.PrimalResidual <= 1e-12 && result.RelativeGap <= 1e-12,
            $"residuals {result.PrimalResidual} {result.DualResidual} gap {result.RelativeGap}");
        var plain = InteriorPointSolver.Solve(lp, new InteriorPointOptions { Presolve = false });
        Assert.Equal(plain.Objective, result.Objective, 1e-7);
    }

    [Fact]
    public void Run_IsolatedRowThatCannotReachItsBound_IsInfeasible()
    {
        // x + y ≥ 5 with x, y ∈ [0, 2]: 1 short.
        var lp = MpsReader.ReadString("NAME f\nROWS\n N obj\n G r1\nCOLUMNS\n    x obj 1 r1 1\n    y obj 1 r1 1\nRHS\n    rhs r1 5\nBOUNDS\n UP BND x 2\n UP BND y 2\nENDATA\n");
        var presolved = Presolver.Run(lp);
        Assert.Equal(LpStatus.Infeasible, presolved.Status);
        Assert.Contains("r1", presolved.Reason, StringComparison.Ordinal);
        Assert.Equal(LpStatus.Infeasible, InteriorPointSolver.Solve(lp).Status);
    }

    [Fact]
    public void Run_ColumnsEqualButForCostOrBounds_AreNotMerged()
    {
        // x1 and x2 share their entries but not their cost; x3 has an infinite upper bound: nothing merges.
        var lp = MpsReader.ReadString("NAME q\nROWS\n N obj\n L r1\n G r2\nCOLUMNS\n    x1 obj -1 r1 1\n    x1 r2 1\n    x2 obj -2 r1 1\n    x2 r2 1\n    x3 obj -1 r1 1\n    x3 r2 1\nRHS\n    rhs r1 5 r2 1\nBOUNDS\n UP BND x1 2\n UP BND x2 4\nENDATA\n");
        var presolved = Presolver.Run(lp);
        Assert.Equal(3, presolved.Reduced.ColumnCount);
        var with = InteriorPointSolver.Solve(lp);
        var without = InteriorPointSolver.Solve(lp, new InteriorPointOptions { Presolve = false });
        Assert.Equal(LpStatus.Optimal, with.Status);
        Assert.Equal(without.Objective, with.Objective, 1e-7);
    }

    [Fact]
    public void Run_RandomBlockModels_SameOptimumWithAndWithoutPresolveAndKktHolds()
    {
        // Isolated rows with ties, parallel columns, dominated columns and rows that never bind, mixed with blocks tied
        // to linking rows: every reduction of the presolve at once, checked against the iteration alone.
        var random = new Random(7);
        var reduced = 0;
        for (var trial = 0; trial < 40; trial++)
        {
            var lp = RandomLp.CreateBlocks(random, random.Next(1, 30), random.Next(0, 4));
            if (trial % 2 == 1)
            {
                // The same model maximizing the negated costs: the presolve's preferences and duals follow the sense.
                for (var j = 0; j < lp.ColumnCount; j++)
                {
                    lp.Objective[j] = -lp.Objective[j];
                }

                lp.Sense = ObjectiveSense.Maximize;
            }

            var presolved = Presolver.Run(lp);
            reduced += presolved.RemovedColumns;
            var with = InteriorPointSolver.Solve(lp);
            var without = InteriorPointSolver.Solve(lp, new InteriorPointOptions { Presolve = false });
            Assert.True(with.Status == LpStatus.Optimal && without.Status == LpStatus.Optimal, $"trial {trial}: {with.Status} / {without.Status}");
            Assert.True(Math.Abs(with.Objective - without.Objective) <= 1e-7 * (1 + Math.Abs(without.Objective)), $"trial {trial}: {with.Objective} vs {without.Objective}");
            Assert.True(with.PrimalResidual <= 1e-7 && with.DualResidual <= 1e-7 && with.RelativeGap <= 1e-7,
                $"trial {trial}: residuals {with.PrimalResidual} {with.DualResidual} gap {with.RelativeGap}");
        }

        Assert.True(reduced > 0);
    }
}
