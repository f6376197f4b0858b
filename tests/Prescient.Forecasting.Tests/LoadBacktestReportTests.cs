using System.Globalization;
using Prescient.Forecasting.Load;
using Prescient.Forecasting.Traces;

namespace Prescient.Forecasting.Tests;

/// <summary>
/// The Load Forecaster figures of docs/models/forecasting.md (hourly origins, 400 paths): explicit, so it runs only
/// when asked for (about 20 s on two cores), and prints its table to the test output. KTH is the log the method was
/// tuned on, NASA the held-out one.
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
        }

        // Where the paths cannot beat persistence, the calibration damps the median to the load now, so it is never
        // materially worse; and the cross-fitted spread keeps the 80 % interval near its nominal coverage.
        Assert.True(r.Origins > 1000);
        for (var h = 0; h < r.HorizonSeconds.Length; h++)
        {
            Assert.True(r.MedianMae[h] <= r.PersistenceMae[h] * 1.01, $"horizon {r.HorizonSeconds[h]} s: median MAE {r.MedianMae[h]:F2} vs persistence {r.PersistenceMae[h]:F2}");
            Assert.InRange(r.Coverage80[h], 0.7, 0.9);
        }
    }
}
