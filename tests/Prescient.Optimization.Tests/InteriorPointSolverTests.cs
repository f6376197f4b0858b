using Prescient.Optimization.Ipm;
using Prescient.Optimization.Model;
using Prescient.Optimization.Mps;

namespace Prescient.Optimization.Tests;

public sealed class InteriorPointSolverTests
{
    private static LinearProgram Parse(string text) => MpsReader.ReadString(text, "test.mps");

    [Theory]
    [InlineData(SolverPath.General)]
    [InlineData(SolverPath.Auto)]
    public void Solve_InfeasibleRows_ReturnsInfeasible(SolverPath path)
    {
        // x + y >= 4, x + y <= 2, x, y >= 0
        var lp = Parse("NAME inf\nROWS\n N obj\n G a\n L b\nCOLUMNS\n    x obj 1 a 1\n    x b 1\n    y obj 1 a 1\n    y b 1\nRHS\n    rhs a 4 b 2\nENDATA\n");
        var result = InteriorPointSolver.Solve(lp, new InteriorPointOptions { Path = path });
        Assert.Equal(LpStatus.Infeasible, result.Status);
    }

    [Fact]
    public void Solve_InfeasibleWithPresolveOff_ReturnsInfeasible()
    {
        // x - y = 1, x - y = 3 style: 2x + y = 1, 4x + 2y = 5, bounded variables.
        var lp = Parse("NAME inf2\nROWS\n N obj\n E a\n E b\nCOLUMNS\n    x obj 1 a 2\n    x b 4\n    y obj -1 a 1\n    y b 2\nRHS\n    rhs a 1 b 5\nBOUNDS\n FR BND x\n FR BND y\nENDATA\n");
        var result = InteriorPointSolver.Solve(lp, new InteriorPointOptions { Presolve = false });
        Assert.Equal(LpStatus.Infeasible, result.Status);
    }

    [Fact]
    public void Solve_Unbounded_ReturnsUnbounded()
    {
        // min -x - y, x - y <= 1, x, y >= 0 (ray (1,1))
        var lp = Parse("NAME unb\nROWS\n N obj\n L a\nCOLUMNS\n    x obj -1 a 1\n    y obj -1 a -1\nRHS\n    rhs a 1\nENDATA\n");
        var result = InteriorPointSolver.Solve(lp);
        Assert.Equal(LpStatus.Unbounded, result.Status);
    }

    [Fact]
    public void Solve_UnboundedMaximizationWithFreeColumn_ReturnsUnbounded()
    {
        var lp = Parse("NAME unb2\nOBJSENSE\n    MAX\nROWS\n N obj\n E a\nCOLUMNS\n    x obj 1 a 1\n    y obj 0 a 1\nRHS\n    rhs a 1\nBOUNDS\n FR BND x\n FR BND y\nENDATA\n");
        Assert.Equal(LpStatus.Unbounded, InteriorPointSolver.Solve(lp).Status);
    }

    [Fact]
    public void Solve_InconsistentBounds_ReturnsInfeasible()
    {
        var lp = Parse("NAME bad\nROWS\n N obj\n L a\nCOLUMNS\n    x obj 1 a 1\nRHS\n    rhs a 1\nBOUNDS\n LO BND x 2\n UP BND x 1\nENDATA\n");
        Assert.Equal(LpStatus.Infeasible, InteriorPointSolver.Solve(lp, new InteriorPointOptions { Presolve = false }).Status);
        Assert.Equal(LpStatus.Infeasible, InteriorPointSolver.Solve(lp).Status);
    }

    [Fact]
    public void Solve_EmptyRowThatCannotHold_ReturnsInfeasible()
    {
        var lp = Parse("NAME e\nROWS\n N obj\n G empty\n L a\nCOLUMNS\n    x obj 1 a 1\nRHS\n    rhs empty 1 a 1\nENDATA\n");
        Assert.Equal(LpStatus.Infeasible, InteriorPointSolver.Solve(lp).Status);
    }

