namespace Prescient.Replay.Workloads;

/// <summary>
/// The built-in workload: VM-like jobs whose statistics were measured on the Bitbrains GWA-T-12 Rnd traces
/// (July 2013, 60 VMs, 300 s steps; docs/models/replay.md shows how). Deterministic for a seed.
/// <list type="bullet">
/// <item>Mean CPU per job: log-normal, median 0.12 cores, 10th/90th percentiles 0.002 / 2.4 cores (σ of ln ≈ 2.3),
/// capped by the job's cores (1, 2, 4 or 8; median 4).</item>
/// <item>Variation: an AR(1) process in log space with lag-1 autocorrelation 0.875 (the traces' median), a daily
/// profile (the traces' hourly means relative to the day, with the batch peaks at 01:00 and 07:00 UTC), and
/// spikes at 1.5 % of steps (the traces' rate of steps over 1.5 × their hour's mean), ×2–5 for 1–4 steps.</item>
/// <item>Memory: log-normal mean, median 0.36 GiB (90th percentile 1.46), following CPU with correlation ≈ 0.66
/// through a slow component, plus rare level shifts (a job loading a data set).</item>
/// <item>Network and disk: proportional to CPU with independent noise.</item>
/// </list>
/// </summary>
public static class SyntheticWorkload
{
    /// <summary>Hourly CPU profile (UTC) relative to the daily mean, measured on Bitbrains 2013-7.</summary>
    public static readonly double[] HourlyProfile =
    [
        0.955, 1.399, 0.907, 0.846, 0.836, 0.929, 0.809, 1.471, 0.835, 1.174, 0.850, 0.877,
        1.001, 1.002, 0.967, 1.045, 1.008, 0.978, 1.022, 1.008, 1.042, 1.042, 1.017, 0.979,
    ];

    public const double MedianCpuCores = 0.12;
    public const double CpuLogSigma = 2.3;
    public const double CpuLag1Correlation = 0.875;
    public const double SpikeRatePerStep = 0.015;
    public const double MedianMemoryGibibytes = 0.36;
    public const double MemoryLogSigma = 1.09;

    /// <summary>Generates <paramref name="jobs"/> jobs over <paramref name="hours"/> hours at <paramref name="stepSeconds"/>.</summary>
    public static ReplayWorkload Generate(int jobs, double hours, int stepSeconds, int seed, long startSeconds = 1_372_636_800)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(jobs, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(stepSeconds, 1);
        var steps = Math.Max(2, (int)(hours * 3600 / stepSeconds));
        var random = new Random(seed);
        const int r = ReplayResources.Count;
        var demand = new float[jobs * r][];
        var ids = new string[jobs];
        var groups = new string[jobs];
        int[] coreChoices = [1, 2, 4, 4, 8];
        var sigmaInnovation = Math.Sqrt(1 - (CpuLag1Correlation * CpuLag1Correlation));
        for (var j = 0; j < jobs; j++)
        {
            ids[j] = $"vm-{j + 1:D3}";
            groups[j] = $"group-{(j % 6) + 1}";
            var cores = coreChoices[random.Next(coreChoices.Length)];
            var meanCpu = Math.Min(cores * 0.8, MedianCpuCores * Math.Exp(CpuLogSigma * Normal(random)));
            var meanMemory = MedianMemoryGibibytes * Math.Exp(MemoryLogSigma * Normal(random));
            var variability = 0.25 + (0.5 * random.NextDouble());
            var cpu = new float[steps];
            var memory = new float[steps];
            var network = new float[steps];
            var storage = new float[steps];
            double ar = 0, slow = 0, level = 1;
            var spikeLeft = 0;
            var spikeFactor = 1.0;
            for (var t = 0; t < steps; t++)
            {
                var hour = (int)(((startSeconds + ((long)t * stepSeconds)) / 3600) % 24);
                ar = (CpuLag1Correlation * ar) + (sigmaInnovation * Normal(random));
                slow = (0.995 * slow) + (0.1 * Normal(random));
                if (spikeLeft == 0 && random.NextDouble() < SpikeRatePerStep)
                {
                    spikeLeft = 1 + random.Next(4);
                    spikeFactor = 2 + (3 * random.NextDouble());
                }

                var spike = spikeLeft > 0 ? spikeFactor : 1;
                spikeLeft = Math.Max(0, spikeLeft - 1);
                var c = meanCpu * HourlyProfile[hour] * Math.Exp((variability * ar) + (0.3 * slow)) * spike;
                cpu[t] = (float)Math.Min(cores, c);

                if (random.NextDouble() < 0.002)
                {
                    level = Math.Clamp(level * (0.6 + (0.9 * random.NextDouble())), 0.5, 2.5);
                }

                memory[t] = (float)(meanMemory * level * Math.Exp((0.25 * slow) + (0.05 * ar) + (0.02 * Normal(random))) * (spike > 1 ? 1.15 : 1));
                network[t] = (float)Math.Max(0, cpu[t] * 0.002 * (1 + (0.3 * Normal(random))));
                storage[t] = (float)Math.Max(0, cpu[t] * 0.004 * (1 + (0.3 * Normal(random))));
            }

            demand[(j * r) + 0] = cpu;
            demand[(j * r) + 1] = memory;
            demand[(j * r) + 2] = network;
            demand[(j * r) + 3] = storage;
        }

        return new ReplayWorkload($"synthetic(seed={seed})", stepSeconds, startSeconds, ids, groups, demand, WorkloadBuilder.PeakRequests(demand), [true, true, true, true]);
    }

    private static double Normal(Random random)
    {
        // Box-Muller; two uniforms per normal keeps the sequence simple to reason about for a given seed.
        var u1 = 1.0 - random.NextDouble();
        var u2 = random.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
