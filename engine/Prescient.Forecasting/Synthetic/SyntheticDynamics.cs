using Prescient.Forecasting.Traces;

namespace Prescient.Forecasting.Synthetic;

/// <summary>
/// The settings of the synthetic workload's short-term CPU dynamics: an AR(1) log-noise (stationary deviation
/// <see cref="NoiseSigma"/>, lag-one coefficient <see cref="NoiseAutocorrelation"/>) and spikes (× <see cref="SpikeMultiplier"/>)
/// that come in bursts — a two-state Markov chain whose spike state holds a share <see cref="SpikeProbability"/> of the
/// steps and continues with probability <see cref="SpikeContinuation"/>.
/// </summary>
/// <remarks>
/// These are not the measured statistics themselves: <see cref="SyntheticCalibration.Measure"/> reads noise and spikes
/// against a trailing smoothed level (which a burst drags up and the noise moves), so a generator fed the measured
/// figures directly measures differently (σ 0.58 against 0.53, spike continuation 0.45 against 0.70, multiplier 4.5
/// against 9.3 on Bitbrains 2013-7's figures). <see cref="Fit"/> finds the settings whose generated workload measures
/// like the real trace (the simulated method of moments).
/// </remarks>
public sealed record SyntheticDynamics(
    double NoiseSigma,
    double NoiseAutocorrelation,
    double SpikeProbability,
    double SpikeContinuation,
    double SpikeMultiplier)
{
    /// <summary>VMs and days of the workload that <see cref="Fit"/> generates and measures at each iteration.</summary>
    public const int FitVms = 60;

    /// <summary>See <see cref="FitVms"/>.</summary>
    public const int FitDays = 30;

    /// <summary>
    /// Fitted to <see cref="SyntheticParameters.Default"/> by <see cref="Fit"/> (seed 1, 120 iterations, 32 s); the
    /// workload they generate measures σ 0.5265, autocorrelation 0.6604, spike share 0.02049, continuation 0.6961,
    /// multiplier 9.34 against the trace's 0.5265, 0.6604, 0.02049, 0.6962, 9.34 (seeds 2 and 3: within 0.009, 0.002,
    /// 0.0014, 0.01, 0.4). <c>SyntheticWorkloadTests</c> checks it.
    /// </summary>
    public static SyntheticDynamics Default { get; } = new(
        NoiseSigma: 0.396475,
        NoiseAutocorrelation: 0.708599,
        SpikeProbability: 0.0209821,
        SpikeContinuation: 0.778416,
        SpikeMultiplier: 18.3286);

    /// <summary>The measured statistics used as the settings as they are (the generator before the fit).</summary>
    public static SyntheticDynamics Unfitted(SyntheticParameters measured)
    {
        ArgumentNullException.ThrowIfNull(measured);
        return new(measured.CpuNoiseSigma, measured.CpuNoiseAutocorrelation, measured.SpikeProbability, measured.SpikeContinuation, measured.SpikeMultiplier);
    }

    /// <summary>
    /// The probability that a burst starts at a step after one without a spike, so that the chain's stationary share of
    /// spike steps is <see cref="SpikeProbability"/>: π = a / (a + 1 − c), so a = π (1 − c) / (1 − π).
    /// </summary>
    public double SpikeOnsetProbability =>
        SpikeProbability >= 1 ? 1 : Math.Clamp(SpikeProbability * (1 - SpikeContinuation) / (1 - SpikeProbability), 0, 1);

    /// <summary>
    /// Settings whose generated workload (<see cref="FitVms"/> VMs × <see cref="FitDays"/> days, <paramref name="seed"/>)
    /// measures like <paramref name="target"/>: starting from <see cref="Unfitted"/>, each iteration generates, measures
    /// and moves each setting towards its own statistic by a damped step (σ and the multiplier by the ratio's 0.4th power,
    /// the autocorrelation and the continuation by 0.4 × the difference, the spike share by the ratio's 0.4th power).
    /// About 0.3 s an iteration on these machines.
    /// </summary>
    public static SyntheticDynamics Fit(SyntheticParameters target, int iterations = 120, int seed = 1)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentOutOfRangeException.ThrowIfNegative(iterations);
        const double damping = 0.4;
        var d = Unfitted(target);
        var jobs = new List<JobRecord> { new(1, 0, 0, 1, 1, -1, "u", "g", "p", 1) };
        for (var i = 0; i < iterations; i++)
        {
            var m = Measure(target, d, seed, jobs);
            d = new SyntheticDynamics(
                d.NoiseSigma * Math.Pow(target.CpuNoiseSigma / m.CpuNoiseSigma, damping),
                Math.Clamp(d.NoiseAutocorrelation + (damping * (target.CpuNoiseAutocorrelation - m.CpuNoiseAutocorrelation)), 0, 0.99),
                Math.Clamp(d.SpikeProbability * Math.Pow(target.SpikeProbability / Math.Max(m.SpikeProbability, 1e-9), damping), 1e-6, 0.5),
                Math.Clamp(d.SpikeContinuation + (damping * (target.SpikeContinuation - m.SpikeContinuation)), 0, 0.99),
                Math.Max(1, d.SpikeMultiplier * Math.Pow(target.SpikeMultiplier / m.SpikeMultiplier, damping)));
        }

        return d;
    }

    /// <summary>What <see cref="SyntheticCalibration.Measure"/> reads on the workload these settings generate.</summary>
    public SyntheticParameters MeasureGenerated(SyntheticParameters parameters, int seed = 1) =>
        Measure(parameters, this, seed, [new(1, 0, 0, 1, 1, -1, "u", "g", "p", 1)]);

    private static SyntheticParameters Measure(SyntheticParameters parameters, SyntheticDynamics dynamics, int seed, List<JobRecord> jobs) =>
        SyntheticCalibration.Measure(SyntheticWorkload.Usage(FitVms, FitDays, seed, parameters, dynamics: dynamics), jobs);
}
