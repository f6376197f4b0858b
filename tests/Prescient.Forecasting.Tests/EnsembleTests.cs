using Prescient.Abstractions.Forecasting;
using Prescient.Abstractions.Telemetry;
using Prescient.Forecasting.Models;

namespace Prescient.Forecasting.Tests;

public sealed class EnsembleTests
{
    private static readonly ForecastShape Shape = ForecastShape.ForStep(300, [300], ForecastShape.EvaluationQuantiles);

    [Fact]
    public void Observe_NoisyDiurnal_CoverageNearNominal()
    {
        var f = ForecasterRegistry.CreateEnsemble(Shape);
        f.AddSeries(1);
        f.DescribeSeries(0, new SeriesKey(EntityKind.Node, "n", ResourceKind.Cpu), "g");
        var v = Signals.Diurnal(288 * 20, 10, 3, 1.5, 2);
        var out1 = new double[Shape.Width];
        int lo = Shape.IndexOfQuantile(0.1), hi = Shape.IndexOfQuantile(0.9);
        int covered = 0, n = 0;
        for (var t = 0; t < v.Length - 1; t++)
        {
            f.Observe(1_700_000_000 + (t * 300L), [0], [v[t]]);
            f.Forecast([0], out1);
            if (t > 288 * 3)
            {
                n++;
                covered += v[t + 1] >= out1[lo] && v[t + 1] <= out1[hi] ? 1 : 0;
            }
        }

        Assert.InRange(covered / (double)n, 0.77, 0.83);
    }

    [Fact]
    public void Observe_TwoThreads_SameForecastsAsOneThread()
    {
        // Three chunks of series in four groups, with gaps, negative and infinite values, and one batch that names a
        // series twice (stepped in order on one thread): every forecast and weight equal to the bit.
        var shape = ForecastShape.ForStep(300, [300, 3600], ForecastShape.DefaultQuantiles);
        const int n = (2 * EnsembleForecaster.ChunkSeries) + 300;
        var one = ForecasterRegistry.CreateEnsemble(shape);
        var two = ForecasterRegistry.CreateEnsemble(shape, options: new EnsembleOptions { Threads = 2 });
        foreach (var f in new[] { one, two })
        {
            f.AddSeries(n);
            for (var s = 0; s < n; s++)
            {
                f.DescribeSeries(s, new SeriesKey(EntityKind.Job, "j" + s, (ResourceKind)(s % 2)), "g" + (s % 4));
            }
        }

        var slots = Enumerable.Range(0, n).ToArray();
        var values = new double[n];
        var rng = new Random(7);
        var a = new double[n * shape.Width];
        var b = new double[n * shape.Width];
        for (var t = 0; t < 40; t++)
        {
            for (var s = 0; s < n; s++)
            {
                var u = rng.NextDouble();
                values[s] = u < 0.03 ? double.NaN : u < 0.04 ? -1 : u < 0.045 ? double.PositiveInfinity : 10 + (s % 9) + (5 * rng.NextDouble());
            }

            var batch = t == 20 ? slots.Append(5).ToArray() : slots;
            var batchValues = t == 20 ? values.Append(3.0).ToArray() : values;
            one.Observe(1_700_000_000 + (t * 300L), batch, batchValues);
            two.Observe(1_700_000_000 + (t * 300L), batch, batchValues);
            one.Forecast(slots, a);
            two.Forecast(slots, b);
            Assert.Equal(a, b);
        }

        var wa = new double[one.Members.Count];
        var wb = new double[two.Members.Count];
        for (var s = 0; s < n; s += 97)
        {
            one.GetWeights(s, 1, wa);
            two.GetWeights(s, 1, wb);
            Assert.Equal(wa, wb);
        }

        Assert.All(a, x => Assert.True(double.IsFinite(x) && x >= 0));
    }

