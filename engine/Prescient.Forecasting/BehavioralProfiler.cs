using Prescient.Abstractions.Forecasting;
using Prescient.Forecasting.Models;
using Prescient.Forecasting.Series;

namespace Prescient.Forecasting;

/// <summary>
/// The Behavioral Profiler: the <see cref="SeriesStore"/> that keeps bounded telemetry history, and one forecaster
/// (by default the <c>ensemble</c>) that runs on one tier of it. Each raw sample goes to the store; when the
/// forecasting tier finishes a bucket for a series, that bucket's mean is one <see cref="IForecaster.Observe"/>
/// step. Series ids are shared by the store and the forecaster. One writer at a time; <see cref="Forecast"/> must
/// not overlap <see cref="RecordBatch"/>.
/// </summary>
public sealed class BehavioralProfiler
{
    private readonly int _tier;
    private int[] _completed = [];
    private double[] _completedValues = [];

    /// <summary>Creates the profiler; <paramref name="forecaster"/> must step at the tier's width (default: ensemble on the 5-minute tier).</summary>
    public BehavioralProfiler(SeriesStoreOptions? storeOptions = null, int forecastTier = 2, IForecaster? forecaster = null)
    {
        Store = new SeriesStore(storeOptions);
        if ((uint)forecastTier >= (uint)Store.Tiers.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(forecastTier), forecastTier, "no such tier");
        }

        _tier = forecastTier;
        var step = Store.Tiers[forecastTier].StepSeconds;
        Forecaster = forecaster ?? ForecasterRegistry.CreateEnsemble(ForecastShape.ForStep(step, ForecastShape.DefaultHorizonSeconds, ForecastShape.DefaultQuantiles));
        if (Forecaster.Shape.StepSeconds != step)
        {
            throw new ArgumentException($"the forecaster steps every {Forecaster.Shape.StepSeconds} s but tier {forecastTier} is {step} s", nameof(forecaster));
        }
    }

    /// <summary>The telemetry history.</summary>
    public SeriesStore Store { get; }

    /// <summary>The forecaster fed from the forecasting tier.</summary>
    public IForecaster Forecaster { get; }

    /// <summary>The series id of <paramref name="key"/>, created (in store and forecaster) on first use; allocates then.</summary>
    public int Track(SeriesKey key, string group = "default", SampleKind kind = SampleKind.Gauge)
    {
        var before = Store.Count;
        var id = Store.GetOrAdd(key, group, kind);
        if (Store.Count > before)
        {
            while (Forecaster.SeriesCount <= id)
            {
                Forecaster.AddSeries(1);
            }

            Forecaster.DescribeSeries(id, key, group);
            if (_completed.Length < Store.Count)
            {
                Array.Resize(ref _completed, Math.Max(16, Store.Count * 2));
                Array.Resize(ref _completedValues, _completed.Length);
            }
        }

        return id;
    }

    /// <summary>
    /// Records one raw sample per listed series taken at <paramref name="timestampSeconds"/>; series whose forecasting
    /// bucket finished advance the forecaster by one step (in one batched call). Returns how many advanced.
    /// </summary>
    public int RecordBatch(long timestampSeconds, ReadOnlySpan<int> series, ReadOnlySpan<double> values)
    {
        var n = 0;
        for (var i = 0; i < series.Length; i++)
        {
            Store.Record(series[i], timestampSeconds, values[i], out var completed);
            if ((completed & (1 << _tier)) != 0)
            {
                _completed[n] = series[i];
                _completedValues[n] = Store.Latest(series[i], _tier);
                n++;
            }
        }

        if (n > 0)
        {
            var step = Store.Tiers[_tier].StepSeconds;
            Forecaster.Observe(timestampSeconds - (timestampSeconds % step), _completed.AsSpan(0, n), _completedValues.AsSpan(0, n));
        }

        return n;
    }

    /// <summary>Writes forecasts of <paramref name="series"/> into <paramref name="batch"/> (rows in the same order).</summary>
    public void Forecast(ReadOnlySpan<int> series, ForecastBatch batch) => Forecaster.Forecast(series, batch.Values);
}
