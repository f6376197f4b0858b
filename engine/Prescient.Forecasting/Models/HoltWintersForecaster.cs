using Prescient.Abstractions.Forecasting;
using Prescient.Forecasting.Numerics;

namespace Prescient.Forecasting.Models;

/// <summary>
/// <c>holt-winters</c>: additive Holt-Winters with a damped trend and a daily season, updated online
/// (Gardner's error-correction form):
/// <c>ℓ ← α(y − s_{t−P}) + (1−α)(ℓ + φb)</c>, <c>b ← β(ℓ − ℓ_prev) + (1−β)φb</c>, <c>s_t ← γ(y − ℓ) + (1−γ)s_{t−P}</c>,
/// <c>ŷ(t+h) = ℓ + (φ + … + φ^h)·b + s_{t+h−P}</c>. Intervals are normal around the point with the variance of the
/// model's own out-of-sample h-step errors (an exponentially weighted mean square, 1 % per step).
/// Memory: P (÷ the bucket when bucketed) + Σ_h (h + 1) floats per series.
/// </summary>
public sealed class HoltWintersForecaster : ForecasterBase
{
    private const double Alpha = 0.3;
    private const double Beta = 0.02;
    private const double Gamma = 0.1;
    private const double Phi = 0.9;
    private const double ErrorDecay = 0.01;

    private readonly int _period;
    private readonly int _bucket;
    private readonly double _gamma;
    private readonly PendingForecasts _pending;
    private readonly double[] _z;
    private readonly double[] _damp;
    private double[] _level = [];
    private double[] _trend = [];
    private float[] _season = [];
    private double[] _mse = [];

    /// <summary>
    /// Creates the model with a daily season. With <paramref name="seasonalResolutionSeconds"/> coarser than the step,
    /// the seasonal index is kept per bucket of that length (each bucket's steps share one coefficient, updated with
    /// γ ÷ bucket so its memory in days is unchanged): P ÷ bucket floats per series instead of P. With
    /// <paramref name="slotsPerHorizon"/> &gt; 0 the error variance of horizon h is learned from every ⌈h ÷ K⌉-th step (see <see cref="PendingForecasts"/>).
    /// </summary>
    public HoltWintersForecaster(ForecastShape shape, int seasonalResolutionSeconds = 0, int slotsPerHorizon = 0)
        : base("holt-winters", shape)
    {
        var period = StepsPerDay(shape);
        _bucket = SeriesHistory.BucketSteps(shape.StepSeconds, period, seasonalResolutionSeconds);
        _period = period / _bucket;
        _gamma = Gamma / _bucket;
        _pending = new PendingForecasts(shape.HorizonSteps, 1, slotsPerHorizon);
        _z = Distributions.NormalQuantiles(shape.Quantiles);

        // φ + φ² + … + φ^h per horizon, summed in that order.
        _damp = new double[shape.HorizonCount];
        for (var h = 0; h < _damp.Length; h++)
        {
            var p = 1.0;
            for (var i = 0; i < shape.HorizonSteps[h]; i++)
            {
                p *= Phi;
                _damp[h] += p;
            }
        }
    }

    /// <inheritdoc/>
    protected internal override bool SeriesIndependent => true;

    /// <inheritdoc/>
    protected override void Grow(int capacity)
    {
        _level = Grown(_level, capacity);
        _trend = Grown(_trend, capacity);
        _mse = Grown(_mse, capacity * Shape.HorizonCount);
        _season = Grown(_season, checked(capacity * _period));
        _pending.Grow(capacity);
    }

    /// <inheritdoc/>
    protected override void ResetOne(int series)
    {
        _level[series] = double.NaN;
        _trend[series] = 0;
        _season.AsSpan(series * _period, _period).Clear();
        _mse.AsSpan(series * Shape.HorizonCount, Shape.HorizonCount).Fill(double.NaN);
        _pending.Reset(series);
    }

    /// <inheritdoc/>
    protected override void ObserveOne(int series, long timestampSeconds, double value)
    {
        var step = Steps[series];
        var hs = Shape.HorizonSteps;
        if (!double.IsNaN(value))
        {
            for (var h = 0; h < hs.Length; h++)
            {
                if (step - hs[h] < 0 || !_pending.Records(h, step - hs[h]))
                {
                    continue;
                }

                var f = _pending.At(series, h, step - hs[h])[0];
                if (!float.IsNaN(f))
                {
                    var e = value - f;
                    ref var m = ref _mse[(series * hs.Length) + h];
                    m = double.IsNaN(m) ? e * e : m + (Math.Min(1, ErrorDecay * _pending.StrideOf(h)) * ((e * e) - m));
                }
            }

            ref var s = ref _season[(series * _period) + (int)((step / _bucket) % _period)];
            var l = _level[series];
            if (double.IsNaN(l))
            {
                _level[series] = value;
            }
            else
            {
                var b = _trend[series];
                var newLevel = (Alpha * (value - s)) + ((1 - Alpha) * (l + (Phi * b)));
                _trend[series] = (Beta * (newLevel - l)) + ((1 - Beta) * Phi * b);
                _level[series] = newLevel;
                s = (float)((_gamma * (value - newLevel)) + ((1 - _gamma) * s));
            }
        }

        for (var h = 0; h < hs.Length; h++)
        {
            if (_pending.Records(h, step))
            {
                _pending.At(series, h, step)[0] = (float)Point(series, step, h);
            }
        }
    }

    /// <inheritdoc/>
    protected override void ForecastOne(int series, Span<double> destination)
    {
        var step = Steps[series] - 1;
        var hs = Shape.HorizonSteps;
        var qn = Shape.QuantileCount;
        for (var h = 0; h < hs.Length; h++)
        {
            var point = Point(series, step, h);
            var mse = _mse[(series * hs.Length) + h];
            var sigma = double.IsNaN(mse) ? 0 : Math.Sqrt(mse);
            for (var q = 0; q < qn; q++)
            {
                destination[(h * qn) + q] = point + (_z[q] * sigma);
            }
        }
    }

    // The point forecast of horizon index h made after step.
    private double Point(int series, long step, int h)
    {
        var l = _level[series];
        if (double.IsNaN(l))
        {
            return double.NaN;
        }

        var s = _season[(series * _period) + (int)(((step + Shape.HorizonSteps[h]) / _bucket) % _period)];
        return l + (_damp[h] * _trend[series]) + s;
    }
}
