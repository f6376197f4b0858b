using Prescient.Abstractions.Forecasting;
using Prescient.Abstractions.Telemetry;
using Prescient.Forecasting.Numerics;

namespace Prescient.Forecasting.Models;

/// <summary>Which statistic a moving-window recommender of <see cref="AutopilotForecaster"/> returns.</summary>
public enum AutopilotVariant
{
    /// <summary>The paper's default per resource: memory = peak, CPU and rates = 95th percentile.</summary>
    Default = 0,

    /// <summary>Peak over the trailing window.</summary>
    Peak = 1,

    /// <summary>Exponentially weighted average.</summary>
    WeightedAverage = 2,

    /// <summary>95th percentile of the exponentially decaying histogram.</summary>
    Percentile = 3,
}

/// <summary>
/// <c>autopilot</c> (and <c>autopilot-peak</c>, <c>autopilot-avg</c>, <c>autopilot-p95</c>): the moving-window
/// recommenders of Google Autopilot (Rzadca et al., EuroSys 2020, §3.2). Samples are weighted by
/// w(τ) = 2^(−τ/t½) with half-life t½ = 12 h; the recommenders are the peak over the trailing window (24 h),
/// the weighted average Σwx/Σw, and the j-th percentile (j = 95) of the decayed histogram (5 % buckets).
/// The default picks the paper's choice: peak for memory (an OOM costs a restart), the 95th percentile for CPU
/// (throttling degrades gracefully) and, by the same reasoning, for network and disk rates. One value for every
/// horizon and quantile. Memory: ~1,200 doubles per series (histogram) + 25 doubles (window maxima).
/// </summary>
public sealed class AutopilotForecaster : ForecasterBase
{
    /// <summary>Half-life of sample weights: 12 h.</summary>
    public const double HalfLifeSeconds = 12 * 3600;

    /// <summary>Trailing window of the peak recommender: 24 h.</summary>
    public const int PeakWindowSeconds = 86400;

    private const int Blocks = 24;
    private readonly AutopilotVariant _variant;
    private readonly DecayingHistogramSet _cpu = new(0.01, 1.05, 1e5, HalfLifeSeconds);
    private readonly DecayingHistogramSet _bytes = new(1e6, 1.05, 1e14, HalfLifeSeconds);
    private readonly DecayingHistogramSet _rates = new(1024, 1.05, 1e12, HalfLifeSeconds);
    private readonly int _blockSteps;
    private readonly double _avgDecay;
    private double[] _blockMax = [];
    private double[] _avgNumerator = [];
    private double[] _avgDenominator = [];

    /// <summary>Creates the recommender; <paramref name="variant"/> selects the statistic (and the name).</summary>
    public AutopilotForecaster(ForecastShape shape, AutopilotVariant variant = AutopilotVariant.Default)
        : base(variant switch
        {
            AutopilotVariant.Peak => "autopilot-peak",
            AutopilotVariant.WeightedAverage => "autopilot-avg",
            AutopilotVariant.Percentile => "autopilot-p95",
            _ => "autopilot",
        }, shape)
    {
        _variant = variant;
        _blockSteps = Math.Max(1, PeakWindowSeconds / shape.StepSeconds / Blocks);
        _avgDecay = Math.Pow(2, -shape.StepSeconds / HalfLifeSeconds);
    }

    /// <inheritdoc/>
    protected override void Grow(int capacity)
    {
        _cpu.Grow(capacity);
        _bytes.Grow(capacity);
        _rates.Grow(capacity);
        _blockMax = Grown(_blockMax, capacity * (Blocks + 1));
        _avgNumerator = Grown(_avgNumerator, capacity);
        _avgDenominator = Grown(_avgDenominator, capacity);
    }

    /// <inheritdoc/>
    protected override void ResetOne(int series)
    {
        _cpu.Reset(series);
        _bytes.Reset(series);
        _rates.Reset(series);
        _blockMax.AsSpan(series * (Blocks + 1), Blocks + 1).Fill(double.NaN);
        _avgNumerator[series] = 0;
        _avgDenominator[series] = 0;
    }

    /// <inheritdoc/>
    protected override void ObserveOne(int series, long timestampSeconds, double value)
    {
        // The window is counted in steps so that gaps age it too.
        var block = (int)(Steps[series] / _blockSteps % (Blocks + 1));
        ref var m = ref _blockMax[(series * (Blocks + 1)) + block];
        if (Steps[series] % _blockSteps == 0)
        {
            m = double.NaN;
        }

        _avgNumerator[series] *= _avgDecay;
        _avgDenominator[series] *= _avgDecay;
        if (double.IsNaN(value))
        {
            return;
        }

        m = double.IsNaN(m) ? value : Math.Max(m, value);
        _avgNumerator[series] += value;
        _avgDenominator[series] += 1;
        Histogram(series).Add(series, value, 1, timestampSeconds);
    }

    /// <inheritdoc/>
    protected override void ForecastOne(int series, Span<double> destination)
    {
        var variant = _variant;
        if (variant == AutopilotVariant.Default)
        {
            variant = Resource[series] == ResourceKind.Memory ? AutopilotVariant.Peak : AutopilotVariant.Percentile;
        }

        var value = variant switch
        {
            AutopilotVariant.Peak => Peak(series),
            AutopilotVariant.WeightedAverage => _avgDenominator[series] > 0 ? _avgNumerator[series] / _avgDenominator[series] : LastValid[series],
            _ => Histogram(series).Percentile(series, 0.95),
        };
        destination.Fill(value);
    }

    private DecayingHistogramSet Histogram(int series) => Resource[series] switch
    {
        ResourceKind.Cpu => _cpu,
        ResourceKind.Memory => _bytes,
        _ => _rates,
    };

    private double Peak(int series)
    {
        var peak = double.NaN;
        foreach (var m in _blockMax.AsSpan(series * (Blocks + 1), Blocks + 1))
        {
            if (!double.IsNaN(m) && !(m <= peak))
            {
                peak = m;
            }
        }

        return double.IsNaN(peak) ? LastValid[series] : peak;
    }
}
