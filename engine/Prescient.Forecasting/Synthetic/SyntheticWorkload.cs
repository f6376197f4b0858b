using Prescient.Abstractions.Forecasting;
using Prescient.Abstractions.Telemetry;
using Prescient.Forecasting.Traces;

namespace Prescient.Forecasting.Synthetic;

/// <summary>
/// Generates a workload from <see cref="SyntheticParameters"/> (by default the ones measured on the real traces):
/// a usage trace of VMs (six resources, 300 s steps, the shape of the Bitbrains trace) and a job log (the shape of
/// an SWF log). Deterministic for a seed. The demos' and the portable tests' default workload.
/// </summary>
public static class SyntheticWorkload
{
    /// <summary>
    /// Generates <paramref name="vms"/> VMs over <paramref name="days"/> days from <paramref name="startSeconds"/>. CPU's
    /// noise and spikes, memory's noise and network's and disk's noise follow <paramref name="dynamics"/>; without it,
    /// <see cref="SyntheticDynamics.Default"/> for the default parameters, else <see cref="SyntheticDynamics.Fit"/> of the
    /// given ones (about 40 s on these machines). Provisioned cores (CPU never above them: the CPU series' capacity),
    /// shapes, levels, correlations, off periods and network's and disk's zeros and levels come from
    /// <paramref name="parameters"/>.
    /// </summary>
    public static Trace Usage(int vms, int days, int seed = 1, SyntheticParameters? parameters = null, long startSeconds = 1_372_636_800, SyntheticDynamics? dynamics = null)
    {
        var p = parameters ?? SyntheticParameters.Default;
        var d = dynamics ?? (ReferenceEquals(p, SyntheticParameters.Default) ? SyntheticDynamics.Default : SyntheticDynamics.Fit(p));
        d.Validate();
        var onset = d.SpikeOnsetProbability;
        var rng = new Random(seed);
        const int step = 300;
        var n = days * 86400 / step;
        var series = new List<TraceSeries>();
        for (var v = 0; v < vms; v++)
        {
            var cores = Math.Pow(2, Math.Max(0, Math.Round(p.CpuCoresLog2Mean + (p.CpuCoresLog2Sd * Normal(rng)))));
            var level = cores * Math.Exp(Math.Min(0, p.CpuUtilizationLogMean + (p.CpuUtilizationLogSd * Normal(rng))));
            var memLevel = Math.Exp(p.MemoryBytesLogMean + (p.MemoryBytesLogSd * Normal(rng)));
            var cpu = new float[n];
            var mem = new float[n];
            var rx = new float[n];
            var tx = new float[n];
            var dr = new float[n];
            var dw = new float[n];
            var deviation = new double[n];
            var ar = 0.0;
            var memoryAr = 0.0;
            var spiking = false;
            var innovation = d.NoiseSigma * Math.Sqrt(1 - (d.NoiseAutocorrelation * d.NoiseAutocorrelation));
            var memoryInnovation = d.MemoryNoiseSigma * Math.Sqrt(1 - (d.MemoryNoiseAutocorrelation * d.MemoryNoiseAutocorrelation));

            // Off periods draw from a stream of their own, so the usage a VM shows while on is the same with or without them.
            var offRandom = new Random(unchecked((seed * 1_000_003) + (v * 7_919) + 0x0ff));
            var switchesOff = offRandom.NextDouble() < p.OffVmShare;
            var offOnset = OnsetProbability(p.OffShare, p.OffContinuation);
            var off = false;
            for (var i = 0; i < n; i++)
            {
                var t = startSeconds + ((long)i * step);
                ar = (d.NoiseAutocorrelation * ar) + (innovation * Normal(rng));
                var shape = p.HourOfDayShape[(int)(t % 86400 / 3600)] * p.WeekdayShape[(int)(((t / 86400) + 4) % 7)];
                spiking = rng.NextDouble() < (spiking ? d.SpikeContinuation : onset);
                var spike = spiking ? d.SpikeMultiplier : 1;
                var c = Math.Min(cores, level * shape * Math.Exp(ar) * spike);
                cpu[i] = (float)c;
                var z = Math.Log(c / level);
                memoryAr = (d.MemoryNoiseAutocorrelation * memoryAr) + (memoryInnovation * Normal(rng));
                mem[i] = (float)(memLevel * Math.Exp(memoryAr + (d.MemoryCpuLoading * z)));
                deviation[i] = z;
                off = switchesOff && offRandom.NextDouble() < (off ? p.OffContinuation : offOnset);
                if (off)
                {
                    cpu[i] = mem[i] = 0;
                }
            }

            // Network and disk from a stream of their own: their zeros, noise and levels do not move CPU's or memory's.
            var ioRandom = new Random(unchecked((seed * 1_000_003) + (v * 7_919) + 0x10));
            var cpuMean = SyntheticCalibration.Mean(cpu);
            var io = (float[][])[rx, tx, dr, dw];
            for (var k = 0; k < io.Length; k++)
            {
                Io(io[k], k < 2 ? p.CpuNetworkCorrelation : p.CpuDiskCorrelation, k, p, d, deviation, cpu, mem, cpuMean, ioRandom);
            }

            var name = "syn-" + (v + 1);
            series.Add(new TraceSeries(new SeriesKey(EntityKind.Node, name, ResourceKind.Cpu), "synthetic", startSeconds, step, cpu) { Capacity = cores });
            series.Add(new TraceSeries(new SeriesKey(EntityKind.Node, name, ResourceKind.Memory), "synthetic", startSeconds, step, mem));
            series.Add(new TraceSeries(new SeriesKey(EntityKind.Node, name, ResourceKind.NetRx), "synthetic", startSeconds, step, rx));
            series.Add(new TraceSeries(new SeriesKey(EntityKind.Node, name, ResourceKind.NetTx), "synthetic", startSeconds, step, tx));
            series.Add(new TraceSeries(new SeriesKey(EntityKind.Node, name, ResourceKind.DiskRead), "synthetic", startSeconds, step, dr));
            series.Add(new TraceSeries(new SeriesKey(EntityKind.Node, name, ResourceKind.DiskWrite), "synthetic", startSeconds, step, dw));
        }

        return new Trace($"synthetic:{vms}x{days}d:seed{seed}", "synthetic", step, series, new TraceDiagnostics(), []);
    }

