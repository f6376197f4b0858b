using Prescient.Forecasting.Traces;

namespace Prescient.Forecasting.Synthetic;

/// <summary>
/// The settings of the synthetic workload's short-term dynamics. CPU: an AR(1) log-noise (stationary deviation
/// <see cref="NoiseSigma"/>, lag-one coefficient <see cref="NoiseAutocorrelation"/>) and spikes (× <see cref="SpikeMultiplier"/>)
/// that come in bursts — a two-state Markov chain whose spike state holds a share <see cref="SpikeProbability"/> of the
/// steps and continues with probability <see cref="SpikeContinuation"/>. Memory: an AR(1) log-noise of its own
/// (<see cref="MemoryNoiseSigma"/>, <see cref="MemoryNoiseAutocorrelation"/>) plus <see cref="MemoryCpuLoading"/> × CPU's
/// log deviation from its level (shape, noise and spikes), which carries the CPU–memory correlation. Network and disk
/// (<see cref="SyntheticParameters.IoResources"/> order): each an AR(1) log-noise of its own (<see cref="IoNoiseSigma"/>,
/// <see cref="IoNoiseAutocorrelation"/>) plus the measured CPU correlation × CPU's log deviation; their zeros and levels
/// come from the parameters as measured.
/// </summary>
/// <remarks>
/// These are not the measured statistics themselves: <see cref="SyntheticCalibration.Measure"/> reads noise and spikes
/// against a trailing smoothed level (which a burst drags up and the noise moves), so a generator fed the measured
/// figures directly measures differently (σ 0.58 against 0.53, spike continuation 0.45 against 0.70, multiplier 4.5
/// against 9.3 on Bitbrains 2013-7's figures; memory fed σ 0.63 and autocorrelation 0.42 reads 0.68 and 0.38).
/// <see cref="Fit"/> finds the settings whose generated workload measures like the real trace (the simulated method of
/// moments).
/// </remarks>
public sealed record SyntheticDynamics(
    double NoiseSigma,
    double NoiseAutocorrelation,
    double SpikeProbability,
    double SpikeContinuation,
    double SpikeMultiplier,
    double MemoryNoiseSigma,
    double MemoryNoiseAutocorrelation,
    double MemoryCpuLoading,
    double[] IoNoiseSigma,
    double[] IoNoiseAutocorrelation)
{
    /// <summary>VMs and days of the workload that <see cref="Fit"/> generates and measures at each iteration.</summary>
    public const int FitVms = 60;

    /// <summary>See <see cref="FitVms"/>.</summary>
    public const int FitDays = 30;

    // The job-side parameters are not part of the fit: one placeholder job satisfies the measurement.
    private static readonly JobRecord[] PlaceholderJobs = [new(1, 0, 0, 1, 1, -1, "u", "g", "p", 1)];

    /// <summary>
    /// Fitted to <see cref="SyntheticParameters.Default"/> by <see cref="Fit"/> (seed 1, 120 iterations, 41 s); the
    /// workload they generate measures CPU σ 0.5239, autocorrelation 0.6600, spike share 0.02052, continuation 0.6946,
    /// multiplier 9.35, memory σ 0.6348, autocorrelation 0.4197 and CPU–memory correlation 0.3774 against the trace's
    /// 0.5265, 0.6604, 0.02049, 0.6962, 9.34, 0.6346, 0.4195, 0.3773 (seeds 2 and 3: σ 0.532 and 0.515, spike share
    /// within 0.0011, continuation within 0.0035, multiplier 10.25 and 9.47, memory within 0.0042, the correlation up
    /// to 0.013 lower, as it moves with which VMs switch off). Spikes are capped at the VM's cores as on the trace, so
    /// the generator's multiplier (30) is larger than the measured median size. Network received, transmitted, disk
    /// read and written measure log-noise σ 1.2584, 0.6734, 1.8823, 0.6695 and autocorrelation 0.2927, 0.2978, 0.0826,
    /// 0.0659, the trace's to 3–4 digits (seeds 2 and 3 within 0.012 and 0.01). <c>SyntheticWorkloadTests</c> checks it.
    /// </summary>
    public static SyntheticDynamics Default { get; } = new(
        NoiseSigma: 0.392191,
        NoiseAutocorrelation: 0.735817,
        SpikeProbability: 0.0261911,
        SpikeContinuation: 0.758217,
        SpikeMultiplier: 30.042,
        MemoryNoiseSigma: 0.595014,
        MemoryNoiseAutocorrelation: 0.449789,
        MemoryCpuLoading: 0.459493,
        IoNoiseSigma: [1.2411, 0.64758, 1.83998, 0.632907],
        IoNoiseAutocorrelation: [0.355372, 0.338043, 0.128731, 0.0760769]);

    /// <summary>
    /// The measured statistics used as the settings as they are (the generator before the fit); memory's CPU loading,
    /// which has no statistic of its own, starts at the CPU–memory correlation × memory's σ ÷ CPU's σ.
    /// </summary>
    public static SyntheticDynamics Unfitted(SyntheticParameters measured)
    {
        ArgumentNullException.ThrowIfNull(measured);
        return new(
            measured.CpuNoiseSigma, measured.CpuNoiseAutocorrelation, measured.SpikeProbability, measured.SpikeContinuation, measured.SpikeMultiplier,
            measured.MemoryNoiseSigma, measured.MemoryNoiseAutocorrelation, measured.CpuMemoryCorrelation * measured.MemoryNoiseSigma / Math.Max(measured.CpuNoiseSigma, 1e-9),
            [.. measured.IoNoiseSigma], [.. measured.IoNoiseAutocorrelation]);
    }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first setting out of its range.</summary>
    public void Validate()
    {
        Check(NoiseSigma >= 0, nameof(NoiseSigma), "must be ≥ 0");
        Check(NoiseAutocorrelation is >= 0 and < 1, nameof(NoiseAutocorrelation), "must be in [0, 1)");
        Check(SpikeProbability is >= 0 and < 1, nameof(SpikeProbability), "must be in [0, 1)");
        Check(SpikeContinuation is >= 0 and < 1, nameof(SpikeContinuation), "must be in [0, 1)");
        Check(SpikeMultiplier >= 1 && double.IsFinite(SpikeMultiplier), nameof(SpikeMultiplier), "must be finite and ≥ 1");
        Check(MemoryNoiseSigma >= 0, nameof(MemoryNoiseSigma), "must be ≥ 0");
        Check(MemoryNoiseAutocorrelation is >= 0 and < 1, nameof(MemoryNoiseAutocorrelation), "must be in [0, 1)");
        Check(double.IsFinite(MemoryCpuLoading), nameof(MemoryCpuLoading), "must be finite");
        var io = SyntheticParameters.IoResources.Length;
        Check(IoNoiseSigma is { } s && s.Length == io && s.All(v => v >= 0 && double.IsFinite(v)), nameof(IoNoiseSigma), $"must hold {io} finite values ≥ 0");
        Check(IoNoiseAutocorrelation is { } a && a.Length == io && a.All(v => v is >= 0 and < 1), nameof(IoNoiseAutocorrelation), $"must hold {io} values in [0, 1)");

        static void Check(bool ok, string name, string rule)
        {
            if (!ok)
            {
                throw new ArgumentException($"synthetic dynamics: {name} {rule}", name);
            }
        }
    }

    /// <summary>
    /// The probability that a burst starts at a step after one without a spike, so that the chain's stationary share of
    /// spike steps is <see cref="SpikeProbability"/>: π = a / (a + 1 − c), so a = π (1 − c) / (1 − π).
    /// </summary>
    public double SpikeOnsetProbability => SyntheticWorkload.OnsetProbability(SpikeProbability, SpikeContinuation);

    /// <summary>
    /// Settings whose generated workload (<see cref="FitVms"/> VMs × <see cref="FitDays"/> days, <paramref name="seed"/>)
    /// measures like <paramref name="target"/>: starting from <see cref="Unfitted"/>, each iteration generates, measures
    /// and moves each setting towards its own statistic by a damped step (the deviations, the multiplier and the spike
    /// share by the ratio's 0.4th power; the autocorrelations, the continuation and memory's CPU loading, aimed at the
    /// series' measured CPU–memory correlation, by 0.4 × the difference; network's and disk's deviations and
    /// autocorrelations the same way).
    /// About 0.3 s an iteration on these machines.
    /// </summary>
    public static SyntheticDynamics Fit(SyntheticParameters target, int iterations = 120, int seed = 1)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentOutOfRangeException.ThrowIfNegative(iterations);
        const double damping = 0.4;
        var d = Unfitted(target);
        for (var i = 0; i < iterations; i++)
        {
            var m = Measure(target, d, seed);
            d = new SyntheticDynamics(
                d.NoiseSigma * Math.Pow(target.CpuNoiseSigma / Math.Max(m.CpuNoiseSigma, 1e-9), damping),
                Math.Clamp(d.NoiseAutocorrelation + (damping * (target.CpuNoiseAutocorrelation - m.CpuNoiseAutocorrelation)), 0, 0.99),
                Math.Clamp(d.SpikeProbability * Math.Pow(target.SpikeProbability / Math.Max(m.SpikeProbability, 1e-9), damping), 1e-6, 0.5),
                Math.Clamp(d.SpikeContinuation + (damping * (target.SpikeContinuation - m.SpikeContinuation)), 0, 0.99),
                Math.Max(1, d.SpikeMultiplier * Math.Pow(target.SpikeMultiplier / m.SpikeMultiplier, damping)),
                d.MemoryNoiseSigma * Math.Pow(target.MemoryNoiseSigma / Math.Max(m.MemoryNoiseSigma, 1e-9), damping),
                Math.Clamp(d.MemoryNoiseAutocorrelation + (damping * (target.MemoryNoiseAutocorrelation - m.MemoryNoiseAutocorrelation)), 0, 0.99),
                Math.Clamp(d.MemoryCpuLoading + (damping * (target.CpuMemoryCorrelation - m.CpuMemoryCorrelation)), -2, 2),
                [.. d.IoNoiseSigma.Select((v, k) => v * Math.Pow(target.IoNoiseSigma[k] / Math.Max(m.IoNoiseSigma[k], 1e-9), damping))],
                [.. d.IoNoiseAutocorrelation.Select((v, k) => Math.Clamp(v + (damping * (target.IoNoiseAutocorrelation[k] - m.IoNoiseAutocorrelation[k])), 0, 0.99))]);
        }

        return d;
    }

    /// <summary>What <see cref="SyntheticCalibration.Measure"/> reads on the workload these settings generate.</summary>
    public SyntheticParameters MeasureGenerated(SyntheticParameters parameters, int seed = 1) => Measure(parameters, this, seed);

    private static SyntheticParameters Measure(SyntheticParameters parameters, SyntheticDynamics dynamics, int seed) =>
        SyntheticCalibration.Measure(SyntheticWorkload.Usage(FitVms, FitDays, seed, parameters, dynamics: dynamics), PlaceholderJobs);
}
