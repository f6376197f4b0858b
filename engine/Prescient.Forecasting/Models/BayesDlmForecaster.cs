using Prescient.Abstractions.Forecasting;
using Prescient.Forecasting.Numerics;

namespace Prescient.Forecasting.Models;

/// <summary>
/// <c>bayes-dlm</c>: per series and horizon h, a conjugate Bayesian linear regression (Normal–Inverse-Gamma) of
/// y(t+h) on features known at t — intercept, the last value, the means of the last 3 and 12 values, the value
/// one day before the target, and Fourier terms sin/cos(2πk·τ/1 day), k = 1, 2, of the target's time of day τ —
/// a dynamic linear model whose coefficients drift as a random walk (discount factor δ = 0.998: the prior
/// covariance and the noise precision's pseudo-counts are discounted each step, West &amp; Harrison ch. 6).
/// Closed-form update (σ² unknown): with e = y − xᵀm, S = 1 + xᵀVx: m ← m + Vx·e/S, V ← V − VxxᵀV/S,
/// a ← a + ½, b ← b + e²/(2S). The predictive distribution is Student-t with 2a degrees of freedom, location
/// xᵀm and scale² (b/a)(1 + xᵀVx); every quantile is served from it. Values are divided by a per-series scale
/// (the mean of the first 12 valid values) so one prior fits all units.
/// Memory per series: horizons × (d(d+1)/2 + d + 2) floats (V kept as its upper triangle; updated in double, stored
/// in float: the state is a running estimate, a rounding of 6e-8 per step is far below its own uncertainty) + Σ_h records(h) × d floats of pending features, d = 9
/// (records(h) = h + 1, or fewer: see <see cref="PendingForecasts"/>), and a day of history (see <see cref="SeriesHistory"/>).
/// </summary>
public sealed class BayesDlmForecaster : HistoryForecasterBase
{
    private const int D = 9;
    private const double Discount = 0.998;
    private const int ScaleSamples = 12;
    private const double MaxCovarianceTrace = 10 * (1 + (0.5 * (D - 1)));

    private readonly int _period;
    // State per (series, horizon): m (D), V as its packed upper triangle (P = D(D+1)/2: V stays exactly symmetric,
    // since every update is symmetric in i and j), a, b.
    private const int P = D * (D + 1) / 2;
    private const int A = D + P;
    private readonly int _stride = D + P + 2;
    private readonly int[] _packed = Packed();
    private readonly PendingForecasts _features;
    private readonly double[] _x = new double[D];
    private readonly double[] _vx = new double[D];
    private readonly double[] _work;
    private float[] _state = [];
    private double[] _scale = [];
    private double[] _scaleSum = [];

    /// <summary>
    /// Creates the model. <paramref name="seasonalResolutionSeconds"/> &gt; the step keeps the day-old values as means
    /// over buckets of that length (see <see cref="SeriesHistory"/>); <paramref name="slotsPerHorizon"/> &gt; 0 learns
    /// each horizon from every ⌈h ÷ K⌉-th step only (see <see cref="PendingForecasts"/>). Both save memory at fine steps.
    /// With <paramref name="sharedHistory"/> (a day long, exact over the last 12 steps) the model reads that history,
    /// which its owner — an ensemble — keeps, instead of keeping its own.
    /// </summary>
    public BayesDlmForecaster(ForecastShape shape, int seasonalResolutionSeconds = 0, int slotsPerHorizon = 0, SeriesHistory? sharedHistory = null)
        : base("bayes-dlm", shape, sharedHistory, Math.Max(StepsPerDay(shape), 12), 12,
            () => new SeriesHistory(Math.Max(StepsPerDay(shape), 12), SeriesHistory.BucketSteps(shape.StepSeconds, StepsPerDay(shape), seasonalResolutionSeconds), 12))
    {
        _period = StepsPerDay(shape);
        _features = new PendingForecasts(shape.HorizonSteps, D, slotsPerHorizon);
        _work = new double[_stride];
    }

