using Prescient.Forecasting.Load;
using Prescient.Forecasting.Traces;

namespace Prescient.Forecasting.Tests;

public sealed class LoadForecasterTests
{
    internal static List<JobRecord> History()
    {
        var rng = new Random(4);
        var jobs = new List<JobRecord>();
        var t = 1_700_000_000L;
        for (var i = 0; i < 2000; i++)
        {
            t += rng.Next(60, 1200);
            var user = "u" + rng.Next(5);
            jobs.Add(new JobRecord(i, t, t + rng.Next(0, 600), 300 + rng.Next(0, 7200), 1 + rng.Next(8), -1, user, "g" + (user == "u0" ? 0 : 1), "p", 7200 + 600));
        }

        return jobs;
    }

    [Fact]
    public void Forecast_Parts_ReconcileToTotalAndUsers()
    {
        var f = new LoadForecaster { CapacityProcessors = 1000 };
        f.Fit(History());
        var now = 1_800_000_000L;
        var running = new List<RunningJob> { new("1", "u1", "g1", 4, now - 600, 3600), new("2", "u2", "g1", 8, now - 60, 0) };
        var pending = new List<PendingJob> { new("3", "u3", "g1", 2, now - 100, now + 120, 3600), new("4", "u1", "g1", 2, now - 100, null, 3600) };
        var events = new List<RegisteredEvent> { new("deadline", now + 3000, now + 7200, 16) };
        var tasks = new List<ScheduledTask> { new("backup", now - 86400 + 3500, 600, 4, 86400) };
        var r = f.Forecast(now, [300, 3600], [0.1, 0.5, 0.9], running, pending, events, tasks);
        for (var h = 0; h < 2; h++)
        {
            Assert.Equal(r.Running[h] + r.Pending[h] + r.Arrivals[h] + r.Calibration[h] + r.Events[h] + r.Scheduled[h], r.Total[h], 9);
            var users = r.ByUser.Values.Sum(v => v[h]);
            Assert.Equal(r.Running[h] + r.Pending[h] + r.Arrivals[h], users, 6);
            Assert.True(r.TotalQuantiles[(h * 3) + 2] >= r.TotalQuantiles[h * 3]);
        }

        Assert.Equal(0, r.Events[0]);
        Assert.Equal(16, r.Events[1]);
        Assert.Equal(4, r.Scheduled[1]);
        Assert.InRange(r.Running[0], 0, 12);
        Assert.True(r.Running[1] <= r.Running[0]);
    }

    [Fact]
    public void Forecast_PastTimeLimit_JobCountsZero()
    {
        var f = new LoadForecaster();
        f.Fit(History());
        var now = 1_800_000_000L;
        var r = f.Forecast(now, [3600], [0.5], [new RunningJob("1", "u1", "g1", 64, now - 100, 600)], []);
        Assert.Equal(0, r.Running[0]);
    }

    [Fact]
    public void Forecast_FullCluster_QueueWaitsForCapacity()
    {
        var f = new LoadForecaster { CapacityProcessors = 10 };
        f.Fit(History());
        var now = 1_800_000_000L;
        var r = f.Forecast(now, [300], [0.5], [new RunningJob("1", "u1", "g1", 10, now - 10, 100_000)],
            [new PendingJob("2", "u2", "g1", 10, now - 10, now + 10, 3600)]);
        Assert.True(r.Running[0] + r.Pending[0] <= 10 + 1e-9);
    }

    [Fact]
    public void Backtest_TuningLog_MedianBeatsPersistenceAndIntervalsCover()
    {
        // KTH is the log the method was tuned on (NASA is the held-out one, see docs/models/forecasting.md); this
        // guards the tuned behaviour at a coarser origin stride than the documented run.
        var path = TestData.RequireDirectory("swf/KTH-SP2-1996-2.1-cln.swf.gz");
        var jobs = SwfReader.ReadJobs(path, new TraceDiagnostics());
        var r = LoadForecaster.Backtest(jobs, [300, 3600, 14400], 0.3, 6 * 3600, samples: 200);
        Assert.True(r.Origins > 900);
        for (var h = 0; h < 3; h++)
        {
            Assert.True(r.MedianMae[h] < r.PersistenceMae[h], $"horizon {r.HorizonSeconds[h]} s: median MAE {r.MedianMae[h]:F2} vs persistence {r.PersistenceMae[h]:F2}");
            Assert.InRange(r.Coverage80[h], 0.6, 0.95);
        }
    }
}
