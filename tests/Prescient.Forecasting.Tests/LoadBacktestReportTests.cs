using System.Globalization;
using Prescient.Forecasting.Load;
using Prescient.Forecasting.Traces;

namespace Prescient.Forecasting.Tests;

/// <summary>
/// The Load Forecaster figures of docs/models/forecasting.md (hourly origins, 400 paths): explicit, so it runs only
/// when asked for (about a minute on two cores), and prints its table to the test output.
/// </summary>
public sealed class LoadBacktestReportTests
{
    [Theory(Explicit = true)]
    [InlineData("swf/KTH-SP2-1996-2.1-cln.swf.gz")]
    [InlineData("swf/NASA-iPSC-1993-3.1-cln.swf.gz")]
    public void Backtest_SwfLog_PrintsDocumentedTable(string log)
    {
        var jobs = SwfReader.ReadJobs(TestData.RequireDirectory(log), new TraceDiagnostics());
        var r = LoadForecaster.Backtest(jobs, [300, 3600, 14400], 0.3, 3600, samples: 400);
        var output = TestContext.Current.TestOutputHelper!;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{Path.GetFileName(log)}: {r.Origins} origins"));
        output.WriteLine("| horizon | median MAE | mean MAE | persistence MAE | 80 % coverage |");
        for (var h = 0; h < r.HorizonSeconds.Length; h++)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {r.HorizonSeconds[h]} s | {r.MedianMae[h]:F2} | {r.MeanMae[h]:F2} | {r.PersistenceMae[h]:F2} | {r.Coverage80[h]:F3} |"));
            Assert.True(double.IsFinite(r.MedianMae[h]) && double.IsFinite(r.PersistenceMae[h]));
            Assert.InRange(r.Coverage80[h], 0, 1);
        }

        Assert.True(r.Origins > 1000);
    }
}
