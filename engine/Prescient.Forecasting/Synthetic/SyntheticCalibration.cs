using Prescient.Abstractions.Telemetry;
using Prescient.Forecasting.Traces;

namespace Prescient.Forecasting.Synthetic;

/// <summary>Measures <see cref="SyntheticParameters"/> on a usage trace (Bitbrains-like) and a job log (SWF).</summary>
public static class SyntheticCalibration
{
    // A spike is a value over 3 × the trailing level: a residual over ln 3.
    private static readonly double SpikeRatioLog = Math.Log(3);

    /// <summary>
    /// Measures every parameter. Usage side, per VM with a positive mean CPU: the hour-of-day and weekday shapes are
    /// the means of CPU ÷ the VM's mean CPU by UTC hour and weekday, averaged over VMs and normalized to mean 1;
    /// noise σ and its lag-1 autocorrelation are those of r = ln CPU − a trailing exponentially smoothed ln CPU
    /// (α = 0.1; values ≤ 0 skipped); a spike is r &gt; ln 3, the multiplier is the median of e^r over spikes, and the
    /// continuation is the share of spike steps whose next step (a valid one) is a spike too; memory's noise σ and
    /// autocorrelation are measured the same way on ln memory; a VM is off where its CPU and memory are both 0 (the
    /// share of VMs ever off, the share of their steps off, and the continuation of off steps);
    /// network and disk as <see cref="Io"/> says; correlations are Pearson's between ln(1 + x) series, averaged over
    /// VMs; provisioned cores (<see cref="ProvisionedCores"/>) as the mean and standard deviation of their log2 across
    /// VMs, and the mean utilization of them (mean CPU ÷ cores, at most 1) of its ln; memory levels as the mean and
    /// standard deviation of ln(mean) across VMs. Job side: each user's submissions per hour over the log's span, ln-mean
    /// and ln-sd across users; the hour-of-day arrival shape; ln(runtime) and log2(processors) means and sds.
    /// </summary>
    public static SyntheticParameters Measure(Trace usage, IReadOnlyList<JobRecord> jobs)
    {
        var hour = new double[24];
        var hourN = new double[24];
        var weekday = new double[7];
        var weekdayN = new double[7];
        var coresLog2 = new List<double>();
        var utilization = new List<double>();
        var memLevels = new List<double>();
        var corrMem = new List<double>();
        var corrNet = new List<double>();
        var corrDisk = new List<double>();
        var byVm = usage.Series.GroupBy(s => s.Key.Name).ToList();
        foreach (var vm in byVm)
        {
            var cpu = vm.FirstOrDefault(s => s.Key.Resource == ResourceKind.Cpu);
            if (cpu is null)
            {
                continue;
            }

            var mean = Mean(cpu.Values);
            if (!(mean > 0))
            {
                continue;
            }

            var cores = ProvisionedCores(cpu);
            if (cores > 0)
            {
                coresLog2.Add(Math.Log2(cores));
                utilization.Add(Math.Log(Math.Min(1, mean / cores)));
            }

            for (var i = 0; i < cpu.Values.Length; i++)
            {
                var v = cpu.Values[i];
                if (float.IsNaN(v))
                {
                    continue;
                }

                var t = cpu.StartSeconds + ((long)i * cpu.StepSeconds);
                hour[(int)(t % 86400 / 3600)] += v / mean;
                hourN[(int)(t % 86400 / 3600)]++;
                var wd = (int)(((t / 86400) + 4) % 7);
                weekday[wd] += v / mean;
                weekdayN[wd]++;
            }

            void Related(ResourceKind kind, List<double> corr, List<double>? levelsOut)
            {
                var other = vm.FirstOrDefault(s => s.Key.Resource == kind);
                if (other is null)
                {
                    return;
                }

                var m = Mean(other.Values);
                if (m > 0)
                {
                    levelsOut?.Add(Math.Log(m));
                }

                var c = Correlation(cpu.Values, other.Values);
                if (double.IsFinite(c))
                {
                    corr.Add(c);
                }
            }

            Related(ResourceKind.Memory, corrMem, memLevels);
            Related(ResourceKind.NetTx, corrNet, null);
            Related(ResourceKind.DiskWrite, corrDisk, null);
        }

        var hourShape = Normalize(hour.Select((h, i) => hourN[i] > 0 ? h / hourN[i] : 1).ToArray());
        var weekdayShape = Normalize(weekday.Select((w, i) => weekdayN[i] > 0 ? w / weekdayN[i] : 1).ToArray());

        // Noise and spikes, relative to the level-and-shape expectation.
        var cpuSeries = new List<float[]>();
        double spikes = 0, points = 0, spikePairs = 0, continued = 0;
        var spikeRatios = new List<double>();
        foreach (var vm in byVm)
        {
            var cpu = vm.FirstOrDefault(s => s.Key.Resource == ResourceKind.Cpu);
            var mean = cpu is null ? 0 : Mean(cpu.Values);
            if (cpu is null || !(mean > 0))
            {
                continue;
            }

            // Short-term behaviour around a trailing exponentially smoothed log level (α = 0.1, ≈ 1 h):
            // residual r = ln v − level; a spike is v above 3 × exp(level). The noise's σ and autocorrelation are
            // LogNoise's, over the same series.
            cpuSeries.Add(cpu.Values);
            Residuals(cpu.Values, (r, prev) =>
            {
                points++;
                if (r > SpikeRatioLog)
                {
                    spikes++;
                    spikeRatios.Add(Math.Exp(r));
                }

                // NaN (no previous residual: the first, or after a gap) compares false.
                if (prev > SpikeRatioLog)
                {
                    spikePairs++;
                    continued += r > SpikeRatioLog ? 1 : 0;
                }
            });
        }

        var (cpuSigma, cpuAutocorrelation) = LogNoise(cpuSeries);
        var (memorySigma, memoryAutocorrelation) = LogNoise(byVm.Select(vm => ValuesOf(vm, ResourceKind.Memory)));
        var (offVmShare, offShare, offContinuation) = OffPeriods(byVm.Select(vm => (ValuesOf(vm, ResourceKind.Cpu), ValuesOf(vm, ResourceKind.Memory))));
        spikeRatios.Sort();
        var io = Io(byVm);

        // Jobs.
        var span = Math.Max(3600.0, jobs.Max(j => j.SubmitSeconds) - jobs.Min(j => j.SubmitSeconds));
        var rates = jobs.GroupBy(j => j.User).Select(g => Math.Log(g.Count() / (span / 3600))).ToArray();
        var arrivals = new double[24];
        foreach (var j in jobs)
        {
            arrivals[(int)(j.SubmitSeconds % 86400 / 3600)]++;
        }

        var logRuntime = jobs.Where(j => j.RunSeconds > 0).Select(j => Math.Log(j.RunSeconds)).ToArray();
        var log2Procs = jobs.Select(j => Math.Log2(Math.Max(1, j.Processors))).ToArray();
        return new SyntheticParameters(
            hourShape, weekdayShape, cpuSigma, cpuAutocorrelation,
            points > 0 ? spikes / points : 0, spikeRatios.Count > 0 ? spikeRatios[spikeRatios.Count / 2] : 1,
            spikePairs > 0 ? continued / spikePairs : 0,
            memorySigma, memoryAutocorrelation,
            offVmShare, offShare, offContinuation,
            Avg(corrMem), Avg(corrNet), Avg(corrDisk),
            Avg(coresLog2), Sd(coresLog2), Avg(utilization), Sd(utilization), memLevels.Average(), Sd(memLevels),
            rates.Average(), Sd(rates), Normalize(arrivals), logRuntime.Average(), Sd(logRuntime), log2Procs.Average(), Sd(log2Procs),
            io.Ratio, io.RatioSd, io.ZeroShare, io.ZeroContinuation, io.Sigma, io.Autocorrelation);
    }

