using Prescient.Abstractions.Forecasting;
using Prescient.Abstractions.Telemetry;
using Prescient.Forecasting.Models;

namespace Prescient.Forecasting.Tests;

/// <summary>The memory-bounding tiers: bucketed seasonal history, subsampled pending forecasts, up-front sizing.</summary>
public sealed class MemoryTierTests
{
    [Fact]
    public void SeriesHistory_Bucketed_ExactRecentAndBucketMeansBeyond()
    {
        var h = new SeriesHistory(length: 20, bucket: 4, exact: 6);
        h.Grow(2);
        h.Reset(0);
        h.Reset(1);
        for (var t = 0; t < 23; t++)
        {
            h.Push(0, t);
        }

        // Latest is 22. Lags 0..5 are exact.
        for (var k = 0; k < 6; k++)
        {
            Assert.Equal(22 - k, h.Lag(0, k));
        }

        // Lag 10 is step 12, in bucket [12..15] with mean 13.5; lag 19 is step 3, in bucket [0..3], mean 1.5.
        Assert.Equal(13.5, h.Lag(0, 10));
        Assert.Equal(1.5, h.Lag(0, 19));
        Assert.True(double.IsNaN(h.Lag(0, 20)));
        Assert.Equal(20, h.Count(0));
        Assert.True(double.IsNaN(h.Lag(1, 0)));
    }

    [Fact]
    public void SeriesHistory_ThreeTiers_RecentBucketsThenOlderMeansAcrossWrapAround()
    {
        // A week-like ring in miniature: 96 steps, the last 2 exact, buckets of 2 over the last 16 steps, older steps in
        // buckets of 8. Values = step index, so a bucket's mean is its middle; pushed far past the length so every ring
        // has wrapped many times.
        var h = new SeriesHistory(length: 96, bucket: 2, exact: 2, olderBucket: 8, recent: 16);
        var twoTiers = new SeriesHistory(length: 96, bucket: 2, exact: 2);
        Assert.Equal(8, h.OlderBucket);
        Assert.True(h.BytesPerSeries < twoTiers.BytesPerSeries / 2, $"{h.BytesPerSeries} bytes against {twoTiers.BytesPerSeries}");
        h.Grow(1);
        h.Reset(0);
        for (var steps = 1; steps <= 500; steps++)
        {
            h.Push(0, steps - 1);
            Assert.Equal(Math.Min(steps, 96), h.Count(0));
            for (var lag = 0; lag < 100; lag++)
            {
                var t = steps - 1 - lag;
                var value = h.Lag(0, lag);
                if (lag >= Math.Min(steps, 96))
                {
                    Assert.True(double.IsNaN(value), $"steps {steps} lag {lag}: {value}");
                    continue;
                }

                // Older buckets are read interpolated between bucket centres: on this line that is t itself, except
                // outside the outermost centres, where the bucket's own mean is read.
                var fine = (t / 2 * 2) + 0.5;
                var mean = (t / 8 * 8) + 3.5;
                if (lag < 2)
                {
                    Assert.Equal(t, value);
                }
                else if (lag < 16)
                {
                    Assert.Equal(fine, value, fine * 1e-3);
                }
                else
                {
                    var older = Math.Abs(value - t) <= t * 1e-3 || Math.Abs(value - mean) <= mean * 1e-3;
                    Assert.True(lag >= 16 + 8 ? older : older || Math.Abs(value - fine) <= fine * 1e-3, $"steps {steps} lag {lag}: {value}");
                    if (lag >= 16 + 8 && lag < Math.Min(steps, 96) - 8)
                    {
                        Assert.Equal(t, value, t * 1e-3);
                    }
                }
            }
        }
    }

