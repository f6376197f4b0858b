using Prescient.Abstractions.Telemetry;
using Prescient.Forecasting.Models;

namespace Prescient.Forecasting.Training;

/// <summary>
/// The LSTM's inputs, computed online per series from data up to the current step only (the same code runs in
/// training and in inference, so they cannot disagree). With s the series' scale (an exponentially weighted mean
/// of its valid values, 1 % per step, floored per resource), the <see cref="Count"/> features are: last valid
/// value / s; its change since the previous valid value / s; a missing-sample flag; the mean of the last 12 values
/// / s; sin/cos of the time of day and of the day of week; for the shortest and the longest horizon the value one
/// day before the target / s; log(1 + age in steps) / 10 (job age); log10(s) / 10 (entity statistic); a one-hot
/// resource kind. Targets and outputs are in units of s relative to the last value: ŷ = s·(level + output).
/// Memory: one day of floats plus 4 doubles per series.
/// </summary>
public sealed class LstmFeatures
{
    /// <summary>Number of features.</summary>
    public const int Count = 12 + ResourceKinds.Count;

    /// <summary>Clip for scaled values, so one absurd sample cannot saturate the network.</summary>
    public const float Clip = 50;

    private readonly int _period;
    private readonly int _firstHorizon;
    private readonly int _lastHorizon;
    private readonly SeriesHistory _history;
    private double[] _scale = [];
    private double[] _last = [];
    private double[] _previous = [];
    private long[] _age = [];
    private ResourceKind[] _resource = [];

    /// <summary>Creates the featurizer for a step and the horizons (in steps) the model predicts.</summary>
    public LstmFeatures(int stepSeconds, ReadOnlySpan<int> horizonSteps)
    {
        _period = Math.Max(1, 86400 / stepSeconds);
        _firstHorizon = horizonSteps[0];
        _lastHorizon = horizonSteps[^1];
        _history = new SeriesHistory(Math.Max(_period, 12));
    }

    /// <summary>Grows to <paramref name="capacity"/> series.</summary>
    public void Grow(int capacity)
    {
        _history.Grow(capacity);
        Array.Resize(ref _scale, capacity);
        Array.Resize(ref _last, capacity);
        Array.Resize(ref _previous, capacity);
        Array.Resize(ref _age, capacity);
        Array.Resize(ref _resource, capacity);
    }

    /// <summary>Forgets series <paramref name="s"/>.</summary>
    public void Reset(int s)
    {
        _history.Reset(s);
        _scale[s] = double.NaN;
        _last[s] = double.NaN;
        _previous[s] = double.NaN;
        _age[s] = 0;
    }

    /// <summary>Sets the resource of series <paramref name="s"/> (CPU by default).</summary>
    public void SetResource(int s, ResourceKind resource) => _resource[s] = resource;

    /// <summary>The current scale of series <paramref name="s"/> (NaN before its first valid value).</summary>
    public double Scale(int s) => _scale[s];

    /// <summary>The last valid value of series <paramref name="s"/>, scaled (0 before the first).</summary>
    public double Level(int s) => double.IsNaN(_last[s]) ? 0 : _last[s] / _scale[s];

    /// <summary>Advances series <paramref name="s"/> by one step (value NaN when missing) and writes its features.</summary>
    public void Step(int s, long timestampSeconds, double value, Span<float> features)
    {
        var valid = double.IsFinite(value) && value >= 0;
        if (valid)
        {
            var floor = Floor(_resource[s]);
            _scale[s] = double.IsNaN(_scale[s]) ? Math.Max(value, floor) : Math.Max(floor, _scale[s] + (0.01 * (value - _scale[s])));
            _previous[s] = _last[s];
            _last[s] = value;
        }

        _history.Push(s, valid ? value : double.NaN);
        _age[s]++;
        var scale = double.IsNaN(_scale[s]) ? 1 : _scale[s];
        var last = double.IsNaN(_last[s]) ? 0 : _last[s];
        var prev = double.IsNaN(_previous[s]) ? last : _previous[s];
        double m12 = 0;
        var n12 = 0;
        for (var k = 0; k < 12; k++)
        {
            var v = _history.Lag(s, k);
            if (!double.IsNaN(v))
            {
                m12 += v;
                n12++;
            }
        }

        var tod = 2 * Math.PI * ((timestampSeconds % 86400) / 86400.0);
        var dow = 2 * Math.PI * (((timestampSeconds / 86400) + 4) % 7 / 7.0);
        features[0] = C(last / scale);
        features[1] = C((last - prev) / scale);
        features[2] = valid ? 0 : 1;
        features[3] = C((n12 > 0 ? m12 / n12 : last) / scale);
        features[4] = (float)Math.Sin(tod);
        features[5] = (float)Math.Cos(tod);
        features[6] = (float)Math.Sin(dow);
        features[7] = (float)Math.Cos(dow);
        features[8] = C(Seasonal(s, _firstHorizon, last) / scale);
        features[9] = C(Seasonal(s, _lastHorizon, last) / scale);
        features[10] = (float)(Math.Log(1 + _age[s]) / 10);
        features[11] = (float)(Math.Log10(scale) / 10);
        for (var r = 0; r < ResourceKinds.Count; r++)
        {
            features[12 + r] = (int)_resource[s] == r ? 1 : 0;
        }
    }

    private double Seasonal(int s, int horizon, double fallback)
    {
        var lag = _period - (horizon % _period);
        var v = _history.Lag(s, lag == _period ? 0 : lag);
        return double.IsNaN(v) ? fallback : v;
    }

    private static float C(double v) => (float)Math.Clamp(v, -Clip, Clip);

    private static double Floor(ResourceKind r) => r switch
    {
        ResourceKind.Cpu => 1e-3,
        ResourceKind.Memory => 1e6,
        _ => 1,
    };
}