    /// <summary>Generates a job log of <paramref name="users"/> users over <paramref name="days"/> days.</summary>
    public static List<JobRecord> Jobs(int users, int days, int seed = 1, SyntheticParameters? parameters = null, long startSeconds = 1_372_636_800)
    {
        var p = parameters ?? SyntheticParameters.Default;
        var rng = new Random(seed);
        var jobs = new List<JobRecord>();
        var peak = p.ArrivalHourOfDayShape.Max();
        long id = 1;
        for (var u = 0; u < users; u++)
        {
            var rate = Math.Exp(p.JobsPerUserHourLogMean + (p.JobsPerUserHourLogSd * Normal(rng))) * peak / 3600.0;
            var t = (double)startSeconds;
            var end = startSeconds + (days * 86400.0);
            while (rate > 0)
            {
                // Thinning: a homogeneous process at the peak rate, kept with probability shape(hour) / peak.
                t += -Math.Log(1 - rng.NextDouble()) / rate;
                if (t >= end)
                {
                    break;
                }

                if (rng.NextDouble() * peak > p.ArrivalHourOfDayShape[(int)((long)t % 86400 / 3600)])
                {
                    continue;
                }

                var run = (long)Math.Max(1, Math.Exp(p.RuntimeLogMean + (p.RuntimeLogSd * Normal(rng))));
                var procs = (int)Math.Max(1, Math.Round(Math.Pow(2, Math.Max(0, p.ProcessorsLog2Mean + (p.ProcessorsLog2Sd * Normal(rng))))));
                var submit = (long)t;
                jobs.Add(new JobRecord(id++, submit, submit, run, procs, -1, "u" + u, "g" + (u % 4), "p" + (u % 7), run * 2));
            }
        }

        jobs.Sort((a, b) => a.SubmitSeconds.CompareTo(b.SubmitSeconds));
        return jobs;
    }

    /// <summary>The onset of a two-state chain whose on state holds a share <paramref name="share"/> and continues with <paramref name="continuation"/>.</summary>
    internal static double OnsetProbability(double share, double continuation) =>
        share >= 1 ? 1 : Math.Clamp(share * (1 - continuation) / (1 - share), 0, 1);

    /// <summary>
    /// Fills one VM's network or disk series (<see cref="SyntheticParameters.IoResources"/> index <paramref name="k"/>):
    /// zeros from a two-state chain with the measured share and continuation, else exp(loading × CPU's log deviation + an
    /// AR(1) log-noise); then scaled so that its mean is the VM's mean CPU × exp(a log ratio drawn from the measured
    /// distribution across VMs). Steps where the VM is off (CPU and memory 0) are 0.
    /// </summary>
    private static void Io(float[] x, double loading, int k, SyntheticParameters p, SyntheticDynamics d, double[] deviation, float[] cpu, float[] memory, double cpuMean, Random rng)
    {
        var ratio = p.IoToCpuLogRatio[k] + (p.IoToCpuLogRatioSd[k] * Normal(rng));
        var phi = d.IoNoiseAutocorrelation[k];
        var innovation = d.IoNoiseSigma[k] * Math.Sqrt(1 - (phi * phi));
        var onset = OnsetProbability(p.IoZeroShare[k], p.IoZeroContinuation[k]);
        var zero = false;
        var ar = 0.0;
        double sum = 0;
        for (var i = 0; i < x.Length; i++)
        {
            ar = (phi * ar) + (innovation * Normal(rng));
            zero = rng.NextDouble() < (zero ? p.IoZeroContinuation[k] : onset);
            var value = zero || SyntheticCalibration.IsOff(cpu[i], memory[i]) ? 0 : Math.Exp((loading * deviation[i]) + ar);
            x[i] = (float)value;
            sum += x[i];
        }

        if (sum > 0 && cpuMean > 0)
        {
            var scale = Math.Exp(ratio) * cpuMean / (sum / x.Length);
            for (var i = 0; i < x.Length; i++)
            {
                x[i] = (float)(x[i] * scale);
            }
        }
    }

    private static double Normal(Random rng) => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
}