    [Fact]
    public void SeriesHistory_ThreeTiers_OlderMeanOfValidBucketsRescaledAsTheSeriesGrows()
    {
        var h = new SeriesHistory(length: 64, bucket: 2, exact: 2, olderBucket: 8, recent: 8);
        h.Grow(1);
        h.Reset(0);

        // Steps 0..7: one bucket with no valid value, the others 1, 1, 4 → the older mean 2 (of the valid buckets); steps
        // 8..15 all missing → missing; then a series a million times larger raises the scale, and the older means keep
        // their values.
        double[] first = [double.NaN, double.NaN, 1, 1, 1, 1, 4, 4];
        foreach (var v in first)
        {
            h.Push(0, v);
        }

        for (var k = 0; k < 8; k++)
        {
            h.Push(0, double.NaN);
        }

        for (var k = 0; k < 24; k++)
        {
            h.Push(0, 1e6);
        }

        // 40 steps pushed: steps 0..7 are lags 32..39, steps 8..15 lags 24..31.
        Assert.Equal(2, h.Lag(0, 39), 2 * 1e-3);
        Assert.Equal(2, h.Lag(0, 32), 2 * 1e-3);
        Assert.True(double.IsNaN(h.Lag(0, 28)));
        Assert.Equal(1e6, h.Lag(0, 0));
        Assert.Equal(1e6, h.Lag(0, 10), 1e6 * 1e-3);
        Assert.Throws<ArgumentException>(() => new SeriesHistory(length: 64, bucket: 2, exact: 2, olderBucket: 3, recent: 8));
        Assert.Throws<ArgumentException>(() => new SeriesHistory(length: 64, bucket: 1, olderBucket: 4, recent: 8));
    }

    [Fact]
    public void SeriesHistory_BucketWithMissingValues_MeanOfValidOnesAndNaNWhenNone()
    {
        var h = new SeriesHistory(length: 16, bucket: 4, exact: 4);
        h.Grow(1);
        h.Reset(0);
        double[] values = [1, double.NaN, 3, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, 5, 5, 5, 5];
        foreach (var v in values)
        {
            h.Push(0, v);
        }

        // Steps 0..3 → mean of 1 and 3; steps 4..7 → no valid value.
        Assert.Equal(2, h.Lag(0, 11));
        Assert.True(double.IsNaN(h.Lag(0, 6)));
    }

    [Fact]
    public void SeriesHistory_BucketMeansOverNineDecades_WithinHalfPrecision()
    {
        // A series that starts tiny and grows a billion-fold: the stored scale is raised as it grows, and every bucket
        // mean still in range of the newest reads back within half precision's rounding (relative 2^-11), while much
        // older, far smaller means may only lose precision, never become wrong in sign or blow up.
        var h = new SeriesHistory(length: 400, bucket: 4, exact: 4);
        h.Grow(1);
        h.Reset(0);
        var values = new double[400];
        for (var t = 0; t < values.Length; t++)
        {
            values[t] = 1e-3 * Math.Pow(10, 9.0 * t / values.Length) * (1 + (0.1 * (t % 3)));
            h.Push(0, values[t]);
        }

        var newest = values[^1];
        for (var lag = 4; lag < 400; lag++)
        {
            var t = values.Length - 1 - lag;
            var b = t / 4;
            var mean = (values[4 * b] + values[(4 * b) + 1] + values[(4 * b) + 2] + values[(4 * b) + 3]) / 4;
            var read = h.Lag(0, lag);
            Assert.True(read >= 0 && double.IsFinite(read), $"lag {lag}: {read}");
            if (mean > 1e-4 * newest)
            {
                Assert.True(Math.Abs(read - mean) <= 1e-3 * mean, $"lag {lag}: {read} vs {mean}");
            }
        }
    }

    [Fact]
    public void SeriesHistory_AbsurdBucketMean_KeptAsMissingAndTheRestIntact()
    {
        var h = new SeriesHistory(length: 40, bucket: 4, exact: 4);
        h.Grow(1);
        h.Reset(0);
        double[] values = [1, 2, 3, 2, 3e38, 3e38, 3e38, 3e38, 2, 2, 2, 2, 5, 5, 5, 5];
        foreach (var v in values)
        {
            h.Push(0, v);
        }

        // Buckets: [1,2,3,2] mean 2; the absurd one (its float sum overflows) missing; [2,2,2,2] mean 2.
        Assert.Equal(2, h.Lag(0, 15));
        Assert.True(double.IsNaN(h.Lag(0, 11)));
        Assert.Equal(2, h.Lag(0, 7));
        Assert.Equal(5, h.Lag(0, 0));
    }