    /// <inheritdoc/>
    protected override void Grow(int capacity)
    {
        base.Grow(capacity);
        _features.Grow(capacity);
        _state = Grown(_state, capacity * Shape.HorizonCount * _stride);
        _scale = Grown(_scale, capacity);
        _scaleSum = Grown(_scaleSum, capacity);
    }

    /// <inheritdoc/>
    protected override void ResetOne(int series)
    {
        base.ResetOne(series);
        _features.Reset(series);
        _scale[series] = double.NaN;
        _scaleSum[series] = 0;
        for (var h = 0; h < Shape.HorizonCount; h++)
        {
            var st = StateOf(series, h);
            st.Clear();
            st[1] = 1; // m: start as persistence.
            for (var i = 0; i < D; i++)
            {
                st[D + _packed[(i * D) + i]] = i == 0 ? 1f : 0.5f; // V: prior covariance.
            }

            st[A] = 2; // a
            st[A + 1] = 2 * 0.05f; // b: prior noise variance ≈ 5 % of scale².
        }
    }

    /// <inheritdoc/>
    protected override void ObserveOne(int series, long timestampSeconds, double value)
    {
        var step = Steps[series];
        if (!double.IsNaN(value) && double.IsNaN(_scale[series]))
        {
            _scaleSum[series] += value;
            if (ValidCount[series] + 1 >= ScaleSamples)
            {
                var mean = _scaleSum[series] / ScaleSamples;
                _scale[series] = mean > 0 ? mean : 1;
            }
        }

        var hs = Shape.HorizonSteps;
        var scale = _scale[series];
        if (!double.IsNaN(value) && !double.IsNaN(scale))
        {
            var y = value / scale;
            for (var h = 0; h < hs.Length; h++)
            {
                if (step - hs[h] < 0 || !_features.Records(h, step - hs[h]))
                {
                    continue;
                }

                var f = _features.At(series, h, step - hs[h]);
                if (float.IsNaN(f[0]))
                {
                    continue;
                }

                for (var i = 0; i < D; i++)
                {
                    _x[i] = f[i];
                }

                var stored = StateOf(series, h);
                for (var i = 0; i < _stride; i++)
                {
                    _work[i] = stored[i];
                }

                Update(_work, y);
                for (var i = 0; i < _stride; i++)
                {
                    stored[i] = (float)_work[i];
                }
            }
        }

        base.ObserveOne(series, timestampSeconds, value);
        if (double.IsNaN(scale) && double.IsNaN(_scale[series]))
        {
            for (var h = 0; h < hs.Length; h++)
            {
                if (_features.Records(h, step))
                {
                    _features.At(series, h, step).Fill(float.NaN);
                }
            }

            return;
        }

        scale = _scale[series];
        for (var h = 0; h < hs.Length; h++)
        {
            if (!_features.Records(h, step))
            {
                continue;
            }

            var slot = _features.At(series, h, step);
            if (!BuildFeatures(series, timestampSeconds, hs[h], scale))
            {
                slot.Fill(float.NaN);
                continue;
            }

            for (var i = 0; i < D; i++)
            {
                slot[i] = (float)_x[i];
            }
        }
    }

    /// <inheritdoc/>
    protected override void ForecastOne(int series, Span<double> destination)
    {
        var qn = Shape.QuantileCount;
        var scale = _scale[series];
        var hs = Shape.HorizonSteps;
        for (var h = 0; h < hs.Length; h++)
        {
            if (double.IsNaN(scale) || !BuildFeatures(series, LastTimestamp[series], hs[h], scale))
            {
                WritePoint(destination, h, LastValid[series]);
                continue;
            }

            var st = StateOf(series, h);
            var mean = 0.0;
            var quad = 0.0;
            for (var i = 0; i < D; i++)
            {
                mean += _x[i] * st[i];
                var row = 0.0;
                for (var j = 0; j < D; j++)
                {
                    row += st[D + _packed[(i * D) + j]] * _x[j];
                }

                quad += _x[i] * row;
            }

            var a = st[A];
            var b = st[A + 1];
            var sd = Math.Sqrt(Math.Max(0, b / a * (1 + quad)));
            for (var q = 0; q < qn; q++)
            {
                destination[(h * qn) + q] = (mean + (Distributions.StudentTQuantile(Shape.Quantiles[q], 2 * a) * sd)) * scale;
            }
        }
    }

