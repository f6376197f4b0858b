using System.Buffers;
using MessagePack;
using Prescient.Abstractions.Forecasting;
using Prescient.Abstractions.Telemetry;
using Prescient.Forecasting.Persistence;

namespace Prescient.Forecasting.Models;

/// <summary>Persistence of the ensemble's learned profile and calibration state.</summary>
public sealed partial class EnsembleForecaster : ICalibrationState
{
    /// <summary>
    /// Floats per series in <see cref="ExportCalibration"/>: the members' recent losses (horizons × members), the
    /// per-quantile losses (horizons × (members + 1) × quantiles), the conformal trackers of both stages (2 × horizons ×
    /// quantiles), the residual scales and scored counts (horizons each) and the largest value seen.
    /// </summary>
    public int CalibrationLength => Layout.Length;

    /// <summary>Where each part of a series' calibration starts, in the order of <see cref="CalibrationLength"/>'s list.</summary>
    private CalibrationLayout Layout => new(_h, _m, _q);

    /// <inheritdoc/>
    public void ExportCalibration(int series, Span<float> destination)
    {
        CheckSeries(series, destination.Length);
        var at = Layout;
        _loss.AsSpan(series * _h * _m, _h * _m).CopyTo(destination[at.Losses..]);
        _quantileLoss.AsSpan(series * at.QuantileLossLength, at.QuantileLossLength).CopyTo(destination[at.QuantileLosses..]);
        Narrow(_theta.AsSpan(series * _h * _q, _h * _q), destination[at.Trackers..]);
        Narrow(_theta2.AsSpan(series * _h * _q, _h * _q), destination[at.SecondTrackers..]);
        Narrow(_sigma.AsSpan(series * _h, _h), destination[at.Scales..]);
        for (var h = 0; h < _h; h++)
        {
            destination[at.Counts + h] = _scored[(series * _h) + h];
        }

        destination[at.Maximum] = (float)_maxSeen[series];
    }

    /// <inheritdoc/>
    public void ImportCalibration(int series, ReadOnlySpan<float> source)
    {
        CheckSeries(series, source.Length);
        var at = Layout;

        // Losses and scales may be NaN (not scored yet); trackers, counts and the maximum never are, nor negative counts.
        for (var i = at.Trackers; i < at.Length; i++)
        {
            var isScale = i >= at.Scales && i < at.Counts;
            if ((!isScale && !float.IsFinite(source[i])) || (i >= at.Counts && source[i] < 0))
            {
                throw new ArgumentException($"calibration value {i} of series {series} is {source[i]}", nameof(source));
            }
        }

        source.Slice(at.Losses, _h * _m).CopyTo(_loss.AsSpan(series * _h * _m, _h * _m));
        source.Slice(at.QuantileLosses, at.QuantileLossLength).CopyTo(_quantileLoss.AsSpan(series * at.QuantileLossLength, at.QuantileLossLength));
        Widen(source[at.Trackers..], _theta.AsSpan(series * _h * _q, _h * _q));
        Widen(source[at.SecondTrackers..], _theta2.AsSpan(series * _h * _q, _h * _q));
        Widen(source[at.Scales..], _sigma.AsSpan(series * _h, _h));
        for (var h = 0; h < _h; h++)
        {
            _scored[(series * _h) + h] = (long)source[at.Counts + h];
        }

        _maxSeen[series] = source[at.Maximum];
    }