    [Fact]
    public void Solve_SmallMaximization_ReturnsOptimumWithConstant()
    {
        // max 3x + 2y + 10 s.t. x + y <= 4, x + 3y <= 6, x <= 3 -> x = 3, y = 1, objective 21
        var lp = Parse("NAME max\nOBJSENSE\n    MAX\nROWS\n N obj\n L a\n L b\nCOLUMNS\n    x obj 3 a 1\n    x b 1\n    y obj 2 a 1\n    y b 3\nRHS\n    rhs obj -10 a 4\n    rhs b 6\nBOUNDS\n UP BND x 3\nENDATA\n");
        var result = InteriorPointSolver.Solve(lp);
        Assert.Equal(LpStatus.Optimal, result.Status);
        Assert.Equal(21.0, result.Objective, 1e-6);
        Assert.Equal(3.0, result.X[0], 1e-6);
        Assert.Equal(1.0, result.X[1], 1e-6);
    }

    [Fact]
    public void Solve_NaNCoefficient_ThrowsNamingTheEntry()
    {
        var lp = new LinearProgramBuilder();
        lp.AddRow("r", double.NegativeInfinity, 1);
        lp.AddColumn("x", 1, 0, 1);
        lp.AddEntry(0, 0, double.NaN);
        var e = Assert.Throws<ArgumentException>(() => InteriorPointSolver.Solve(lp.Build()));
        Assert.Contains("'x'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Solve_IterationCap_ReturnsIterationLimitWithBestPoint()
    {
        var dir = TestData.RequireNetlib();
        var lp = MpsReader.ReadFile(Path.Combine(dir, "afiro.mps"));
        var result = InteriorPointSolver.Solve(lp, new InteriorPointOptions { MaxIterations = 2, DetectInfeasibility = false });
        Assert.Equal(LpStatus.IterationLimit, result.Status);
        Assert.Equal(lp.ColumnCount, result.X.Length);
        Assert.True(double.IsFinite(result.Objective));
    }

    [Fact]
    public void Solve_DeadlinePassed_ReturnsTimeLimit()
    {
        var dir = TestData.RequireNetlib();
        var lp = MpsReader.ReadFile(Path.Combine(dir, "afiro.mps"));
        var clock = new SteppingTimeProvider(TimeSpan.FromSeconds(1));
        var result = InteriorPointSolver.Solve(lp, new InteriorPointOptions { TimeLimit = TimeSpan.FromSeconds(2.5), TimeProvider = clock });
        Assert.Equal(LpStatus.TimeLimit, result.Status);
        Assert.True(result.Iterations < 5);
    }

    [Fact]
    public void Solve_RandomFeasibleLps_KktResidualsSmall()
    {
        var random = new Random(11);
        for (var trial = 0; trial < 60; trial++)
        {
            var lp = RandomLp.Create(random, random.Next(1, 25), random.Next(1, 30), feasible: true);
            lp.Sense = ObjectiveSense.Minimize;
            var result = InteriorPointSolver.Solve(lp);
            Assert.True(result.Status == LpStatus.Optimal, $"trial {trial}: {result.Status} ({result.Reason})");
            Assert.True(result.PrimalResidual <= 1e-7, $"trial {trial}: primal {result.PrimalResidual:E2}");
            Assert.True(result.DualResidual <= 1e-7, $"trial {trial}: dual {result.DualResidual:E2}");
            Assert.True(result.RelativeGap <= 1e-6, $"trial {trial}: gap {result.RelativeGap:E2}");

            var plain = InteriorPointSolver.Solve(lp, new InteriorPointOptions { Presolve = false, Scaling = false, MaxCorrectors = 0 });
            Assert.Equal(LpStatus.Optimal, plain.Status);
            Assert.True(Math.Abs(plain.Objective - result.Objective) <= 1e-6 * (1 + Math.Abs(result.Objective)), $"trial {trial}: {plain.Objective} vs {result.Objective}");
        }
    }

    [Fact]
    public void Options_OutOfRange_Throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new InteriorPointOptions { Tolerance = 0 }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new InteriorPointOptions { MaxIterations = 0 }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new InteriorPointOptions { TimeLimit = TimeSpan.Zero }.Validate());
    }

    /// <summary>A clock that advances by a fixed step each time it is read.</summary>
    private sealed class SteppingTimeProvider(TimeSpan step) : TimeProvider
    {
        private long _ticks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp()
        {
            _ticks += step.Ticks;
            return _ticks;
        }
    }
}
