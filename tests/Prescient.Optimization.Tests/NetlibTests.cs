using Prescient.Optimization.Ipm;
using Prescient.Optimization.Mps;

namespace Prescient.Optimization.Tests;

public sealed class NetlibTests
{
    public static TheoryData<string> Instances => TestData.NetlibInstances();

    [Theory]
    [MemberData(nameof(Instances))]
    public void Solve_NetlibInstance_ReachesPublishedOptimum(string instance)
    {
        var dir = TestData.RequireNetlib();
        var optimum = TestData.ReadOptima(dir).Single(o => o.Name == instance).Optimum;
        var lp = MpsReader.ReadFile(Path.Combine(dir, instance + ".mps"));
        var result = InteriorPointSolver.Solve(lp, new InteriorPointOptions { Path = SolverPath.General });
        var relativeError = Math.Abs(result.Objective - optimum) / Math.Max(1, Math.Abs(optimum));
        Assert.True(result.Status == LpStatus.Optimal, $"{instance}: {result.Status} ({result.Reason}) after {result.Iterations} iterations");
        Assert.True(relativeError <= 1e-6, $"{instance}: objective {result.Objective:R} vs {optimum:R}, relative error {relativeError:E2}");
        Assert.True(result.PrimalResidual <= 1e-6, $"{instance}: primal residual {result.PrimalResidual:E2}");
        Assert.True(result.DualResidual <= 1e-6, $"{instance}: dual residual {result.DualResidual:E2}");
    }

    [Fact]
    public void Folder_EveryMpsFile_IsListedInOptima()
    {
        var dir = TestData.RequireNetlib();
        var listed = TestData.ReadOptima(dir).Select(o => o.Name).ToHashSet();
        foreach (var file in Directory.EnumerateFiles(dir, "*.mps"))
        {
            Assert.Contains(Path.GetFileNameWithoutExtension(file), listed);
        }
    }
}
