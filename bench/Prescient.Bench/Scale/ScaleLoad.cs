using Prescient.Forecasting.Synthetic;

namespace Prescient.Bench.Scale;

/// <summary>How the simulated jobs' usage moves from one report to the next (<c>scale --load</c>).</summary>
internal enum ScaleLoad
{
    /// <summary>
    /// The built-in synthetic workload's CPU dynamics, fitted to Bitbrains (<see cref="SyntheticDynamics.Default"/>), at
    /// the harness's one-second step: log-usage noise with its stationary deviation and 5-minute autocorrelation, and
    /// spikes of its size in bursts of 5-minute blocks (a block starts with the onset probability and is followed by
    /// another with the continuation probability).
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
    private static readonly SyntheticDynamics Dynamics = SyntheticDynamics.Default;

    // Per-second AR(1) coefficient and innovation of the log noise, and burst onset, from the 5-minute figures.
    private static readonly double Phi = Math.Pow(Dynamics.NoiseAutocorrelation, 1.0 / SpikeSeconds);
    private static readonly double Innovation = Dynamics.NoiseSigma * Math.Sqrt(1 - (Phi * Phi));
    private static readonly double SpikePerSecond = Dynamics.SpikeOnsetProbability / SpikeSeconds;

    private readonly double _level;
    private double _noise;
    private int _spikeLeft;

    public JobLoad(double level, Random random)
    {
        _level = level;
        _noise = Dynamics.NoiseSigma * Normal(random);
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
            // A burst goes on block by block: at the end of one, another follows with the continuation probability.
            if (--_spikeLeft == 0 && random.NextDouble() < Dynamics.SpikeContinuation)
            {
                _spikeLeft = SpikeSeconds;
            }
        }
        else if (random.NextDouble() < SpikePerSecond)
        {
            _spikeLeft = SpikeSeconds;
        }

        var sigma = Dynamics.NoiseSigma;
        var cores = _level * Math.Exp(_noise - (sigma * sigma / 2)) * (_spikeLeft > 0 ? Dynamics.SpikeMultiplier : 1);
        Cores = Math.Clamp(cores, MinimumCores, MaximumCores);
    }

    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
