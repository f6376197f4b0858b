using Prescient.Abstractions.Forecasting;
using Prescient.Abstractions.Telemetry;
using Prescient.Forecasting.Models;
using Prescient.Forecasting.Traces;
using Prescient.Kernels;

namespace Prescient.Forecasting.Training;

/// <summary>
/// <c>lstm</c>: a trained global <see cref="LstmModel"/> run per series through the batched recurrent kernels of
/// <c>Prescient.Kernels</c> (<see cref="KernelDevice.Cpu"/> by default; <see cref="KernelDevice.Auto"/> uses a GPU when
/// one is usable). Each <see cref="IForecaster.Observe"/> batch is one kernel <c>Step</c> over its series; the
/// recurrent state stays in the backend. The served horizons must be the model's and the served quantile levels a
/// subset of the model's; anything else is refused at construction.
/// Memory per series: the kernel state (2 × hidden floats) plus <see cref="LstmFeatures"/>' day of history.
/// </summary>
public sealed class LstmForecaster : ForecasterBase, IDisposable
{
    private LstmModel _model;
    private readonly IRecurrentInference _inference;
    private readonly LstmFeatures _features;
    private readonly int[] _quantileIndex;
    private readonly int _o;
    private int[] _batchSlots = [];
    private int[] _batchSeries = [];
    private float[] _batchX = [];
    private float[] _batchY = [];
    private int _pending;
    private float[] _out = [];
    private double[] _scaleAt = [];
    private double[] _levelAt = [];
    private int _sampleSeries;
    private int _sampleSteps;
    private float[] _sampleValues = [];
    private long[] _sampleLast = [];
    private SeriesKey[] _sampleKeys = [];
    private string[] _sampleGroups = [];

    /// <summary>Creates the forecaster for <paramref name="shape"/> from <paramref name="model"/>.</summary>
    public LstmForecaster(ForecastShape shape, LstmModel model, KernelDevice device = KernelDevice.Cpu)
        : base("lstm", shape)
    {
        if (shape.StepSeconds != model.StepSeconds || !shape.HorizonSteps.SequenceEqual(model.HorizonSteps))
        {
            throw new ArgumentException(
                $"the lstm model was trained for a {model.StepSeconds} s step and horizons [{string.Join(", ", model.HorizonSteps)}] steps; " +
                $"asked for {shape.StepSeconds} s and [{string.Join(", ", shape.HorizonSteps.ToArray())}] — retrain with matching --horizons");
        }

        _quantileIndex = new int[shape.QuantileCount];
        for (var q = 0; q < shape.QuantileCount; q++)
        {
            _quantileIndex[q] = Array.FindIndex(model.Quantiles, x => Math.Abs(x - shape.Quantiles[q]) < 1e-9);
            if (_quantileIndex[q] < 0)
            {
                throw new ArgumentException($"the lstm model has no {shape.Quantiles[q]} quantile (it has {string.Join(", ", model.Quantiles)})");
            }
        }

        _model = model;
        _o = model.Spec.OutputSize;
        _features = new LstmFeatures(model.StepSeconds, model.HorizonSteps);
        _inference = RecurrentInferenceFactory.Create(model.Spec, model.Weights, 16, device);
    }

    /// <summary>Which kernel backend runs (e.g. <c>cpu-simd</c>) and why.</summary>
    public string Backend => $"{_inference.BackendName} ({_inference.SelectionReason})";

    /// <summary>The model in use.</summary>
    public LstmModel Model => _model;

    /// <summary>
    /// Serves <paramref name="model"/>'s weights from the next step on; every series keeps its recurrent state. The model
    /// must have this one's cell, sizes, step, horizons and quantiles (a fine-tuned copy), else <see cref="ArgumentException"/>.
    /// </summary>
    public void UseModel(LstmModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (!_model.HasSameShape(model))
        {
            throw new ArgumentException("the replacement lstm model has another shape, step, horizons or quantiles than the one in use", nameof(model));
        }

        _inference.LoadWeights(model.Weights);
        _model = model;
    }

