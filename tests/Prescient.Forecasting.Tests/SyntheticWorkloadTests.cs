using Prescient.Abstractions.Telemetry;
using Prescient.Forecasting.Evaluation;
using Prescient.Forecasting.Synthetic;
using Prescient.Forecasting.Traces;

namespace Prescient.Forecasting.Tests;

public sealed class SyntheticWorkloadTests
{
    [Fact]
    public void Usage_SameSeed_SameTraceAndDiurnalShape()
    {
        var a = SyntheticWorkload.Usage(3, 7, 5);
        var b = SyntheticWorkload.Usage(3, 7, 5);
        Assert.Equal(18, a.Series.Count);
        Assert.Equal(a.Series[0].Values, b.Series[0].Values);
        Assert.All(a.Series, s => Assert.All(s.Values, v => Assert.True(float.IsFinite(v) && v >= 0)));
        Assert.NotEqual(a.Series[0].Values, SyntheticWorkload.Usage(3, 7, 6).Series[0].Values);
    }

    [Fact]
    public void Jobs_Generated_FollowMeasuredRuntimeScale()
    {
        var jobs = SyntheticWorkload.Jobs(200, 30, 2);
        Assert.True(jobs.Count > 100);
        var meanLog = jobs.Average(j => Math.Log(j.RunSeconds));
        Assert.InRange(meanLog, SyntheticParameters.Default.RuntimeLogMean - 0.5, SyntheticParameters.Default.RuntimeLogMean + 0.5);
        Assert.True(jobs.Zip(jobs.Skip(1)).All(p => p.First.SubmitSeconds <= p.Second.SubmitSeconds));
    }

    [Fact]
    public void Read_SyntheticPath_EvaluatesWithoutData()
    {
        var trace = TraceReader.Read("synthetic:2:10:3");
        var report = Evaluator.Run(trace, new EvaluationOptions { Models = ["persistence", "ensemble"], HorizonSeconds = [300, 3600], WarmupSeconds = 3 * 86400 });
        var p = report.Models["persistence"][300][ResourceKind.Cpu].Mase;
        var e = report.Models["ensemble"][300][ResourceKind.Cpu].Mase;
        Assert.True(e < p, $"ensemble {e} vs persistence {p}");
    }

    [Fact]
    public void Measure_RealTraces_AgreesWithEmbeddedDefault()
    {
        var bitbrains = TestData.RequireDirectory("bitbrains-rnd/2013-7");
        var swf = TestData.RequireDirectory("swf/KTH-SP2-1996-2.1-cln.swf.gz");
        var measured = SyntheticCalibration.Measure(TraceReader.Read(bitbrains, "bitbrains"), SwfReader.ReadJobs(swf, new TraceDiagnostics()));
        var d = SyntheticParameters.Default;
        Assert.Equal(d.CpuNoiseSigma, measured.CpuNoiseSigma, 1e-3);
        Assert.Equal(d.RuntimeLogMean, measured.RuntimeLogMean, 1e-3);
        Assert.Equal(d.CpuMemoryCorrelation, measured.CpuMemoryCorrelation, 1e-3);
        for (var h = 0; h < 24; h++)
        {
            Assert.Equal(d.HourOfDayShape[h], measured.HourOfDayShape[h], 1e-3);
        }
    }
}