    private Span<float> StateOf(int series, int h) => _state.AsSpan(((series * Shape.HorizonCount) + h) * _stride, _stride);

    private bool BuildFeatures(int series, long timestampSeconds, int horizon, double scale)
    {
        var last = LastValid[series];
        if (double.IsNaN(last))
        {
            return false;
        }

        double m3 = 0, m12 = 0;
        int n3 = 0, n12 = 0;
        for (var k = 0; k < 12; k++)
        {
            var v = History.Lag(series, k);
            if (double.IsNaN(v))
            {
                continue;
            }

            m12 += v;
            n12++;
            if (k < 3)
            {
                m3 += v;
                n3++;
            }
        }

        var day = _period - (horizon % _period);
        var seasonal = History.Lag(series, day == _period ? 0 : day);
        var tod = 2 * Math.PI * (((timestampSeconds + ((long)horizon * Shape.StepSeconds)) % 86400) / 86400.0);
        _x[0] = 1;
        _x[1] = last / scale;
        _x[2] = (n3 > 0 ? m3 / n3 : last) / scale;
        _x[3] = (n12 > 0 ? m12 / n12 : last) / scale;
        _x[4] = (double.IsNaN(seasonal) ? last : seasonal) / scale;
        _x[5] = Math.Sin(tod);
        _x[6] = Math.Cos(tod);
        _x[7] = Math.Sin(2 * tod);
        _x[8] = Math.Cos(2 * tod);
        return true;
    }

    private void Update(Span<double> st, double y)
    {
        // Discount (random-walk evolution): V ← V/δ, a ← δa, b ← δb. In directions the data never excite (a
        // series stuck at 0 leaves its lag features at 0) V would grow like δ^−t without bound and the first move
        // would get an absurd predictive spread; the inflation stops while trace(V) exceeds 10 × the prior's.
        var v = st.Slice(D, P);
        var trace = 0.0;
        for (var i = 0; i < D; i++)
        {
            trace += v[_packed[(i * D) + i]];
        }

        if (trace < MaxCovarianceTrace)
        {
            for (var i = 0; i < v.Length; i++)
            {
                v[i] /= Discount;
            }
        }

        st[A] *= Discount;
        st[A + 1] *= Discount;
        var e = y;
        var s = 1.0;
        for (var i = 0; i < D; i++)
        {
            e -= _x[i] * st[i];
            var row = 0.0;
            for (var j = 0; j < D; j++)
            {
                row += v[_packed[(i * D) + j]] * _x[j];
            }

            _vx[i] = row;
            s += _x[i] * row;
        }

        for (var i = 0; i < D; i++)
        {
            st[i] += _vx[i] * e / s;
            for (var j = i; j < D; j++)
            {
                v[_packed[(i * D) + j]] -= _vx[i] * _vx[j] / s;
            }
        }

        st[A] += 0.5;
        st[A + 1] += e * e / (2 * s);
    }

    /// <summary>Index of V[i, j] (row-major i·D + j) in the packed upper triangle.</summary>
    private static int[] Packed()
    {
        var map = new int[D * D];
        var k = 0;
        for (var i = 0; i < D; i++)
        {
            for (var j = i; j < D; j++)
            {
                map[(i * D) + j] = k;
                map[(j * D) + i] = k;
                k++;
            }
        }

        return map;
    }
}
