using System.Text.Json;
using Prescient.Abstractions.Forecasting;
using Prescient.Abstractions.Telemetry;
using Prescient.Forecasting.Evaluation;
using Prescient.Forecasting.Traces;

namespace Prescient.Forecasting.Tests;

public sealed class EvaluatorTests
{
    private static Trace Synthetic()
    {
        var series = new List<TraceSeries>();
        for (var e = 0; e < 3; e++)
        {
            foreach (var r in new[] { ResourceKind.Cpu, ResourceKind.Memory })
            {
                var v = Signals.Diurnal(288 * 4, r == ResourceKind.Cpu ? 2 + e : 4e9, r == ResourceKind.Cpu ? 1 : 1e9, r == ResourceKind.Cpu ? 0.2 : 1e8, (e * 10) + (int)r)
                    .Select(x => (float)x).ToArray();
                series.Add(new TraceSeries(new SeriesKey(EntityKind.Node, "n" + e, r), "g", 1_700_000_000, 300, v));
            }
        }

        return new Trace("synthetic", "prescient-csv", 300, series, new TraceDiagnostics(), []);
    }

    [Fact]
    public void Run_SyntheticDiurnal_JsonHasIssueShape()
    {
        var report = Evaluator.Run(Synthetic(), new EvaluationOptions
        {
            Models = ["persistence", "seasonal-naive", "ensemble"],
            HorizonSeconds = [60, 300, 3600],
            WarmupSeconds = 2 * 86400,
        });
        using var ms = new MemoryStream();
        EvaluationJson.Write(report, ms);
        using var doc = JsonDocument.Parse(ms.ToArray());
        var models = doc.RootElement.GetProperty("models");
        var cpu = models.GetProperty("ensemble").GetProperty("5m").GetProperty("cpu");
        Assert.True(cpu.GetProperty("mase").GetDouble() > 0);
        foreach (var q in new[] { "0.5", "0.8", "0.9", "0.95", "0.99" })
        {
            Assert.True(cpu.GetProperty("pinball").GetProperty(q).GetDouble() >= 0);
        }

        Assert.InRange(cpu.GetProperty("coverage80").GetDouble(), 0, 1);
        Assert.True(models.GetProperty("persistence").TryGetProperty("1h", out _));
        Assert.False(models.GetProperty("persistence").TryGetProperty("1m", out _)); // shorter than the 5-minute step
        Assert.True(models.GetProperty("persistence").GetProperty("1h").TryGetProperty("memory", out _));
    }

    [Fact]
    public void Run_StrongDiurnal_SeasonalBeatsPersistenceAtOneHour()
    {
        var report = Evaluator.Run(Synthetic(), new EvaluationOptions
        {
            Models = ["persistence", "seasonal-naive"],
            HorizonSeconds = [3600],
            WarmupSeconds = 2 * 86400,
        });
        var p = report.Models["persistence"][3600][ResourceKind.Cpu].Mase;
        var s = report.Models["seasonal-naive"][3600][ResourceKind.Cpu].Mase;
        Assert.True(s < p, $"seasonal {s} vs persistence {p}");
        Assert.InRange(s, 0.8, 1.2); // the scale is seasonal-naive's own in-sample error
    }

    [Fact]
    public void SeasonalNaiveScale_ConstantSeries_Zero()
    {
        var v = Enumerable.Repeat(3f, 600).ToArray();
        Assert.Equal(0, Evaluator.SeasonalNaiveScale(v, 288, 600));
        Assert.True(double.IsNaN(Evaluator.SeasonalNaiveScale(v, 288, 100)));
    }
}
