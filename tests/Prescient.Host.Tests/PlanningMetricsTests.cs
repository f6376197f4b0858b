using Microsoft.Extensions.Time.Testing;
using Prescient.Host.Metrics;
using Prescient.Host.State;

namespace Prescient.Host.Tests;

public sealed class PlanningMetricsTests
{
    [Fact]
    public void SolverPath_CountsCyclesByPath()
    {
        var metrics = new PlanningMetrics(new CommandLog(new FakeTimeProvider()));
        metrics.SolverPath("linked");
        metrics.SolverPath("linked");
        metrics.SolverPath("structured");
        metrics.SolverPath("");
        var text = metrics.Render();
        Assert.Contains("prescient_solver_path_total{path=\"linked\"} 2\n", text, StringComparison.Ordinal);
        Assert.Contains("prescient_solver_path_total{path=\"structured\"} 1\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("path=\"\"", text, StringComparison.Ordinal);
    }
}