    [Fact]
    public void Threads_MemberNotSteppingSeriesIndependently_StepsOnTheCallersThread()
    {
        var shape = ForecastShape.ForStep(300, [300], ForecastShape.DefaultQuantiles);
        const int n = 4 * EnsembleForecaster.ChunkSeries;
        var recorder = new ThreadRecorder(shape);
        var f = new EnsembleForecaster(shape, [new PersistenceForecaster(shape), recorder], new EnsembleOptions { Threads = 2 });
        f.AddSeries(n);
        var slots = Enumerable.Range(0, n).ToArray();
        var values = Enumerable.Range(0, n).Select(s => 1.0 + (s % 5)).ToArray();
        for (var t = 0; t < 5; t++)
        {
            f.Observe(1_700_000_000 + (t * 300L), slots, values);
        }

        Assert.Equal([Environment.CurrentManagedThreadId], recorder.Threads);
    }

    /// <summary>Persistence that notes the threads it is stepped on (and, like any model by default, does not claim to step series independently).</summary>
    private sealed class ThreadRecorder(ForecastShape shape) : ForecasterBase("thread-recorder", shape)
    {
        public HashSet<int> Threads { get; } = [];

        protected override void Grow(int capacity)
        {
        }

        protected override void ResetOne(int series)
        {
        }

        protected override void ObserveOne(int series, long timestampSeconds, double value)
        {
            lock (Threads)
            {
                Threads.Add(Environment.CurrentManagedThreadId);
            }
        }

        protected override void ForecastOne(int series, Span<double> destination) => destination.Fill(LastValid[series]);
    }

    [Theory]
    [InlineData(3.0, false)]
    [InlineData(0.0, true)]
    public void MemberCeiling_OccasionalAbsurdForecast_LeftOutOfTheCombination(double ceiling, bool absurdServed)
    {
        // A member better than persistence most of the time keeps a real weight; every 400th step it forecasts 1,000 ×
        // the level. With the ceiling (3 × the largest value seen) those forecasts are left out; without it they move
        // what is served.
        var shape = ForecastShape.ForStep(300, [300], ForecastShape.DefaultQuantiles);
        var f = new EnsembleForecaster(shape, [new PersistenceForecaster(shape), new Occasionally(shape)], new EnsembleOptions { MemberCeiling = ceiling });
        f.AddSeries(1);
        var output = new double[shape.Width];
        var largestServed = 0.0;
        for (var t = 0; t < 1300; t++)
        {
            f.Observe(1_700_000_000 + (t * 300L), [0], [10 + (t % 3)]);
            f.Forecast([0], output);
            if (t > 350)
            {
                largestServed = Math.Max(largestServed, output.Max());
            }
        }

        Assert.Equal(absurdServed, largestServed > 3 * 12);
    }

    /// <summary>11 (the level of the test's 10, 11, 12 cycle), except at every 400th step: 11,000.</summary>
    private sealed class Occasionally(ForecastShape shape) : ForecasterBase("occasionally", shape)
    {
        protected override void Grow(int capacity)
        {
        }

        protected override void ResetOne(int series)
        {
        }

        protected override void ObserveOne(int series, long timestampSeconds, double value)
        {
        }

        protected override void ForecastOne(int series, Span<double> destination) =>
            destination.Fill(Steps[series] % 400 == 0 ? 11_000 : 11);
    }

    [Fact]
    public void Observe_NoPriorSteps_IntervalsStayAlive()
    {
        // PriorSteps = 0 (no hierarchical prior): a series' own calibration from its first scored step, never NaN.
        var f = ForecasterRegistry.CreateEnsemble(Shape, options: new EnsembleOptions { PriorSteps = 0 });
        f.AddSeries(1);
        var v = Signals.Diurnal(600, 10, 3, 1.5, 4);
        var output = new double[Shape.Width];
        for (var t = 0; t < v.Length; t++)
        {
            f.Observe(1_700_000_000 + (t * 300L), [0], [v[t]]);
        }

        f.Forecast([0], output);
        Assert.All(output, x => Assert.True(double.IsFinite(x)));
        Assert.True(output[Shape.IndexOfQuantile(0.9)] > output[Shape.IndexOfQuantile(0.5)], string.Join(", ", output));
    }