    [Theory]
    [InlineData(60, 1440, 900, 15)]
    [InlineData(300, 288, 900, 3)]
    [InlineData(300, 288, 0, 1)]
    [InlineData(60, 1440, 60, 1)]
    [InlineData(70, 1234, 900, 2)]
    public void BucketSteps_LargestDivisorOfThePeriod(int step, int period, int resolution, int expected) =>
        Assert.Equal(expected, SeriesHistory.BucketSteps(step, period, resolution));

    [Fact]
    public void PendingForecasts_Subsampled_KeepsEveryStrideAndSurvivesUntilScored()
    {
        var p = new PendingForecasts([1, 5, 60], 2, slotsPerHorizon: 4);
        Assert.Equal(1, p.StrideOf(0));
        Assert.Equal(2, p.StrideOf(1));
        Assert.Equal(15, p.StrideOf(2));
        Assert.Equal(((1 + 1) + (2 + 1) + (4 + 1)) * 2, p.NumbersPerSeries);
        p.Grow(2);
        p.Reset(0);
        p.Reset(1);
        for (long step = 0; step < 400; step++)
        {
            for (var h = 0; h < 3; h++)
            {
                int[] horizons = [1, 5, 60];
                var made = step - horizons[h];
                if (made >= 0 && p.Records(h, made))
                {
                    // The record written `horizons[h]` steps ago is intact for both series.
                    Assert.Equal(made, p.At(0, h, made)[0]);
                    Assert.Equal(-made, p.At(1, h, made)[1]);
                }

                if (p.Records(h, step))
                {
                    p.At(0, h, step)[0] = step;
                    p.At(1, h, step)[1] = -step;
                }
            }
        }
    }

    [Fact]
    public void PendingForecasts_Compact_KeepsEachRecordWithinHalfPrecisionOfItsLargest()
    {
        var p = new PendingForecasts([1, 5], 4, compact: true);
        Assert.Equal(((1 + 1) + (5 + 1)) * ((4 * 2) + 4), p.BytesPerSeries);
        p.Grow(3);
        for (var s = 0; s < 3; s++)
        {
            p.Reset(s);
        }

        var read = new float[4];
        p.Read(1, 0, 0, read);
        Assert.All(read, x => Assert.True(float.IsNaN(x)));
        Assert.Throws<InvalidOperationException>(() => p.At(0, 0, 0));

        float[][] records =
        [
            [3.1415927f, 1e-3f, float.NaN, 0f],
            [1.5e9f, 1234567f, 0.5f, -7.25e8f],
            [2.2e-7f, 1.1e-7f, 3.3e-9f, 0f],
            [65504f, 70000f, -1e5f, float.PositiveInfinity],
        ];
        for (var i = 0; i < records.Length; i++)
        {
            p.Write(i % 3, 1, i, records[i]);
            p.Read(i % 3, 1, i, read);
            var largest = records[i].Where(float.IsFinite).Max(Math.Abs);
            for (var j = 0; j < 4; j++)
            {
                var x = records[i][j];
                if (float.IsNaN(x) || float.IsInfinity(x))
                {
                    Assert.Equal(x, read[j]);
                    continue;
                }

                // 2⁻¹¹ relative to the value, or to the record's largest for values far below it.
                Assert.True(Math.Abs(read[j] - x) <= Math.Max(Math.Abs(x), largest * 1e-4f) * (1f / 2048), $"record {i}[{j}]: {x} read back as {read[j]}");
            }
        }

        // Other series and horizons are untouched.
        p.Read(2, 0, 0, read);
        Assert.All(read, x => Assert.True(float.IsNaN(x)));
    }

