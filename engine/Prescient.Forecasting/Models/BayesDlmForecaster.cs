using System.Runtime.CompilerServices;
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
/// (the mean of the valid values once there are 12 and it is positive; a value over 100 × the scale — a near-idle start,
/// then the real load — restarts the model from the prior at that value's scale) so one prior fits all units.
/// Memory per series: horizons × (d(d+1)/2 + d + 2) floats (V kept as its upper triangle; updated in double, stored
/// in float: the state is a running estimate, a rounding of 6e-8 per step is far below its own uncertainty) + Σ_h records(h) × d floats of pending features, d = 9
/// (records(h) = h + 1, or fewer: see <see cref="PendingForecasts"/>), and a day of history (see <see cref="SeriesHistory"/>).
/// </summary>
public sealed class BayesDlmForecaster : HistoryForecasterBase
{
    private const int D = 9;
    private const double Discount = 0.998;
    private const int ScaleSamples = 12;
    private const double RescaleAbove = 100;
    private const double MaxCovarianceTrace = 10 * (1 + (0.5 * (D - 1)));

    private readonly int _period;
    // State per (series, horizon): m (D), V as its packed upper triangle row by row (P = D(D+1)/2: V stays exactly
    // symmetric, since every update is symmetric in i and j), a, b.
    private const int P = D * (D + 1) / 2;
    private const int A = D + P;
    private const int Stride = D + P + 2;
    private static readonly int[] DiagonalAt = Diagonal();
    private readonly PendingForecasts _features;
    private readonly double[] _z;
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
        _z = Distributions.NormalQuantiles(shape.Quantiles);
    }

    /// <inheritdoc/>
    protected internal override bool SeriesIndependent => true;

    /// <inheritdoc/>
    protected override void Grow(int capacity)
    {
        base.Grow(capacity);
        _features.Grow(capacity);
        _state = Grown(_state, capacity * Shape.HorizonCount * Stride);
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
        ResetState(series);
    }

    // The prior of every horizon's regression: persistence, with the prior covariance and noise.
    private void ResetState(int series)
    {
        for (var h = 0; h < Shape.HorizonCount; h++)
        {
            var st = StateOf(series, h);
            st.Clear();
            st[1] = 1; // m: start as persistence.
            for (var i = 0; i < D; i++)
            {
                st[D + DiagonalAt[i]] = i == 0 ? 1f : 0.5f; // V: prior covariance.
            }

            st[A] = 2; // a
            st[A + 1] = 2 * 0.05f; // b: prior noise variance ≈ 5 % of scale².
        }
    }

    /// <inheritdoc/>
    [SkipLocalsInit]
    protected override void ObserveOne(int series, long timestampSeconds, double value)
    {
        var step = Steps[series];
        if (!double.IsNaN(value) && double.IsNaN(_scale[series]))
        {
            // The scale is the mean of the valid values so far, once there are 12 and it is positive (a series that
            // starts at 0 is forecast by its last value until it moves).
            _scaleSum[series] += value;
            var valid = ValidCount[series] + 1;
            if (valid >= ScaleSamples && _scaleSum[series] > 0)
            {
                _scale[series] = _scaleSum[series] / valid;
            }
        }
        else if (value > RescaleAbove * _scale[series])
        {
            // Orders of magnitude above the scale (a near-idle start, then the real load): what was learned in those
            // units says nothing about these — the lag coefficients' prior uncertainty, relative to the noise, would
            // turn into an absurd spread. Start again from the prior at this value's scale.
            _scale[series] = value;
            ResetState(series);
            _features.Reset(series);
        }

        var hs = Shape.HorizonSteps;
        var scale = _scale[series];
        if (!double.IsNaN(value) && !double.IsNaN(scale))
        {
            var y = value / scale;
            Span<double> x = stackalloc double[D];
            Span<double> vx = stackalloc double[D];
            Span<double> work = stackalloc double[Stride];
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
                    x[i] = f[i];
                }

                var stored = StateOf(series, h);
                for (var i = 0; i < Stride; i++)
                {
                    work[i] = stored[i];
                }

                Update(work, y, x, vx);
                for (var i = 0; i < Stride; i++)
                {
                    stored[i] = (float)work[i];
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
        Span<double> features = stackalloc double[D];
        var known = RecentLevels(series, out var level);
        for (var h = 0; h < hs.Length; h++)
        {
            if (!_features.Records(h, step))
            {
                continue;
            }

            var slot = _features.At(series, h, step);
            if (!known)
            {
                slot.Fill(float.NaN);
                continue;
            }

            BuildFeatures(series, timestampSeconds, hs[h], scale, level, features);

            for (var i = 0; i < D; i++)
            {
                slot[i] = (float)features[i];
            }
        }
    }

    /// <inheritdoc/>
    [SkipLocalsInit]
    protected override void ForecastOne(int series, Span<double> destination)
    {
        var qn = Shape.QuantileCount;
        var scale = _scale[series];
        var hs = Shape.HorizonSteps;
        Span<double> x = stackalloc double[D];
        var known = !double.IsNaN(scale) & RecentLevels(series, out var level);
        for (var h = 0; h < hs.Length; h++)
        {
            if (!known)
            {
                WritePoint(destination, h, LastValid[series]);
                continue;
            }

            BuildFeatures(series, LastTimestamp[series], hs[h], scale, level, x);

            var st = StateOf(series, h);
            var mean = 0.0;
            for (var i = 0; i < D; i++)
            {
                mean += x[i] * st[i];
            }

            var quad = Quadratic(st.Slice(D, P), x);
            var a = st[A];
            var b = st[A + 1];
            var sd = Math.Sqrt(Math.Max(0, b / a * (1 + quad)));
            for (var q = 0; q < qn; q++)
            {
                destination[(h * qn) + q] = (mean + (Distributions.StudentTQuantileOfNormal(_z[q], 2 * a) * sd)) * scale;
            }
        }
    }

    private Span<float> StateOf(int series, int h) => _state.AsSpan(((series * Shape.HorizonCount) + h) * Stride, Stride);

    // The last valid value and the means of the last 3 and 12 valid values (the last value where there are none);
    // false before the series has a valid value.
    [SkipLocalsInit]
    private bool RecentLevels(int series, out RecentLevel level)
    {
        var last = LastValid[series];
        if (double.IsNaN(last))
        {
            level = default;
            return false;
        }

        double m3 = 0, m12 = 0;
        int n3 = 0, n12 = 0;
        Span<double> lags = stackalloc double[12];
        var stored = History.CopyLatest(series, lags);
        for (var k = 0; k < stored; k++)
        {
            var v = lags[k];
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

        level = new RecentLevel(last, n3 > 0 ? m3 / n3 : last, n12 > 0 ? m12 / n12 : last);
        return true;
    }

    private void BuildFeatures(int series, long timestampSeconds, int horizon, double scale, in RecentLevel level, Span<double> x)
    {
        var day = _period - (horizon % _period);
        var lag = day == _period ? 0 : day;
        var seasonal = History.Lag(series, lag);
        var tod = 2 * Math.PI * (((timestampSeconds + ((long)horizon * Shape.StepSeconds)) % 86400) / 86400.0);
        var (sin, cos) = Math.SinCos(tod);
        x[0] = 1;
        x[1] = level.Last / scale;
        x[2] = level.Mean3 / scale;
        x[3] = level.Mean12 / scale;
        // Before the series has a day of history the seasonal feature is 0, not the last value: a copy of x[1] would
        // leave the two coefficients unidentified (only their sum is learned), and the day the real value arrives
        // the forecast would swing by their difference. A day-old value missing later falls back to the last value.
        x[4] = (double.IsNaN(seasonal) ? (lag < History.Count(series) ? level.Last : 0) : seasonal) / scale;
        x[5] = sin;
        x[6] = cos;
        x[7] = 2 * sin * cos;
        x[8] = (cos - sin) * (cos + sin);
    }

    private void Update(Span<double> st, double y, ReadOnlySpan<double> x, Span<double> vx)
    {
        // Discount (random-walk evolution): V ← V/δ, a ← δa, b ← δb. In directions the data never excite (a
        // series stuck at 0 leaves its lag features at 0) V would grow like δ^−t without bound and the first move
        // would get an absurd predictive spread; the inflation stops while trace(V) exceeds 10 × the prior's.
        var v = st.Slice(D, P);
        var trace = 0.0;
        for (var i = 0; i < D; i++)
        {
            trace += v[DiagonalAt[i]];
        }

        if (trace < MaxCovarianceTrace)
        {
            for (var i = 0; i < v.Length; i++)
            {
                v[i] *= 1 / Discount;
            }
        }

        st[A] *= Discount;
        st[A + 1] *= Discount;
        var e = y;
        for (var i = 0; i < D; i++)
        {
            e -= x[i] * st[i];
        }

        var s = 1.0 + Product(v, x, vx);
        var inv = 1 / s;
        var k = 0;
        for (var i = 0; i < D; i++)
        {
            var g = vx[i] * inv;
            st[i] += g * e;
            for (var j = i; j < D; j++)
            {
                v[k++] -= g * vx[j];
            }
        }

        st[A] += 0.5;
        st[A + 1] += e * e / (2 * s);
    }

    /// <summary>xᵀVx for V kept as its packed upper triangle (row by row).</summary>
    private static double Quadratic(ReadOnlySpan<float> v, ReadOnlySpan<double> x)
    {
        var quad = 0.0;
        var k = 0;
        for (var i = 0; i < D; i++)
        {
            var xi = x[i];
            var cross = 0.0;
            for (var j = i + 1; j < D; j++)
            {
                cross += v[k + j - i] * x[j];
            }

            quad += xi * ((v[k] * xi) + (2 * cross));
            k += D - i;
        }

        return quad;
    }

    /// <summary>Writes Vx into <paramref name="vx"/> for V kept as its packed upper triangle; returns xᵀVx.</summary>
    private static double Product(ReadOnlySpan<double> v, ReadOnlySpan<double> x, Span<double> vx)
    {
        vx[..D].Clear();
        var k = 0;
        for (var i = 0; i < D; i++)
        {
            var xi = x[i];
            var row = v[k] * xi;
            for (var j = i + 1; j < D; j++)
            {
                var vij = v[k + j - i];
                row += vij * x[j];
                vx[j] += vij * xi;
            }

            vx[i] += row;
            k += D - i;
        }

        var quad = 0.0;
        for (var i = 0; i < D; i++)
        {
            quad += x[i] * vx[i];
        }

        return quad;
    }

    /// <summary>Index of V[i, i] in the packed upper triangle (row by row: V[i, j], j ≥ i).</summary>
    private static int[] Diagonal()
    {
        var map = new int[D];
        var k = 0;
        for (var i = 0; i < D; i++)
        {
            map[i] = k;
            k += D - i;
        }

        return map;
    }

    private readonly record struct RecentLevel(double Last, double Mean3, double Mean12);
}