    /// <summary>
    /// Standard deviation and lag-one autocorrelation of r = ln v − a trailing exponentially smoothed ln v (α = 0.1),
    /// pooled over the series; values ≤ 0 or NaN skipped (the next value pairs with none). (0, 0) without values.
    /// </summary>
    private static (double Sigma, double Autocorrelation) LogNoise(IEnumerable<float[]?> series)
    {
        double sum = 0, sumSquares = 0, count = 0, lagSum = 0, lagN = 0;
        foreach (var values in series)
        {
            if (values is null)
            {
                continue;
            }

            Residuals(values, (r, prev) =>
            {
                sum += r;
                sumSquares += r * r;
                count++;
                if (!double.IsNaN(prev))
                {
                    lagSum += r * prev;
                    lagN++;
                }
            });
        }

        if (count < 2)
        {
            return (0, 0);
        }

        var mean = sum / count;
        var variance = (sumSquares / count) - (mean * mean);
        var autocorrelation = lagN > 0 && variance > 0 ? ((lagSum / lagN) - (mean * mean)) / variance : 0;
        return (Math.Sqrt(Math.Max(variance, 0)), Math.Clamp(autocorrelation, 0, 0.99));
    }

    /// <summary>
    /// Network and disk (<see cref="SyntheticParameters.IoResources"/>), each: the mean and standard deviation across VMs
    /// of ln(its mean ÷ the VM's mean CPU) (VMs where either is 0 left out); the share of zeros among the steps where the
    /// VM reports (not NaN, not a row of zeros) and the share of those zeros followed by another; the log-noise as
    /// <see cref="LogNoise"/> measures it.
    /// </summary>
    private static (double[] Ratio, double[] RatioSd, double[] ZeroShare, double[] ZeroContinuation, double[] Sigma, double[] Autocorrelation) Io(
        List<IGrouping<string, TraceSeries>> byVm)
    {
        var kinds = SyntheticParameters.IoResources;
        var (ratio, ratioSd, zeroShare, zeroContinuation, sigma, autocorrelation) =
            (new double[kinds.Length], new double[kinds.Length], new double[kinds.Length], new double[kinds.Length], new double[kinds.Length], new double[kinds.Length]);
        for (var k = 0; k < kinds.Length; k++)
        {
            var ratios = new List<double>();
            double steps = 0, zeros = 0, pairs = 0, continued = 0;
            var series = new List<float[]>();
            foreach (var vm in byVm)
            {
                var cpu = ValuesOf(vm, ResourceKind.Cpu);
                var memory = ValuesOf(vm, ResourceKind.Memory);
                var x = ValuesOf(vm, kinds[k]);
                if (cpu is null || memory is null || x is null)
                {
                    continue;
                }

                series.Add(x);
                var (cpuMean, xMean) = (Mean(cpu), Mean(x));
                if (cpuMean > 0 && xMean > 0)
                {
                    ratios.Add(Math.Log(xMean / cpuMean));
                }

                var previous = false;
                var reported = false;
                for (var i = 0; i < Math.Min(x.Length, Math.Min(cpu.Length, memory.Length)); i++)
                {
                    if (float.IsNaN(x[i]) || IsOff(cpu[i], memory[i]))
                    {
                        reported = false;
                        continue;
                    }

                    var zero = x[i] <= 0;
                    steps++;
                    zeros += zero ? 1 : 0;
                    if (reported && previous)
                    {
                        pairs++;
                        continued += zero ? 1 : 0;
                    }

                    (previous, reported) = (zero, true);
                }
            }

            ratio[k] = Avg(ratios);
            ratioSd[k] = Sd(ratios);
            zeroShare[k] = steps > 0 ? zeros / steps : 0;
            zeroContinuation[k] = pairs > 0 ? continued / pairs : 0;
            (sigma[k], autocorrelation[k]) = LogNoise(series);
        }

        return (ratio, ratioSd, zeroShare, zeroContinuation, sigma, autocorrelation);
    }

