namespace Prescient.Abstractions.Forecasting;

/// <summary>
/// A forecasting model over many series at once. Series are dense slots <c>0..SeriesCount-1</c> created with
/// <see cref="AddSeries"/>; every series advances on the grid of <see cref="ForecastShape.StepSeconds"/>: one
/// <see cref="Observe"/> call is one step for the series it names. The caller (the series store, or the replay)
/// regularizes raw samples onto that grid and passes <see cref="double.NaN"/> for a step with no sample; a model
/// never learns from NaN or infinities (it keeps its state and ages its clock).
/// <para>
/// Calls are batch-shaped (one call per cycle over spans) and allocate nothing once every slot exists.
/// Implementations are not thread-safe: one caller at a time (the orchestrator's cycle, or one evaluation
/// thread). All calls are deterministic: the same calls give the same forecasts.
/// </para>
/// </summary>
public interface IForecaster
{
    /// <summary>Stable kebab-case name used in configuration, metrics, logs and model files (e.g. <c>bayes-dlm</c>).</summary>
    string Name { get; }

    /// <summary>The step, horizons and quantiles of every forecast this instance produces; fixed at construction.</summary>
    ForecastShape Shape { get; }

    /// <summary>Number of series slots created so far.</summary>
    int SeriesCount { get; }

    /// <summary>
    /// Creates <paramref name="count"/> new, empty series slots and returns the first one's index; the others follow
    /// densely. Allocates (grows per-series arrays); call it outside the cycle's hot path.
    /// </summary>
    int AddSeries(int count);

    /// <summary>
    /// Makes room for <paramref name="capacity"/> series at once, so that <see cref="AddSeries"/> up to it does not
    /// reallocate (growing one job at a time leaves up to half the arrays unused and the old copies as garbage).
    /// Allocates; does nothing when there is room already.
    /// </summary>
    void EnsureCapacity(int capacity);

    /// <summary>
    /// Tells the model what <paramref name="series"/> is: its key (entity and resource) and its entity's group
    /// (for the hierarchical cold-start prior). Optional: a series never described is treated as CPU in group
    /// <c>default</c>. Call it after <see cref="AddSeries"/> and before the first <see cref="Observe"/>.
    /// </summary>
    void DescribeSeries(int series, SeriesKey key, string group);

    /// <summary>Forgets everything learned about <paramref name="series"/> (it restarts cold). Idempotent.</summary>
    void ResetSeries(int series);

    /// <summary>
    /// Records one step for each listed series: <paramref name="values"/>[i] is the value of
    /// <paramref name="series"/>[i] over the step ending at <paramref name="timestampSeconds"/> (Unix seconds), in the
    /// resource's unit, or NaN when missing. Values that are negative, NaN or infinite are treated as missing.
    /// The spans have equal length; a series listed twice in one call is a caller bug (undefined result).
    /// </summary>
    void Observe(long timestampSeconds, ReadOnlySpan<int> series, ReadOnlySpan<double> values);

    /// <summary>
    /// Writes, for each listed series, its forecast for the steps after its last observation into
    /// <paramref name="output"/>: <see cref="ForecastShape.Width"/> numbers per series in the order of
    /// <paramref name="series"/>, horizon-major (<c>[i * Width + h * QuantileCount + q]</c>), non-decreasing across
    /// quantiles. A point model writes its point at every quantile. A series that has never seen a valid value gets
    /// NaN everywhere (callers fall back to a prior, see the ensemble's cold start).
    /// <paramref name="output"/> must hold at least <c>series.Length * Width</c> numbers.
    /// </summary>
    void Forecast(ReadOnlySpan<int> series, Span<double> output);
}
