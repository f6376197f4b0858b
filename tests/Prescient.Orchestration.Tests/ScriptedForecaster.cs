using Prescient.Abstractions.Forecasting;

namespace Prescient.Orchestration.Tests;

/// <summary>
/// A deterministic test model: forecasts the last observed value × <see cref="Bias"/> at every horizon, with the 0.9
/// and 0.99 levels 10 % and 20 % above. <see cref="Bias"/> can be changed mid-run to make it go bad.
/// </summary>
internal sealed class ScriptedForecaster(string name, ForecastShape shape) : IForecaster
{
    private double[] _last = [];

    public string Name { get; } = name;

    public ForecastShape Shape { get; } = shape;

    public int SeriesCount { get; private set; }

    public double Bias { get; set; } = 1;

    public void EnsureCapacity(int capacity)
    {
        if (_last.Length < capacity)
        {
            var old = _last.Length;
            Array.Resize(ref _last, capacity);
            _last.AsSpan(old).Fill(double.NaN);
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
        }

        return first;
    }

    public void DescribeSeries(int series, SeriesKey key, string group)
    {
    }

    public void ResetSeries(int series) => _last[series] = double.NaN;

    public void Observe(long timestampSeconds, ReadOnlySpan<int> series, ReadOnlySpan<double> values)
    {
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
            var v = _last[series[i]] * Bias;
            for (var h = 0; h < Shape.HorizonCount; h++)
            {
                output[(i * w) + (h * 3)] = v;
                output[(i * w) + (h * 3) + 1] = v * 1.1;
                output[(i * w) + (h * 3) + 2] = v * 1.2;
            }
        }
    }
}