    /// <summary>
    /// A VM is off at a step where its CPU and its memory are both 0 (the trace's rows of zeros): the share of VMs with
    /// any such step, the share of steps off among those VMs, and the share of off steps followed by another.
    /// </summary>
    private static (double VmShare, double Share, double Continuation) OffPeriods(IEnumerable<(float[]? Cpu, float[]? Memory)> vms)
    {
        double vmCount = 0, offVms = 0, steps = 0, off = 0, pairs = 0, continued = 0;
        foreach (var (cpu, memory) in vms)
        {
            if (cpu is null || memory is null)
            {
                continue;
            }

            vmCount++;
            var n = Math.Min(cpu.Length, memory.Length);
            double vmOff = 0, vmPairs = 0, vmContinued = 0;
            var previous = false;
            for (var i = 0; i < n; i++)
            {
                var isOff = IsOff(cpu[i], memory[i]);
                vmOff += isOff ? 1 : 0;
                if (previous)
                {
                    vmPairs++;
                    vmContinued += isOff ? 1 : 0;
                }

                previous = isOff;
            }

            if (vmOff > 0)
            {
                offVms++;
                steps += n;
                off += vmOff;
                pairs += vmPairs;
                continued += vmContinued;
            }
        }

        return (vmCount > 0 ? offVms / vmCount : 0, steps > 0 ? off / steps : 0, pairs > 0 ? continued / pairs : 0);
    }