    private void CheckSeries(int series, int length)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)series, (uint)SeriesCount, nameof(series));
        if (length < CalibrationLength)
        {
            throw new ArgumentException($"calibration span has {length} floats; the ensemble keeps {CalibrationLength} per series");
        }
    }

    private static void Narrow(ReadOnlySpan<double> values, Span<float> destination)
    {
        for (var i = 0; i < values.Length; i++)
        {
            destination[i] = (float)values[i];
        }
    }

    private static void Widen(ReadOnlySpan<float> source, Span<double> destination)
    {
        for (var i = 0; i < destination.Length; i++)
        {
            destination[i] = source[i];
        }
    }

    /// <summary>Offsets of the parts of one series' calibration (horizons h, members m, quantiles q).</summary>
    private readonly record struct CalibrationLayout(int H, int M, int Q)
    {
        public int Losses => 0;

        public int QuantileLossLength => H * (M + 1) * Q;

        public int QuantileLosses => H * M;

        public int Trackers => QuantileLosses + QuantileLossLength;

        public int SecondTrackers => Trackers + (H * Q);

        public int Scales => SecondTrackers + (H * Q);

        public int Counts => Scales + H;

        public int Maximum => Counts + H;

        public int Length => Maximum + 1;
    }

    /// <summary>The <see cref="ModelFile"/> kind of calibration files.</summary>
    public const string CalibrationKind = "ensemble-calibration";

    /// <summary>
    /// Saves, atomically, what the feedback loop learned: per series the members' recent losses, the conformal
    /// trackers, residual scales and counts; per group the cold-start prior. Members' own state is not saved: it is
    /// rebuilt by replaying the series store's history at start. Not for the hot path (allocates).
    /// </summary>
    public void SaveCalibration(string path)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var w = new MessagePackWriter(buffer);
        w.WriteArrayHeader(14);
        w.Write(SeriesCount);
        w.Write(string.Join(",", _members.Select(m => m.Name)));
        w.Write(string.Join(",", Shape.HorizonSteps.ToArray()));
        w.Write(Shape.QuantileCount);
        Doubles(ref w, _loss.AsSpan(0, SeriesCount * _h * _m));
        Doubles(ref w, _quantileLoss.AsSpan(0, SeriesCount * _h * (_m + 1) * _q));
        Doubles(ref w, _theta.AsSpan(0, SeriesCount * _h * _q));
        Doubles(ref w, _theta2.AsSpan(0, SeriesCount * _h * _q));
        Doubles(ref w, _sigma.AsSpan(0, SeriesCount * _h));
        w.WriteArrayHeader(SeriesCount * _h);
        foreach (var n in _scored.AsSpan(0, SeriesCount * _h))
        {
            w.Write(n);
        }

        var groups = _groupIndex.OrderBy(kv => kv.Value).ToList();
        w.WriteArrayHeader(groups.Count);
        foreach (var ((name, resource), _) in groups)
        {
            w.Write(name);
            w.Write((int)resource);
        }

        Doubles(ref w, _groupTheta);
        Doubles(ref w, _groupSigma);
        Doubles(ref w, _groupLevel);
        w.Flush();
        ModelFile.Write(path, CalibrationKind, buffer.WrittenSpan);
    }

    /// <summary>
    /// Restores state saved by <see cref="SaveCalibration"/> into an ensemble with the same members, horizons, quantiles
    /// and series count; <see cref="InvalidDataException"/> names the file and the mismatch otherwise.
    /// </summary>
    public void LoadCalibration(string path)
    {
        var payload = ModelFile.Read(path, CalibrationKind);
        try
        {
            var r = new MessagePackReader(payload);
            if (r.ReadArrayHeader() != 14)
            {
                throw new InvalidDataException($"{path}: unexpected calibration layout");
            }

            var series = r.ReadInt32();
            var members = r.ReadString();
            var horizons = r.ReadString();
            var quantiles = r.ReadInt32();
            if (series != SeriesCount || members != string.Join(",", _members.Select(m => m.Name))
                || horizons != string.Join(",", Shape.HorizonSteps.ToArray()) || quantiles != Shape.QuantileCount)
            {
                throw new InvalidDataException(
                    $"{path}: calibration for {series} series, members [{members}], horizons [{horizons}] steps, {quantiles} quantiles does not match this ensemble");
            }

            ReadInto(ref r, _loss.AsSpan(0, series * _h * _m), path);
            ReadInto(ref r, _quantileLoss.AsSpan(0, series * _h * (_m + 1) * _q), path);
            ReadInto(ref r, _theta.AsSpan(0, series * _h * _q), path);
            ReadInto(ref r, _theta2.AsSpan(0, series * _h * _q), path);
            ReadInto(ref r, _sigma.AsSpan(0, series * _h), path);
            var n = r.ReadArrayHeader();
            for (var i = 0; i < n; i++)
            {
                _scored[i] = r.ReadInt64();
            }

            var g = r.ReadArrayHeader();
            _groupIndex.Clear();
            for (var i = 0; i < g; i++)
            {
                _groupIndex[(r.ReadString() ?? string.Empty, (ResourceKind)r.ReadInt32())] = i;
            }

            _groupTheta = ReadAll(ref r);
            _groupSigma = ReadAll(ref r);
            _groupLevel = ReadAll(ref r);
            _groupScored = new long[g * _h];
            Array.Fill(_groupScored, (long)(_options.PriorSteps * 10));
            for (var s = 0; s < SeriesCount; s++)
            {
                _group[s] = _groupIndex.TryGetValue((GroupOf[s], Resource[s]), out var gi) ? gi : 0;
            }
        }
        catch (MessagePackSerializationException e)
        {
            throw new InvalidDataException($"{path}: corrupt calibration ({e.Message})", e);
        }
    }

    private static void Doubles(ref MessagePackWriter w, ReadOnlySpan<double> values)
    {
        w.WriteArrayHeader(values.Length);
        foreach (var v in values)
        {
            w.Write(v);
        }
    }

    private static void Doubles(ref MessagePackWriter w, ReadOnlySpan<float> values)
    {
        w.WriteArrayHeader(values.Length);
        foreach (var v in values)
        {
            w.Write((double)v);
        }
    }

    private static void ReadInto(ref MessagePackReader r, Span<float> into, string path)
    {
        var n = r.ReadArrayHeader();
        if (n != into.Length)
        {
            throw new InvalidDataException($"{path}: array of {n} values where {into.Length} were expected");
        }

        for (var i = 0; i < n; i++)
        {
            into[i] = (float)r.ReadDouble();
        }
    }

    private static void ReadInto(ref MessagePackReader r, Span<double> into, string path)
    {
        var n = r.ReadArrayHeader();
        if (n != into.Length)
        {
            throw new InvalidDataException($"{path}: array of {n} values where {into.Length} were expected");
        }

        for (var i = 0; i < n; i++)
        {
            into[i] = r.ReadDouble();
        }
    }

    private static double[] ReadAll(ref MessagePackReader r)
    {
        var a = new double[r.ReadArrayHeader()];
        for (var i = 0; i < a.Length; i++)
        {
            a[i] = r.ReadDouble();
        }

        return a;
    }
}