    [Theory]
    [InlineData(40)]
    [InlineData(99)]
    public void QuantileLosses_YoungSeries_ArePlainMeansOfEveryScore(int scores)
    {
        // Until a series has had 1/QuantileLossDecay scores its per-level losses are the mean of all of them (not the
        // first score decayed by 1 %): persistence's loss at each level is the mean pinball loss of "the last value".
        var f = new EnsembleForecaster(Shape, [new PersistenceForecaster(Shape), new EwmaForecaster(Shape)]);
        f.AddSeries(1);
        var v = Signals.Diurnal(scores + 1, 10, 3, 1.5, 9);
        for (var t = 0; t < v.Length; t++)
        {
            f.Observe(1_700_000_000 + (t * 300L), [0], [v[t]]);
        }

        var calibration = new float[f.CalibrationLength];
        f.ExportCalibration(0, calibration);
        var qs = Shape.Quantiles;
        // Members' pending forecasts are kept in half precision: a loss may be off by up to 2^-10 of the level.
        var tolerance = v.Max() * Math.Pow(2, -10);
        var decay = new EnsembleOptions().QuantileLossDecay;
        // The per-level losses follow the members' (1 horizon × 2 members); persistence is source 0, so its level j is at 2 + j.
        const int PersistenceAt = 1 * 2;
        for (var j = 0; j < qs.Length; j++)
        {
            double mean = 0, decayed = 0;
            for (var t = 1; t < v.Length; t++)
            {
                var e = v[t] - v[t - 1];
                var pin = Math.Max(qs[j] * e, (qs[j] - 1) * e);
                mean += pin;
                decayed = t == 1 ? pin : decayed + (decay * (pin - decayed));
            }

            mean /= scores;
            var stored = calibration[PersistenceAt + j];
            Assert.True(Math.Abs(stored - mean) <= tolerance, $"level {qs[j]}: stored {stored}, mean {mean}");
            Assert.True(Math.Abs(stored - mean) < Math.Abs(stored - decayed), $"level {qs[j]}: stored {stored} nearer the first score decayed ({decayed}) than the mean ({mean})");
        }
    }

    [Theory]
    [InlineData(0, 8)]
    [InlineData(100, 8)]
    [InlineData(200, 16)]
    [InlineData(400, 32)]
    [InlineData(5000, 32)]
    public void StageTwoSharpness_RampsWithTheScoresBehindTheLosses(long scored, double expected)
    {
        var o = new EnsembleOptions();
        Assert.Equal(expected, EnsembleForecaster.StageTwoSharpness(o.QuantileSharpness, o.QuantileLossDecay, scored), 9);
    }

    [Fact]
    public void Weights_OneMemberExact_GetsNearlyAllWeight()
    {
        // A square wave with a daily period: seasonal-naive is exact after one day, the others lag at every edge.
        var f = ForecasterRegistry.CreateEnsemble(Shape);
        f.AddSeries(1);
        for (var t = 0; t < 288 * 6; t++)
        {
            var value = (t % 288) < 144 ? 10.0 : 30.0;
            f.Observe(1_700_000_000 + (t * 300L), [0], [value]);
        }

        var w = new double[f.Members.Count];
        f.GetWeights(0, 0, w);
        var seasonal = f.Members.ToList().FindIndex(m => m.Name == "seasonal-naive");
        Assert.True(w[seasonal] > 0.3, string.Join(", ", w));
    }

