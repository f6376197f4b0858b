using Prescient.Forecasting.Load;
using Prescient.Forecasting.Traces;

namespace Prescient.Forecasting.Tests;

public sealed class LoadForecasterPathTests
{
    private const long Week = 7 * 86400;
    private const long Now = 1_800_000_000L;

    /// <summary>
    /// 100 jobs a week apart, all at an hour of the week 12 hours away from <see cref="Now"/>'s (so arrivals in the
    /// hours after it are rare): 30 % run 500 s, 70 % run 10⁶ s. A job of age 10 s is then still running an hour later
    /// with probability S(3610)/S(10) = 0.7 / 1.
    /// </summary>
    private static LoadForecaster TwoRuntimes(double capacity = 0)
    {
        var jobs = new List<JobRecord>();
        var t = Now - (101 * Week) + (12 * 3600);
        for (var i = 0; i < 100; i++)
        {
            var run = i % 10 < 3 ? 500 : 1_000_000;
            jobs.Add(new JobRecord(i, t + (i * Week), t + (i * Week), run, 64, -1, "u" + (i % 2), "g", "p"));
        }

        var f = new LoadForecaster { CapacityProcessors = capacity, LearnCalibration = false };
        f.Fit(jobs);
        return f;
    }

    [Fact]
    public void Forecast_OneLargeJob_MedianIsItsLikelyStateNotTheMean()
    {
        var f = TwoRuntimes();
        var r = f.Forecast(Now, [3600], [0.1, 0.5, 0.9], [new RunningJob("1", "other", "g", 64, Now - 10, 0)], []);

        // Still running with probability 0.7: the median holds all 64 processors, the 0.1 quantile none, the mean 44.8.
        Assert.Equal(0, r.TotalQuantiles[0]);
        Assert.Equal(64, r.TotalQuantiles[1]);
        Assert.Equal(64, r.TotalQuantiles[2]);
        Assert.InRange(r.Running[0], 44.8 - 6, 44.8 + 6);
        Assert.InRange(r.Variance[0], 0.21 * 64 * 64 * 0.8, 0.21 * 64 * 64 * 1.2);
    }

    [Fact]
    public void Forecast_ThreeJobs_MedianOfTheSumOfTheirStates()
    {
        var f = TwoRuntimes();
        var running = new List<RunningJob>
        {
            new("1", "other", "g", 10, Now - 10, 0),
            new("2", "other", "g", 10, Now - 10, 0),
            new("3", "other", "g", 10, Now - 10, 0),
        };
        var r = f.Forecast(Now, [3600], [0.5], running, []);

        // Survivors ~ Binomial(3, 0.7): P(≤ 1) = 0.216, P(≤ 2) = 0.657, so the median is 2 jobs = 20 processors (the
        // mean, 21, is not a state the cluster can be in).
        Assert.Equal(20, r.TotalQuantiles[0]);
    }

    [Fact]
    public void Forecast_AtHorizonZero_IsExactlyTheLoadNow()
    {
        var f = new LoadForecaster { CapacityProcessors = 100 };
        f.Fit(LoadForecasterTests.History());
        var running = new List<RunningJob> { new("1", "u1", "g1", 4, Now - 600, 3600), new("2", "u2", "g1", 8, Now - 60, 0), new("3", "u9", "g1", 3, Now - 5, 10) };
        var pending = new List<PendingJob> { new("4", "u3", "g1", 50, Now - 100, null, 3600) };
        var r = f.Forecast(Now, [0, 300], [0.05, 0.5, 0.95], running, pending);
        Assert.Equal(15, r.Running[0], 9);
        Assert.Equal(0, r.Calibration[0], 9);
        Assert.Equal(15, r.Total[0], 9);
        for (var q = 0; q < 3; q++)
        {
            Assert.Equal(15, r.TotalQuantiles[q], 9);
        }
    }

    [Fact]
    public void Forecast_PendingJobWiderThanWhatIsFree_StartsOnlyWhenRoomFrees()
    {
        var f = TwoRuntimes(capacity: 100);

        // 64 of 100 processors held by a job that surely outlives the hour (10⁶-s runs only); the queued 64-wide job
        // is due now by the scheduler but cannot fit until it ends.
        var running = new List<RunningJob> { new("1", "other", "g", 64, Now - 10_000, 0) };
        var pending = new List<PendingJob> { new("2", "other", "g", 64, Now - 10, Now, 0), new("3", "other", "g", 30, Now - 5, Now, 0) };
        var r = f.Forecast(Now, [3600], [0.5], running, pending);
        Assert.Equal(64, r.Running[0], 9);
        Assert.Equal(30 * 0.7, r.Pending[0], 2.5);
        Assert.True(r.Running[0] + r.Pending[0] <= 100);
    }

    [Fact]
    public void Forecast_SameSeed_SameForecast_OtherSeed_SameMedian()
    {
        var running = new List<RunningJob> { new("1", "u1", "g1", 4, Now - 600, 3600), new("2", "u2", "g1", 8, Now - 60, 0) };
        var pending = new List<PendingJob> { new("3", "u3", "g1", 2, Now - 100, null, 3600) };
        var a = new LoadForecaster { CapacityProcessors = 64 };
        a.Fit(LoadForecasterTests.History());
        var first = a.Forecast(Now, [300, 3600], [0.1, 0.5, 0.9], running, pending);
        var again = a.Forecast(Now, [300, 3600], [0.1, 0.5, 0.9], running, pending);
        Assert.Equal(first.TotalQuantiles, again.TotalQuantiles);
        Assert.Equal(first.Total, again.Total);

        a.Seed = 7;
        var other = a.Forecast(Now, [300, 3600], [0.1, 0.5, 0.9], running, pending);
        Assert.Equal(first.Total[1], other.Total[1], 1.5);
    }

    [Fact]
    public void Fit_LearnsCalibrationWithinItsGrid_AndOffKeepsPathsAsDrawn()
    {
        var learned = new LoadForecaster { CapacityProcessors = 40 };
        learned.Fit(LoadForecasterTests.History());
        foreach (var tau in new[] { 60, 300, 1000, 3600, 7200, 14400, 86400 })
        {
            Assert.InRange(learned.DampingAt(tau), 0, 1);
            Assert.InRange(learned.SpreadAt(tau), 0.5, 3);
        }

        var off = new LoadForecaster { CapacityProcessors = 40, LearnCalibration = false };
        off.Fit(LoadForecasterTests.History());
        var r = off.Forecast(Now, [3600], [0.5], [new RunningJob("1", "u1", "g1", 4, Now - 600, 0)], []);
        Assert.Equal(1, off.DampingAt(3600));
        Assert.Equal(1, off.SpreadAt(3600));
        Assert.Equal(0, r.Calibration[0], 9);
    }
}