    [Theory]
    [InlineData(0, 0, 0)]
    [InlineData(900, 4, 0)]
    [InlineData(900, 4, 3600)]
    public void Ensemble_AtOneMinuteSteps_Calibrated(int resolution, int slots, int olderResolution)
    {
        // Three series of one group, pooled: the hour-ahead quantile is scored every 15th step at most, so one series'
        // coverage over four days swings by ±4 points around its level.
        const int S = 3;
        var shape = ForecastShape.ForStep(60, [60, 300, 3600], [0.5, 0.9, 0.99]);
        var lean = ForecasterRegistry.CreateEnsemble(shape, options: new EnsembleOptions { SeasonalResolutionSeconds = resolution, PendingSlotsPerHorizon = slots, OlderDaysResolutionSeconds = olderResolution });
        lean.AddSeries(S);
        var signals = new double[S][];
        for (var s = 0; s < S; s++)
        {
            lean.DescribeSeries(s, new SeriesKey(EntityKind.Job, $"j{s}", ResourceKind.Cpu), "g");
            signals[s] = Signals.Diurnal(1440 * 6, 10, 3, 1.0, 7 + s);
        }

        var output = new double[S * shape.Width];
        var hi = shape.IndexOfQuantile(0.9);
        int[] covered = new int[3], n = new int[3];
        int[] horizon = [1, 5, 60];
        int[] all = [0, 1, 2];
        var values = new double[S];
        var length = signals[0].Length;
        for (var t = 0; t < length; t++)
        {
            for (var s = 0; s < S; s++)
            {
                values[s] = signals[s][t];
            }

            lean.Observe(1_700_000_000 + (t * 60L), all, values);
            lean.Forecast(all, output);
            for (var s = 0; s < S; s++)
            {
                for (var h = 0; h < 3; h++)
                {
                    var issued = output[(s * shape.Width) + (h * shape.QuantileCount) + hi];
                    Assert.True(double.IsFinite(issued) && issued >= 0);
                    var target = t + horizon[h];
                    if (t > 1440 * 2 && target < length)
                    {
                        n[h]++;
                        covered[h] += signals[s][target] <= issued ? 1 : 0;
                    }
                }
            }
        }

        // The 0.9 quantile covers about 90 % at every horizon, the hour ahead (scored every 15th step) included.
        var shares = string.Join(", ", Enumerable.Range(0, 3).Select(h => (covered[h] / (double)n[h]).ToString("F3", System.Globalization.CultureInfo.InvariantCulture)));
        for (var h = 0; h < 3; h++)
        {
            Assert.True(covered[h] / (double)n[h] is >= 0.86 and <= 0.94, $"coverage of the 0.9 quantile per horizon: {shares}");
        }
    }

    [Fact]
    public void Ensemble_EnsureCapacityInSteps_MembersSizedExactlyAlike()
    {
        var shape = ForecastShape.ForStep(60, [60, 3600], [0.5, 0.9]);
        var f = ForecasterRegistry.CreateEnsemble(shape);
        foreach (var wanted in new[] { 1000, 1100, 1250 })
        {
            f.EnsureCapacity(wanted);
            f.AddSeries(wanted - f.SeriesCount);
            Assert.Equal(wanted, f.Capacity);
            Assert.All(f.Members, m => Assert.Equal(wanted, ((ForecasterBase)m).Capacity));
        }
    }

    [Fact]
    public void Ensemble_MembersReadItsBookkeeping_ForecastExactlyAsAloneAndSurviveReuse()
    {
        // Members share the ensemble's step counters and last values; each must forecast exactly as the same model
        // observed on its own (Holt-Winters reads the step count at forecast time, persistence the last value).
        var shape = ForecastShape.ForStep(300, [300, 3600], [0.5, 0.9]);
        var ensemble = new EnsembleForecaster(shape, [new HoltWintersForecaster(shape), new PersistenceForecaster(shape), new EwmaForecaster(shape)]);
        IForecaster[] alone = [new HoltWintersForecaster(shape), new PersistenceForecaster(shape), new EwmaForecaster(shape)];
        ensemble.AddSeries(3);
        foreach (var a in alone)
        {
            a.AddSeries(3);
        }

        // Members that already have series keep their own bookkeeping: this ensemble must combine exactly alike.
        IForecaster[] own = [new HoltWintersForecaster(shape), new PersistenceForecaster(shape), new EwmaForecaster(shape)];
        foreach (var m in own)
        {
            m.AddSeries(1);
        }

        var unshared = new EnsembleForecaster(shape, own);
        unshared.AddSeries(3);
        var combined = new double[shape.Width];
        var combinedUnshared = new double[shape.Width];

        var v = Signals.Diurnal(600, 10, 3, 0.5, 11);
        var inMember = new double[shape.Width];
        var onItsOwn = new double[shape.Width];
        for (var t = 0; t < v.Length; t++)
        {
            // Series 1 gets gaps; series 2 is reset halfway (a slot reused by a new job).
            int[] series = [0, 1, 2];
            double[] values = [v[t], t % 7 == 3 ? double.NaN : v[t] * 2, v[t] + 1];
            if (t == 300)
            {
                ensemble.ResetSeries(2);
                unshared.ResetSeries(2);
                foreach (var a in alone)
                {
                    a.ResetSeries(2);
                }
            }

            ensemble.Observe(t * 300L, series, values);
            unshared.Observe(t * 300L, series, values);
            foreach (var a in alone)
            {
                a.Observe(t * 300L, series, values);
            }

            foreach (var s in series)
            {
                ensemble.Forecast([s], combined);
                unshared.Forecast([s], combinedUnshared);
                Assert.Equal(combinedUnshared, combined);
            }

            for (var k = 0; k < alone.Length; k++)
            {
                foreach (var s in series)
                {
                    ensemble.Members[k].Forecast([s], inMember);
                    alone[k].Forecast([s], onItsOwn);
                    Assert.Equal(onItsOwn, inMember);
                }
            }
        }
    }