    [Fact]
    public void Forecast_NewSeriesInKnownGroup_BorrowsGroupLevel()
    {
        var f = ForecasterRegistry.CreateEnsemble(Shape);
        f.AddSeries(3);
        for (var s = 0; s < 3; s++)
        {
            f.DescribeSeries(s, new SeriesKey(EntityKind.User, "u" + s, ResourceKind.Cpu), "physics");
        }

        for (var t = 0; t < 500; t++)
        {
            f.Observe(1_700_000_000 + (t * 300L), [0, 1], [8 + (t % 2), 12 - (t % 2)]);
        }

        var output = new double[Shape.Width];
        f.Forecast([2], output);
        var median = output[Shape.IndexOfQuantile(0.5)];
        Assert.InRange(median, 8, 12);
        Assert.True(output[^1] > output[0]);
    }
}

public sealed class EnsembleCalibrationTests : IDisposable
{
    private static readonly ForecastShape Shape = ForecastShape.ForStep(300, [300, 3600], ForecastShape.EvaluationQuantiles);
    private readonly string _dir = Directory.CreateTempSubdirectory("prescient-cal-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    /// <summary>An ensemble with two series fed 900 steps of a diurnal signal (the second at twice the level).</summary>
    private static EnsembleForecaster Trained()
    {
        var a = ForecasterRegistry.CreateEnsemble(Shape);
        a.AddSeries(2);
        var v = Signals.Diurnal(900, 10, 3, 1, 8);
        for (var t = 0; t < v.Length; t++)
        {
            a.Observe(1_700_000_000 + (t * 300L), [0, 1], [v[t], v[t] * 2]);
        }

        return a;
    }

    [Fact]
    public void SaveLoad_Calibration_RestoresWeightsAndRefusesMismatch()
    {
        var a = Trained();

        var path = Path.Combine(_dir, "cal.bin");
        a.SaveCalibration(path);
        var b = ForecasterRegistry.CreateEnsemble(Shape);
        b.AddSeries(2);
        b.LoadCalibration(path);
        var wa = new double[a.Members.Count];
        var wb = new double[b.Members.Count];
        for (var h = 0; h < 2; h++)
        {
            a.GetWeights(1, h, wa);
            b.GetWeights(1, h, wb);
            Assert.Equal(wa, wb);
        }

        var c = ForecasterRegistry.CreateEnsemble(Shape);
        c.AddSeries(3);
        var e = Assert.Throws<InvalidDataException>(() => c.LoadCalibration(path));
        Assert.Contains("does not match", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ExportImport_SeriesCalibration_MovesWeightsToAnotherSeriesAndRefusesNaNTrackers()
    {
        var a = Trained();

        var calibration = new float[a.CalibrationLength];
        a.ExportCalibration(1, calibration);
        var b = ForecasterRegistry.CreateEnsemble(Shape);
        b.AddSeries(3);
        b.ImportCalibration(2, calibration);
        var again = new float[b.CalibrationLength];
        b.ExportCalibration(2, again);
        Assert.Equal(calibration, again);
        var wa = new double[a.Members.Count];
        var wb = new double[b.Members.Count];
        for (var h = 0; h < 2; h++)
        {
            a.GetWeights(1, h, wa);
            b.GetWeights(2, h, wb);
            for (var k = 0; k < wa.Length; k++)
            {
                Assert.Equal(wa[k], wb[k], 5);
            }
        }

        // A conformal tracker (after the losses) cannot be NaN: refused, and the series keeps what it had.
        var damaged = (float[])calibration.Clone();
        damaged[(2 * a.Members.Count) + (2 * (a.Members.Count + 1) * Shape.QuantileCount)] = float.NaN;
        Assert.Throws<ArgumentException>(() => b.ImportCalibration(0, damaged));
        var untouched = new float[b.CalibrationLength];
        b.ExportCalibration(0, untouched);
        var fresh = new float[b.CalibrationLength];
        var c = ForecasterRegistry.CreateEnsemble(Shape);
        c.AddSeries(1);
        c.ExportCalibration(0, fresh);
        Assert.Equal(fresh, untouched);
        Assert.Throws<ArgumentException>(() => b.ImportCalibration(0, calibration.AsSpan(1)));
    }
}
