using System.Runtime.CompilerServices;
using Prescient.Abstractions.Forecasting;
using Prescient.Abstractions.Telemetry;

namespace Prescient.Forecasting.Models;

/// <summary>
/// Shared plumbing of the forecasters: dense slots, input sanitation (negative, NaN and infinite values become
/// missing), per-series step counters, and output post-processing (quantiles made non-decreasing and clamped at
/// zero, since every resource is a non-negative quantity). Subclasses implement one series at a time.
/// <para>
/// The per-series bookkeeping (steps, valid counts, last values, timestamps, resources, groups: 44 bytes a series)
/// can be shared: a model observed only through its owner (an ensemble's member) reads its owner's
/// (<see cref="ShareBookkeepingOf"/>), which the owner keeps and advances.
/// </para>
/// </summary>
public abstract class ForecasterBase : IForecaster
{
    private int _capacity;
    private Bookkeeping _book = new();
    private bool _borrowed;

    /// <summary>Creates a forecaster named <paramref name="name"/> producing <paramref name="shape"/>.</summary>
    protected ForecasterBase(string name, ForecastShape shape)
    {
        Name = name;
        Shape = shape;
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <inheritdoc/>
    public ForecastShape Shape { get; }

    /// <inheritdoc/>
    public int SeriesCount { get; private set; }

    /// <summary>Series slots allocated (at least <see cref="SeriesCount"/>).</summary>
    public int Capacity => _capacity;

    /// <summary>Steps observed per series (missing steps included).</summary>
    protected long[] Steps => _book.Steps;

    /// <summary>Valid observations per series.</summary>
    protected long[] ValidCount => _book.ValidCount;

    /// <summary>The last valid value per series (NaN before the first).</summary>
    protected double[] LastValid => _book.LastValid;

    /// <summary>Timestamp of the last observed step per series.</summary>
    protected long[] LastTimestamp => _book.LastTimestamp;

    /// <summary>The resource of each series (CPU until described).</summary>
    protected ResourceKind[] Resource => _book.Resource;

    /// <summary>The group of each series (<c>default</c> until described).</summary>
    protected string[] GroupOf => _book.GroupOf;

    /// <inheritdoc/>
    public virtual void DescribeSeries(int series, SeriesKey key, string group)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)series, (uint)SeriesCount, nameof(series));
        if (!_borrowed)
        {
            Resource[series] = key.Resource;
            GroupOf[series] = group;
        }
    }

    /// <summary>
    /// Makes this model read <paramref name="owner"/>'s per-series bookkeeping instead of keeping its own: for a
    /// model that is observed, described, reset and grown only by <paramref name="owner"/>, always before the owner
    /// advances its counters (<see cref="AdvanceBookkeeping"/>) — an ensemble's
    /// member. Both must be empty. Returns false (and shares nothing) when either already has series.
    /// </summary>
    internal bool ShareBookkeepingOf(ForecasterBase owner)
    {
        if (SeriesCount != 0 || _capacity != 0 || owner.SeriesCount != 0 || owner._capacity != 0 || owner._borrowed)
        {
            return false;
        }

        _book = owner._book;
        _borrowed = true;
        return true;
    }

    /// <summary>
    /// Advances the bookkeeping of <paramref name="series"/> by this step: for a model that overrides
    /// <see cref="ObserveBatch"/> (the default batch does it after each <see cref="ObserveOne"/>).
    /// </summary>
    protected void AdvanceBookkeeping(int series, long timestampSeconds, double value)
    {
        Steps[series]++;
        LastTimestamp[series] = timestampSeconds;
        if (!double.IsNaN(value))
        {
            ValidCount[series]++;
            LastValid[series] = value;
        }
    }

    /// <summary>
    /// Whether <see cref="IForecaster.Observe"/> and <see cref="IForecaster.Forecast"/> calls on different series may
    /// run at the same time (the model keeps nothing shared between series but read-only settings): an ensemble
    /// then steps its members on several threads.
    /// </summary>
    protected internal virtual bool SeriesIndependent => false;

    /// <summary>The value the models see for <paramref name="value"/>: negative, NaN and infinite values are missing (NaN).</summary>
    protected static double Sanitize(double value) => !(value >= 0) || double.IsPositiveInfinity(value) ? double.NaN : value;

    /// <inheritdoc/>
    public int AddSeries(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var first = SeriesCount;
        var needed = first + count;
        if (needed > _capacity)
        {
            // Grow by half (not double): at a cluster's worth of series the slack of doubling is gigabytes.
            Reallocate(Math.Max(needed, Math.Max(16, _capacity + (_capacity / 2))));
        }

        SeriesCount = needed;
        for (var s = first; s < needed; s++)
        {
            if (!_borrowed)
            {
                GroupOf[s] = "default";
            }

            ResetSeries(s);
        }

        return first;
    }

    /// <inheritdoc/>
    public void EnsureCapacity(int capacity)
    {
        if (capacity > _capacity)
        {
            Reallocate(capacity);
        }
    }

    /// <inheritdoc/>
    public void ResetSeries(int series)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)series, (uint)SeriesCount, nameof(series));
        if (!_borrowed)
        {
            Steps[series] = 0;
            ValidCount[series] = 0;
            LastValid[series] = double.NaN;
            LastTimestamp[series] = 0;
        }

        ResetOne(series);
    }

    /// <inheritdoc/>
    public void Observe(long timestampSeconds, ReadOnlySpan<int> series, ReadOnlySpan<double> values)
    {
        if (series.Length != values.Length)
        {
            ThrowLengthMismatch();
        }

        ObserveBatch(timestampSeconds, series, values);
        OnObserved();
    }

    /// <summary>
    /// Learns from one step of every series in <paramref name="series"/> (values not yet sanitized): by default
    /// <see cref="ObserveOne"/> then the bookkeeping, series by series.
    /// </summary>
    protected virtual void ObserveBatch(long timestampSeconds, ReadOnlySpan<int> series, ReadOnlySpan<double> values)
    {
        for (var i = 0; i < series.Length; i++)
        {
            var s = series[i];
            var v = Sanitize(values[i]);
            ObserveOne(s, timestampSeconds, v);
            if (!_borrowed)
            {
                AdvanceBookkeeping(s, timestampSeconds, v);
            }
        }
    }

    /// <inheritdoc/>
    public void Forecast(ReadOnlySpan<int> series, Span<double> output)
    {
        var w = Shape.Width;
        if (output.Length < series.Length * w)
        {
            ThrowOutputTooSmall();
        }

        var q = Shape.QuantileCount;
        for (var i = 0; i < series.Length; i++)
        {
            var dst = output.Slice(i * w, w);
            var s = series[i];
            if (ValidCount[s] == 0)
            {
                ForecastWithoutHistory(s, dst);
                continue;
            }

            ForecastOne(s, dst);
            for (var h = 0; h < Shape.HorizonCount; h++)
            {
                var row = dst.Slice(h * q, q);
                var prev = 0.0;
                for (var k = 0; k < q; k++)
                {
                    var x = row[k];
                    if (!double.IsFinite(x))
                    {
                        x = LastValid[s];
                    }

                    x = Math.Max(x, prev);
                    row[k] = x;
                    prev = x;
                }
            }
        }
    }

    private void Reallocate(int capacity)
    {
        if (!_borrowed)
        {
            _book.Grow(capacity);
        }
        else if (_book.Steps.Length < capacity)
        {
            throw new InvalidOperationException($"model '{Name}' reads its owner's bookkeeping, which has room for {_book.Steps.Length} series, not {capacity}: grow the owner first");
        }

        Grow(capacity);
        _capacity = capacity;
    }

    /// <summary>Grows per-series state to <paramref name="capacity"/> slots.</summary>
    protected abstract void Grow(int capacity);

    /// <summary>Clears the model state of <paramref name="series"/>.</summary>
    protected abstract void ResetOne(int series);

    /// <summary>Learns from one step of <paramref name="series"/>; <paramref name="value"/> is NaN when missing. Called before the base counters advance.</summary>
    protected abstract void ObserveOne(int series, long timestampSeconds, double value);

    /// <summary>Writes the forecast of <paramref name="series"/> (which has at least one valid value) into <paramref name="destination"/>.</summary>
    protected abstract void ForecastOne(int series, Span<double> destination);

    /// <summary>Called once at the end of each <see cref="Observe"/> batch (a batched model runs its kernel here).</summary>
    protected virtual void OnObserved()
    {
    }

    /// <summary>Forecast of a series that has no valid value yet; NaN unless the model has a prior.</summary>
    protected virtual void ForecastWithoutHistory(int series, Span<double> destination) => destination.Fill(double.NaN);

    /// <summary>Steps in a day at <paramref name="shape"/>'s step (at least 1): the daily season.</summary>
    protected static int StepsPerDay(ForecastShape shape) => Math.Max(1, 86400 / shape.StepSeconds);

    /// <summary>Writes <paramref name="point"/> at every quantile of horizon <paramref name="h"/>.</summary>
    protected void WritePoint(Span<double> destination, int h, double point) =>
        destination.Slice(h * Shape.QuantileCount, Shape.QuantileCount).Fill(point);

    /// <summary>Copies <paramref name="array"/> into a new array of <paramref name="capacity"/> elements.</summary>
    protected static T[] Grown<T>(T[] array, int capacity)
    {
        var a = new T[capacity];
        array.AsSpan().CopyTo(a);
        return a;
    }

    /// <summary>Per-series counters and descriptions, struct-of-arrays; one owner grows and advances them.</summary>
    private sealed class Bookkeeping
    {
        public long[] Steps { get; private set; } = [];

        public long[] ValidCount { get; private set; } = [];

        public double[] LastValid { get; private set; } = [];

        public long[] LastTimestamp { get; private set; } = [];

        public ResourceKind[] Resource { get; private set; } = [];

        public string[] GroupOf { get; private set; } = [];

        public void Grow(int capacity)
        {
            Steps = Grown(Steps, capacity);
            ValidCount = Grown(ValidCount, capacity);
            LastValid = Grown(LastValid, capacity);
            LastTimestamp = Grown(LastTimestamp, capacity);
            Resource = Grown(Resource, capacity);
            GroupOf = Grown(GroupOf, capacity);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowLengthMismatch() => throw new ArgumentException("series and values must have the same length");

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowOutputTooSmall() => throw new ArgumentException("output is smaller than series.Length × Shape.Width");
}