    /// <summary>
    /// Calls <paramref name="visit"/>(r, previous r) for each residual r = ln v − the trailing exponentially smoothed
    /// ln v (α = 0.1, started at the first positive value) of the positive values in order; the previous residual is
    /// NaN for the first and after a value ≤ 0 or NaN (the smoothed level itself carries over the gap).
    /// </summary>
    private static void Residuals(float[] values, Action<double, double> visit)
    {
        var logLevel = double.NaN;
        var prev = double.NaN;
        foreach (var v in values)
        {
            if (float.IsNaN(v) || v <= 0)
            {
                prev = double.NaN;
                continue;
            }

            var lv = Math.Log(v);
            if (double.IsNaN(logLevel))
            {
                logLevel = lv;
                continue;
            }

            var r = lv - logLevel;
            visit(r, prev);
            prev = r;
            logLevel += 0.1 * (lv - logLevel);
        }
    }

    /// <summary>
    /// A VM's provisioned cores: the CPU series' <see cref="TraceSeries.Capacity"/> where the trace gives it, else its peak
    /// rounded up to a power of two (0 for a VM that never used any).
    /// </summary>
    private static double ProvisionedCores(TraceSeries cpu)
    {
        if (cpu.Capacity > 0)
        {
            return cpu.Capacity;
        }

        var peak = 0.0;
        foreach (var v in cpu.Values)
        {
            peak = v > peak ? v : peak; // NaN compares false
        }

        return peak > 0 ? Math.Pow(2, Math.Max(0, Math.Ceiling(Math.Log2(peak)))) : 0;
    }

    private static double Avg(List<double> x) => x.Count > 0 ? x.Average() : 0;

    /// <summary>
    /// Whether a VM is off at a step: its CPU and its memory are both 0 (the trace's rows of zeros). NaN compares false:
    /// a missing sample is not a zero.
    /// </summary>
    internal static bool IsOff(float cpu, float memory) => cpu <= 0 && memory <= 0;

    private static float[]? ValuesOf(IGrouping<string, TraceSeries> vm, ResourceKind kind) => vm.FirstOrDefault(s => s.Key.Resource == kind)?.Values;

    /// <summary>The mean of the values that are not NaN; NaN when there are none.</summary>
    internal static double Mean(float[] values)
    {
        double s = 0;
        var n = 0;
        foreach (var v in values)
        {
            if (!float.IsNaN(v))
            {
                s += v;
                n++;
            }
        }

        return n > 0 ? s / n : double.NaN;
    }

    private static double Sd(IReadOnlyCollection<double> x)
    {
        if (x.Count < 2)
        {
            return 0;
        }

        var m = x.Average();
        return Math.Sqrt(x.Sum(v => (v - m) * (v - m)) / (x.Count - 1));
    }

    private static double[] Normalize(double[] x)
    {
        var m = x.Average();
        return m > 0 ? x.Select(v => v / m).ToArray() : x.Select(_ => 1.0).ToArray();
    }

    private static double Correlation(float[] a, float[] b)
    {
        var n = Math.Min(a.Length, b.Length);
        double sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0;
        var k = 0;
        for (var i = 0; i < n; i++)
        {
            if (float.IsNaN(a[i]) || float.IsNaN(b[i]))
            {
                continue;
            }

            var x = Math.Log(1 + a[i]);
            var y = Math.Log(1 + b[i]);
            sa += x;
            sb += y;
            saa += x * x;
            sbb += y * y;
            sab += x * y;
            k++;
        }

        if (k < 3)
        {
            return double.NaN;
        }

        var cov = (sab / k) - (sa / k * (sb / k));
        var va = (saa / k) - (sa / k * (sa / k));
        var vb = (sbb / k) - (sb / k * (sb / k));
        return va > 0 && vb > 0 ? cov / Math.Sqrt(va * vb) : double.NaN;
    }
}