    [Fact]
    public void EnsureCapacity_ThenAddSeries_SameForecastsAsGrowingOneByOne()
    {
        var shape = ForecastShape.ForStep(300, [300, 3600], [0.5, 0.9]);
        var sized = ForecasterRegistry.CreateEnsemble(shape);
        var grown = ForecasterRegistry.CreateEnsemble(shape);
        sized.EnsureCapacity(40);
        sized.AddSeries(40);
        for (var i = 0; i < 40; i++)
        {
            grown.AddSeries(1);
        }

        var slots = Enumerable.Range(0, 40).ToArray();
        var values = new double[40];
        var a = new double[40 * shape.Width];
        var b = new double[40 * shape.Width];
        for (var t = 0; t < 300; t++)
        {
            for (var s = 0; s < 40; s++)
            {
                values[s] = 5 + s + Math.Sin((t + s) / 10.0);
            }

            sized.Observe(1_700_000_000 + (t * 300L), slots, values);
            grown.Observe(1_700_000_000 + (t * 300L), slots, values);
        }

        sized.Forecast(slots, a);
        grown.Forecast(slots, b);
        Assert.Equal(a, b);
    }

    [Fact]
    public void Ensemble_SharedHistory_SameForecastsAsMembersKeepingTheirOwn()
    {
        var shape = ForecastShape.ForStep(300, [300, 3600], [0.5, 0.9]);
        var shared = ForecasterRegistry.CreateEnsemble(shape);
        var own = new EnsembleForecaster(shape,
        [
            new PersistenceForecaster(shape), new SeasonalNaiveForecaster(shape), new EwmaForecaster(shape),
            new BayesDlmForecaster(shape), new SeasonalMedianForecaster(shape), new WindowQuantileForecaster(shape, 3, "window-median-3"),
            new WindowQuantileForecaster(shape, 6, "window-median-6"), new WindowQuantileForecaster(shape, 12, "window-median-12"),
            new WindowQuantileForecaster(shape, 24, "window-median-24"),
        ]);
        shared.AddSeries(3);
        own.AddSeries(3);
        var v = Signals.Diurnal(288 * 9, 10, 3, 1.0, 3);
        var a = new double[3 * shape.Width];
        var b = new double[3 * shape.Width];
        for (var t = 0; t < v.Length; t++)
        {
            double[] values = [v[t], t % 5 == 0 ? double.NaN : 2 * v[t], 1 + (t % 7)];
            shared.Observe(1_700_000_000 + (t * 300L), [0, 1, 2], values);
            own.Observe(1_700_000_000 + (t * 300L), [0, 1, 2], values);
            if (t == 500)
            {
                shared.ResetSeries(2);
                own.ResetSeries(2);
            }
        }

        shared.Forecast([0, 1, 2], a);
        own.Forecast([0, 1, 2], b);
        Assert.Equal(b, a);
    }

    [Fact]
    public void SharedHistory_TooShortForTheModel_Refused()
    {
        var shape = ForecastShape.ForStep(300, [300], [0.5]);
        var day = new SeriesHistory(288);
        var e = Assert.Throws<ArgumentException>(() => new SeasonalMedianForecaster(shape, 7, 0, day));
        Assert.Contains("shorter than", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new WindowQuantileForecaster(shape, 24, null, new SeriesHistory(288, bucket: 3, exact: 6)));
    }
}