    /// <summary>
    /// Keeps the last <paramref name="steps"/> observed values (on the model's step) of series 0 to
    /// <paramref name="series"/> − 1 for <see cref="TrainingSample"/>: the live data a background fine-tuning learns from.
    /// Memory: series × steps floats.
    /// </summary>
    public void KeepTrainingSample(int series, int steps)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(series);
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 2);
        _sampleSeries = series;
        _sampleSteps = steps;
        _sampleValues = new float[series * steps];
        Array.Fill(_sampleValues, float.NaN);
        _sampleLast = new long[series];
        Array.Fill(_sampleLast, -1);
        _sampleKeys = new SeriesKey[series];
        _sampleGroups = new string[series];
        Array.Fill(_sampleGroups, string.Empty);
    }

    /// <summary>Copies of the kept series (see <see cref="KeepTrainingSample"/>), oldest value first, NaN where a step was missed.</summary>
    public IReadOnlyList<TraceSeries> TrainingSample()
    {
        var result = new List<TraceSeries>();
        var step = _model.StepSeconds;
        for (var s = 0; s < _sampleSeries; s++)
        {
            var last = _sampleLast[s];
            if (last < 0)
            {
                continue;
            }

            var values = new float[_sampleSteps];
            var first = last - _sampleSteps + 1;
            for (var t = 0; t < _sampleSteps; t++)
            {
                values[t] = first + t < 0 ? float.NaN : _sampleValues[(s * _sampleSteps) + (int)((first + t) % _sampleSteps)];
            }

            result.Add(new TraceSeries(_sampleKeys[s], _sampleGroups[s], first * step, step, values));
        }

        return result;
    }

    /// <inheritdoc/>
    public override void DescribeSeries(int series, SeriesKey key, string group)
    {
        base.DescribeSeries(series, key, group);
        _features.SetResource(series, key.Resource);
        if (series < _sampleSeries)
        {
            _sampleKeys[series] = key;
            _sampleGroups[series] = group;
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _inference.Dispose();

    /// <inheritdoc/>
    protected override void Grow(int capacity)
    {
        _features.Grow(capacity);
        while (_inference.ActiveSeries < capacity)
        {
            _inference.AllocateSeries();
        }

        Array.Resize(ref _batchSlots, capacity);
        Array.Resize(ref _batchSeries, capacity);
        Array.Resize(ref _batchX, capacity * LstmFeatures.Count);
        Array.Resize(ref _batchY, capacity * _o);
        Array.Resize(ref _out, capacity * _o);
        Array.Resize(ref _scaleAt, capacity);
        Array.Resize(ref _levelAt, capacity);
    }

    /// <inheritdoc/>
    protected override void ResetOne(int series)
    {
        _features.Reset(series);
        _features.SetResource(series, ResourceKind.Cpu);
        _inference.ResetSeries(series);
        _out.AsSpan(series * _o, _o).Clear();
        _scaleAt[series] = double.NaN;
        _levelAt[series] = 0;
        if (series < _sampleSeries)
        {
            _sampleLast[series] = -1;
            _sampleValues.AsSpan(series * _sampleSteps, _sampleSteps).Fill(float.NaN);
        }
    }

    /// <inheritdoc/>
    protected override void ObserveOne(int series, long timestampSeconds, double value)
    {
        var f = LstmFeatures.Count;
        _features.Step(series, timestampSeconds, value, _batchX.AsSpan(_pending * f, f));
        _batchSlots[_pending] = series;
        _batchSeries[_pending] = series;
        _pending++;
        if (series < _sampleSeries)
        {
            Sample(series, timestampSeconds, value);
        }
    }

    private void Sample(int series, long timestampSeconds, double value)
    {
        var k = timestampSeconds / _model.StepSeconds;
        var last = _sampleLast[series];
        if (k <= last && last >= 0)
        {
            return;
        }

        var row = _sampleValues.AsSpan(series * _sampleSteps, _sampleSteps);
        for (var missed = Math.Max(last + 1, k - _sampleSteps + 1); last >= 0 && missed < k; missed++)
        {
            row[(int)(missed % _sampleSteps)] = float.NaN;
        }

        row[(int)(k % _sampleSteps)] = (float)value;
        _sampleLast[series] = k;
    }

    /// <inheritdoc/>
    protected override void OnObserved()
    {
        var n = _pending;
        _pending = 0;
        if (n == 0)
        {
            return;
        }

        _inference.Step(_batchSlots.AsSpan(0, n), _batchX.AsSpan(0, n * LstmFeatures.Count), _batchY.AsSpan(0, n * _o));
        for (var i = 0; i < n; i++)
        {
            var s = _batchSeries[i];
            _batchY.AsSpan(i * _o, _o).CopyTo(_out.AsSpan(s * _o, _o));
            _scaleAt[s] = _features.Scale(s);
            _levelAt[s] = _features.Level(s);
        }
    }

    /// <inheritdoc/>
    protected override void ForecastOne(int series, Span<double> destination)
    {
        var scale = _scaleAt[series];
        var level = _levelAt[series];
        var mq = _model.Quantiles.Length;
        var qn = Shape.QuantileCount;
        for (var h = 0; h < Shape.HorizonCount; h++)
        {
            for (var q = 0; q < qn; q++)
            {
                var y = _out[(series * _o) + (h * mq) + _quantileIndex[q]];
                destination[(h * qn) + q] = double.IsNaN(scale) ? LastValid[series] : scale * (level + y);
            }
        }
    }
}
