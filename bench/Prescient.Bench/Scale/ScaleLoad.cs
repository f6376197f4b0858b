using Prescient.Forecasting.Synthetic;

namespace Prescient.Bench.Scale;

/// <summary>How the simulated jobs' usage moves from one report to the next (<c>scale --load</c>).</summary>
internal enum ScaleLoad
{
    /// <summary>
    /// The built-in synthetic workload's CPU dynamics, measured on Bitbrains (<see cref="SyntheticParameters.Default"/>),
    /// at the harness's one-second step: log-usage noise with the measured stationary deviation and 5-minute
    /// autocorrelation, and spikes of the measured size and 5-minute probability that last 5 minutes.
    /// </summary>
    Measured,

    /// <summary>
    /// A stress load: every second each job's usage jumps by 1–2× with probability 5 % or else moves by ±5 %, so usage
    /// drifts upward until it reaches the cap and the planner changes about 3,000 limits a second at 10,000 nodes.
    /// </summary>
    Restless,
}

/// <summary>One job's usage under a <see cref="ScaleLoad"/>, stepped once a second.</summary>
internal struct JobLoad
{
    private const double MinimumCores = 0.05;
    private const double MaximumCores = 16;
    private const int SpikeSeconds = 300;
    private static readonly SyntheticParameters Parameters = SyntheticParameters.Default;

    // Per-second AR(1) coefficient and innovation of the log noise, and spike probability, from the 5-minute figures.
    private static readonly double Phi = Math.Pow(Parameters.CpuNoiseAutocorrelation, 1.0 / SpikeSeconds);
    private static readonly double Innovation = Parameters.CpuNoiseSigma * Math.Sqrt(1 - (Phi * Phi));
    private static readonly double SpikePerSecond = Parameters.SpikeProbability / SpikeSeconds;

    private readonly double _level;
    private double _noise;
    private int _spikeLeft;

    public JobLoad(double level, Random random)
    {
        _level = level;
        _noise = Parameters.CpuNoiseSigma * Normal(random);
        Cores = level;
    }

    public double Cores { get; private set; }

    public void Step(ScaleLoad load, Random random)
    {
        if (load == ScaleLoad.Restless)
        {
            var step = random.NextDouble() < 0.05 ? 1.0 + random.NextDouble() : 1.0 + ((random.NextDouble() - 0.5) * 0.1);
            Cores = Math.Clamp(Cores * step, MinimumCores, MaximumCores);
            return;
        }

        _noise = (Phi * _noise) + (Innovation * Normal(random));
        if (_spikeLeft > 0)
        {
            _spikeLeft--;
        }
        else if (random.NextDouble() < SpikePerSecond)
        {
            _spikeLeft = SpikeSeconds;
        }

        var sigma = Parameters.CpuNoiseSigma;
        var cores = _level * Math.Exp(_noise - (sigma * sigma / 2)) * (_spikeLeft > 0 ? Parameters.SpikeMultiplier : 1);
        Cores = Math.Clamp(cores, MinimumCores, MaximumCores);
    }

    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
