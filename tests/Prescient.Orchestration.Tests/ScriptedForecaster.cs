using Prescient.Abstractions.Forecasting;

namespace Prescient.Orchestration.Tests;

/// <summary>
/// A deterministic test model: forecasts the last observed value × its series' bias at every horizon, with the 0.9
/// and 0.99 levels 10 % and 20 % above. <see cref="Bias"/> sets every series' bias (change it mid-run to make the
/// model go bad); the per-series bias is its calibration (<see cref="ICalibrationState"/>, one float per series).
/// </summary>
internal sealed class ScriptedForecaster(string name, ForecastShape shape) : IForecaster, ICalibrationState
{
    private double[] _last = [];
    private double[] _bias = [];
    private double _defaultBias = 1;

    public string Name { get; } = name;

    public ForecastShape Shape { get; } = shape;

    public int SeriesCount { get; private set; }

    public double Bias
    {
        get => _defaultBias;
        set
        {
            _defaultBias = value;
            _bias.AsSpan().Fill(value);
        }
    }

    /// <summary>When set, the next <see cref="Observe"/> sets every series' bias to it (a bad update as the model learns).</summary>
    public double? BiasAtNextObserve { get; set; }

    public int CalibrationLength => 1;

    public double BiasOf(int series) => _bias[series];

    public void ExportCalibration(int series, Span<float> destination) => destination[0] = (float)_bias[series];

    public void ImportCalibration(int series, ReadOnlySpan<float> source)
    {
        if (!float.IsFinite(source[0]))
        {
            throw new ArgumentException($"bias {source[0]}", nameof(source));
        }

        _bias[series] = source[0];
    }

    public void EnsureCapacity(int capacity)
    {
        if (_last.Length < capacity)
        {
            var old = _last.Length;
            Array.Resize(ref _last, capacity);
            _last.AsSpan(old).Fill(double.NaN);
            Array.Resize(ref _bias, capacity);
            _bias.AsSpan(old).Fill(_defaultBias);
        }
    }

    public int AddSeries(int count)
    {
        var first = SeriesCount;
        SeriesCount += count;
        if (_last.Length < SeriesCount)
        {
            var old = _last.Length;
            Array.Resize(ref _last, Math.Max(SeriesCount, _last.Length * 2));
            _last.AsSpan(old).Fill(double.NaN);
            Array.Resize(ref _bias, _last.Length);
            _bias.AsSpan(old).Fill(_defaultBias);
        }

        return first;
    }

    public void DescribeSeries(int series, SeriesKey key, string group)
    {
    }

    public void ResetSeries(int series) => _last[series] = double.NaN;

    public void Observe(long timestampSeconds, ReadOnlySpan<int> series, ReadOnlySpan<double> values)
    {
        if (BiasAtNextObserve is { } bias)
        {
            Bias = bias;
            BiasAtNextObserve = null;
        }

        for (var i = 0; i < series.Length; i++)
        {
            if (double.IsFinite(values[i]) && values[i] >= 0)
            {
                _last[series[i]] = values[i];
            }
        }
    }

    public void Forecast(ReadOnlySpan<int> series, Span<double> output)
    {
        var w = Shape.Width;
        for (var i = 0; i < series.Length; i++)
        {
            var v = _last[series[i]] * _bias[series[i]];
            for (var h = 0; h < Shape.HorizonCount; h++)
            {
                output[(i * w) + (h * 3)] = v;
                output[(i * w) + (h * 3) + 1] = v * 1.1;
                output[(i * w) + (h * 3) + 2] = v * 1.2;
            }
        }
    }
}
