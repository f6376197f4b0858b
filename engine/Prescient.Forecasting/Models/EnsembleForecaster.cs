using System.Numerics.Tensors;
using Prescient.Abstractions.Forecasting;
using Prescient.Abstractions.Telemetry;
using Prescient.Abstractions.Threading;
using Prescient.Forecasting.Numerics;

namespace Prescient.Forecasting.Models;

/// <summary>
/// <c>ensemble</c>, the forecaster Prescient uses. Per series and horizon:
/// <list type="number">
/// <item>The median is a weighted mean of the members' medians, each weighted by a softmax of its recent
/// out-of-sample absolute error (an exponentially weighted mean, scored when each forecast's target arrives):
/// the feedback loop — members that have been right lately on this series count most.</item>
/// <item>Quantiles are median + θ_q · σ, where σ is the recent mean absolute residual of that median and θ_q is an
/// online conformal quantile tracker (adaptive conformal inference in its quantile-tracking form, Angelopoulos,
/// Candès &amp; Tibshirani 2023): after each scored step θ_q ← θ_q + η(1{z &gt; θ_q} − (1 − q)) with z the residual
/// in units of σ. The long-run miss rate of every quantile is q's by construction, whatever the drift.</item>
/// <item>Cold start (the hierarchical prior): θ is shrunk toward the series' group's trackers (fed by every series
/// of the group and resource), and those toward the population's, with weight n/(n + PriorSteps) on the series'
/// own; a series with no history at all is forecast from its group's (else the population's) mean level.</item>
/// </list>
/// Memory per series: the members' own, plus Σ_h records(h) pending forecasts (records(h) = h + 1, or at most
/// <see cref="EnsembleOptions.PendingSlotsPerHorizon"/> + 1: see <see cref="PendingForecasts"/>) of 1 + 2 × quantiles
/// floats (what was served, scored exactly) and members × quantiles half floats plus a float scale (the members'
/// forecasts, which only weigh them), and horizons × ((members + 1)(quantiles + 1) + 2 quantiles + 2) doubles.
/// Not thread-safe.
/// </summary>
public sealed partial class EnsembleForecaster : ForecasterBase
{
    private readonly IForecaster[] _members;
    private readonly EnsembleOptions _options;
    private readonly int _m;
    private readonly int _h;
    private readonly int _q;
    private readonly int _mm;
    private readonly int _medianIndex;
    private readonly PendingForecasts _pending;
    private readonly PendingForecasts _pendingMembers;
    private readonly SeriesHistory? _shared;
    private readonly double[] _theta0;
    private readonly Lane[] _lanes;
    private readonly ChunkRunner? _runner;
    private readonly Action<int, int> _runChunk;
    private readonly Dictionary<(string, ResourceKind), int> _groupIndex = [];
    private float[] _loss = [];
    private float[] _quantileLoss = [];
    private double[] _theta2 = [];
    private double[] _maxSeen = [];
    private double[] _sigma = [];
    private double[] _theta = [];
    private long[] _scored = [];
    private double[] _cached = [];
    private int[] _group = [];
    private double[] _groupTheta = [];
    private double[] _groupLevel = [];
    private double[] _groupSigma = [];
    private long[] _groupScored = [];
    private int[] _batchSeries = [];
    private double[] _batchValues = [];
    private double[] _batchZ = [];
    private double[] _batchResidual = [];
    private long _batchTime;
    private int _batchCount;
    private bool _batchDistinct;
    private int[] _mark = [];
    private int _markId;

    /// <summary>
    /// Creates the ensemble over <paramref name="members"/> (each with the same shape as <paramref name="shape"/>).
    /// <paramref name="sharedHistory"/>, when members were built to read it, is kept here — grown, reset and fed each
    /// value before any member observes it — so that one history serves every member that looks back.
    /// </summary>
    public EnsembleForecaster(ForecastShape shape, IReadOnlyList<IForecaster> members, EnsembleOptions? options = null, SeriesHistory? sharedHistory = null)
        : base("ensemble", shape)
    {
        _shared = sharedHistory;
        if (members.Count == 0)
        {
            throw new ArgumentException("an ensemble needs at least one member", nameof(members));
        }

        foreach (var member in members)
        {
            if (member.Shape.StepSeconds != shape.StepSeconds || !member.Shape.HorizonSteps.SequenceEqual(shape.HorizonSteps)
                || !member.Shape.Quantiles.SequenceEqual(shape.Quantiles))
            {
                throw new ArgumentException($"member '{member.Name}' has a different shape", nameof(members));
            }
        }

        _members = members.ToArray();
        foreach (var member in _members)
        {
            // Members are observed only through the ensemble: they read its step counters and last values.
            (member as ForecasterBase)?.ShareBookkeepingOf(this);
        }

        _options = options ?? new EnsembleOptions();
        _options.Validate();
        _m = _members.Length;
        _h = shape.HorizonCount;
        _q = shape.QuantileCount;
        _medianIndex = shape.IndexOfQuantile(0.5);
        _mm = _medianIndex >= 0 ? 0 : _m;
        _pending = new PendingForecasts(shape.HorizonSteps, MembersAt, _options.PendingSlotsPerHorizon);
        _pendingMembers = new PendingForecasts(shape.HorizonSteps, Stride - MembersAt, _options.PendingSlotsPerHorizon, compact: true);
        // Several threads only when every member steps series independently.
        var parallel = _members.All(m => m is ForecasterBase { SeriesIndependent: true });
        _lanes = new Lane[parallel ? _options.Threads : 1];
        for (var i = 0; i < _lanes.Length; i++)
        {
            _lanes[i] = new Lane(Stride, _m, shape.Width, _q);
        }

        _runner = _lanes.Length > 1 ? new ChunkRunner(_lanes.Length - 1) : null;
        _runChunk = RunChunk;
        _theta0 = new double[_q];
        for (var q = 0; q < _q; q++)
        {
            // For Laplace-like residuals in units of mean absolute deviation, the q-quantile is ln(2q) or −ln(2(1−q)).
            var p = shape.Quantiles[q];
            _theta0[q] = p >= 0.5 ? -Math.Log(2 * (1 - p)) : Math.Log(2 * p);
        }

        AddGroup(string.Empty, ResourceKind.Cpu);
    }

    /// <summary>Trackers stay within ±this many σ: at a point mass (a series stuck at 0) a clamped quantile never misses and its tracker would otherwise drift without bound.</summary>
    private const double ThetaLimit = 100;

    // Pending record per horizon: combined median (1), stage-1 quantiles (Q), served quantiles (Q) — kept as floats
    // in _pending —, then member medians (M, only when the shape has no 0.5 level: otherwise a member's median is
    // its 0.5 quantile, stored once) and member quantiles (M·Q) — kept compact in _pendingMembers.
    private const int CombinedAt = 0;

    private const int Stage1At = 1;

    private int Stride => MemberQuantilesAt + (_m * _q);

    private int ServedAt => 1 + _q;

    private int MembersAt => 1 + _q + _q;

    private int MemberQuantilesAt => MembersAt + _mm;

    /// <summary>The members, in weight order of the arrays.</summary>
    public IReadOnlyList<IForecaster> Members => _members;

    /// <summary>Writes the current combination weights of <paramref name="series"/> at horizon <paramref name="h"/> (one per member, summing to 1).</summary>
    public void GetWeights(int series, int h, Span<double> weights)
    {
        ComputeWeights(_lanes[0], series, h);
        _lanes[0].Weights.AsSpan().CopyTo(weights);
    }

    /// <inheritdoc/>
    public override void DescribeSeries(int series, SeriesKey key, string group)
    {
        base.DescribeSeries(series, key, group);
        foreach (var m in _members)
        {
            m.DescribeSeries(series, key, group);
        }

        if (!_groupIndex.TryGetValue((group, key.Resource), out var g))
        {
            g = AddGroup(group, key.Resource);
        }

        _group[series] = g;
    }

    /// <inheritdoc/>
    protected override void Grow(int capacity)
    {
        foreach (var m in _members)
        {
            if (m.SeriesCount < capacity)
            {
                // Exactly this capacity: AddSeries alone would grow a member by half again past what was asked.
                m.EnsureCapacity(capacity);
                m.AddSeries(capacity - m.SeriesCount);
            }
        }

        _shared?.Grow(capacity);
        _pending.Grow(capacity);
        _pendingMembers.Grow(capacity);
        _loss = Grown(_loss, capacity * _h * _m);
        _quantileLoss = Grown(_quantileLoss, capacity * _h * (_m + 1) * _q);
        _theta2 = Grown(_theta2, capacity * _h * _q);
        _maxSeen = Grown(_maxSeen, capacity);
        _sigma = Grown(_sigma, capacity * _h);
        _theta = Grown(_theta, capacity * _h * _q);
        _scored = Grown(_scored, capacity * _h);
        _cached = Grown(_cached, capacity * Shape.Width);
        _group = Grown(_group, capacity);
        _mark = Grown(_mark, capacity);
    }

    /// <inheritdoc/>
    protected override void ResetOne(int series)
    {
        foreach (var m in _members)
        {
            m.ResetSeries(series);
        }

        _shared?.Reset(series);
        _pending.Reset(series);
        _pendingMembers.Reset(series);
        _loss.AsSpan(series * _h * _m, _h * _m).Fill(float.NaN);
        _quantileLoss.AsSpan(series * _h * (_m + 1) * _q, _h * (_m + 1) * _q).Fill(float.NaN);
        _theta2.AsSpan(series * _h * _q, _h * _q).Clear();
        _maxSeen[series] = 0;
        _sigma.AsSpan(series * _h, _h).Fill(double.NaN);
        for (var h = 0; h < _h; h++)
        {
            _theta0.AsSpan().CopyTo(_theta.AsSpan(((series * _h) + h) * _q, _q));
        }

        _scored.AsSpan(series * _h, _h).Clear();
        _cached.AsSpan(series * Shape.Width, Shape.Width).Fill(double.NaN);
    }

    /// <summary>Series per chunk of a step that runs on several threads (<see cref="EnsembleOptions.Threads"/>).</summary>
    public const int ChunkSeries = 1024;

    // Series stepped together: each member observes and forecasts a block in one call.
    private const int Block = 64;

    /// <inheritdoc/>
    protected override void ObserveOne(int series, long timestampSeconds, double value) =>
        ObserveBatch(timestampSeconds, [series], [value]);

    /// <summary>
    /// Steps every series of the batch — on several threads when <see cref="EnsembleOptions.Threads"/> &gt; 1, every
    /// member steps series independently, the batch spans more than one chunk and names no series twice — then
    /// applies the batch's updates of the group and population calibration in batch order. Series read those
    /// shared trackers as they stood at the start of the batch, so the result does not depend on the threads.
    /// </summary>
    protected override void ObserveBatch(long timestampSeconds, ReadOnlySpan<int> series, ReadOnlySpan<double> values)
    {
        var n = series.Length;
        if (_batchSeries.Length < n)
        {
            _batchSeries = new int[n];
            _batchValues = new double[n];
            _batchResidual = new double[n * _h];
            _batchZ = new double[n * _h];
        }

        series.CopyTo(_batchSeries);
        for (var i = 0; i < n; i++)
        {
            _batchValues[i] = Sanitize(values[i]);
        }

        _batchTime = timestampSeconds;
        _batchCount = n;
        _batchDistinct = n <= 1 || Distinct(series);
        if (_runner is not null && n > ChunkSeries && _batchDistinct)
        {
            _runner.Run((n + ChunkSeries - 1) / ChunkSeries, _runChunk);
        }
        else
        {
            ObserveRange(_lanes[0], 0, n);
        }

        ReplayGroupUpdates(n);
    }

    private void RunChunk(int lane, int chunk)
    {
        var start = chunk * ChunkSeries;
        ObserveRange(_lanes[lane], start, Math.Min(_batchCount, start + ChunkSeries));
    }

    // Whether no series appears twice in the batch (a series stepped twice must be stepped in order, on one thread).
    private bool Distinct(ReadOnlySpan<int> series)
    {
        if (++_markId == int.MaxValue)
        {
            Array.Clear(_mark);
            _markId = 1;
        }

        foreach (var s in series)
        {
            if (_mark[s] == _markId)
            {
                return false;
            }

            _mark[s] = _markId;
        }

        return true;
    }

    private void ObserveRange(Lane lane, int start, int end)
    {
        // A batch that names a series twice steps one series at a time, in order.
        var block = _batchDistinct ? Block : 1;
        for (var from = start; from < end; from += block)
        {
            ObserveBlock(lane, from, Math.Min(end, from + block));
        }
    }

    // Steps the series at batch positions [from, to): scores the forecasts whose targets arrived, then each member
    // observes and forecasts the whole block in one call, then each series' forecasts are combined. Touches only those
    // series' state; what they owe the shared group trackers is left at their batch positions for the replay.
    private void ObserveBlock(Lane lane, int from, int to)
    {
        var count = to - from;
        var series = _batchSeries.AsSpan(from, count);
        var values = _batchValues.AsSpan(from, count);
        for (var j = 0; j < count; j++)
        {
            lane.LastValid[j] = LastValid[series[j]];
            ScoreArrived(lane, from + j, series[j], values[j]);
        }

        if (_shared is not null)
        {
            for (var j = 0; j < count; j++)
            {
                _shared.Push(series[j], values[j]);
            }
        }

        foreach (var m in _members)
        {
            m.Observe(_batchTime, series, values);
        }

        // The members that share this ensemble's bookkeeping see this step in it before they forecast.
        for (var j = 0; j < count; j++)
        {
            AdvanceBookkeeping(series[j], _batchTime, values[j]);
        }

        // Forecast now, once: the result is both the pending record for scoring (where this step's is kept) and
        // what Forecast() serves.
        var width = Shape.Width;
        for (var k = 0; k < _m; k++)
        {
            _members[k].Forecast(series, lane.MemberOut.AsSpan(k * Block * width, count * width));
        }

        for (var j = 0; j < count; j++)
        {
            Combine(lane, j, series[j]);
        }
    }

    // Scores the forecasts of series whose targets arrived with this step's value (batch position i).
    private void ScoreArrived(Lane lane, int i, int series, double value)
    {
        _batchZ.AsSpan(i * _h, _h).Fill(double.NaN);
        if (double.IsNaN(value))
        {
            return;
        }

        var step = Steps[series];
        var hs = Shape.HorizonSteps;
        var g = _group[series];
        var scratch = lane.Record;
        _maxSeen[series] = Math.Max(_maxSeen[series], value);
        for (var h = 0; h < hs.Length; h++)
        {
            if (step - hs[h] >= 0 && _pending.Records(h, step - hs[h]))
            {
                _pending.Read(series, h, step - hs[h], scratch);
                _pendingMembers.Read(series, h, step - hs[h], scratch.AsSpan(MembersAt));
                Score(i, series, g, h, value, scratch);
            }
        }
    }

    // Combines the members' forecasts of the series at position `local` of the lane's block (made after this step:
    // the bookkeeping has advanced; `lastValid` is the value before it) into what is served, and keeps the record
    // for scoring.
    private void Combine(Lane lane, int local, int series)
    {
        var step = Steps[series] - 1;
        var lastValid = lane.LastValid[local];
        var g = _group[series];
        var slot = lane.Record;
        var width = Shape.Width;
        var cached = _cached.AsSpan(series * width, width);
        var ceiling = Ceiling(series);
        for (var h = 0; h < _h; h++)
        {
            var weights = lane.Weights;
            ComputeWeights(lane, series, h);
            var combined = 0.0;
            var weightSum = 0.0;
            for (var k = 0; k < _m; k++)
            {
                var mk = MemberMedian(lane.MemberRow(k, local), h, _medianIndex);
                if (_mm > 0)
                {
                    slot[MembersAt + k] = (float)mk;
                }

                if (mk <= ceiling)
                {
                    combined += weights[k] * mk;
                    weightSum += weights[k];
                }
            }

            combined = weightSum > 0 ? combined / weightSum : lastValid;
            slot[CombinedAt] = (float)combined;
            var sigma = Sigma(series, g, h, lastValid);
            var theta = _theta.AsSpan(((series * _h) + h) * _q, _q);
            var groupTheta = _groupTheta.AsSpan(((g * _h) + h) * _q, _q);
            var popTheta = _groupTheta.AsSpan(h * _q, _q);
            var n = (double)_scored[(series * _h) + h];
            var ng = (double)_groupScored[(g * _h) + h];
            var own = n / (n + _options.PriorSteps);
            var groupOwn = ng / (ng + _options.PriorSteps);
            for (var q = 0; q < _q; q++)
            {
                var prior = (groupOwn * groupTheta[q]) + ((1 - groupOwn) * popTheta[q]);
                cached[(h * _q) + q] = combined + (((own * theta[q]) + ((1 - own) * prior)) * sigma);
            }

            // Record what will actually be served (non-decreasing, clamped at 0) so calibration scores exactly that.
            var prev = 0.0;
            for (var q = 0; q < _q; q++)
            {
                ref var c = ref cached[(h * _q) + q];
                c = double.IsFinite(c) ? Math.Max(c, prev) : prev;
                prev = c;
                slot[Stage1At + q] = (float)c;
            }

            for (var k = 0; k < _m; k++)
            {
                var row = lane.MemberRow(k, local).Slice(h * _q, _q);
                for (var q = 0; q < _q; q++)
                {
                    slot[MemberQuantilesAt + (k * _q) + q] = (float)row[q];
                }
            }

            MixQuantiles(lane, local, series, h, sigma, ceiling, cached);

            // A young series (less than a day of scored forecasts) has trackers and scales still dominated by
            // the prior; until then no quantile exceeds 3 × the largest value it has shown.
            var young = n < 4 * _options.PriorSteps;
            var cap = young && _maxSeen[series] > 0 ? 3 * _maxSeen[series] : double.PositiveInfinity;
            prev = 0.0;
            for (var q = 0; q < _q; q++)
            {
                ref var c = ref cached[(h * _q) + q];
                c = double.IsFinite(c) ? Math.Min(Math.Max(c, prev), Math.Max(cap, prev)) : prev;
                prev = c;
                slot[ServedAt + q] = (float)c;
            }

            if (_pending.Records(h, step))
            {
                _pending.Write(series, h, step, slot);
                _pendingMembers.Write(series, h, step, slot.AsSpan(MembersAt));
            }
        }
    }

    /// <summary>The share of <see cref="EnsembleOptions.QuantileSharpness"/> a series with no scores yet ranks its sources with.</summary>
    public const double YoungSharpnessShare = 0.25;

    /// <summary>
    /// Stage 2's softmax sharpness after <paramref name="scoredSteps"/> scored steps of a horizon: the full
    /// <paramref name="sharpness"/> once the per-level losses span their memory (1/<paramref name="decay"/> steps; a
    /// horizon scored every k-th step has k times fewer scores, each decaying k times more), a linear ramp from
    /// <see cref="YoungSharpnessShare"/> of it before.
    /// </summary>
    public static double StageTwoSharpness(double sharpness, double decay, long scoredSteps) =>
        sharpness * Math.Clamp(scoredSteps * decay, YoungSharpnessShare, 1);

    // Stage 2 at horizon h, per quantile level: a softmax over every source's recent pinball loss at that level (each
    // member's own quantile — a point model's point — and the stage-1 conformal quantile in `cached`), then a second
    // conformal tracker on what is served, which is what guarantees coverage.
    private void MixQuantiles(Lane lane, int local, int series, int h, double sigma, double ceiling, Span<double> cached)
    {
        var q = _q;
        var m = _m;
        var theta2 = _theta2.AsSpan(((series * _h) + h) * q, q);
        var qloss = _quantileLoss.AsSpan(((series * _h) + h) * (m + 1) * q, (m + 1) * q);
        var best = lane.Best.AsSpan(0, q);
        best.Fill(double.PositiveInfinity);
        for (var k = 0; k <= m; k++)
        {
            var row = qloss.Slice(k * q, q);
            for (var j = 0; j < q; j++)
            {
                // NaN (no loss yet) compares false and is passed over.
                if (row[j] < best[j])
                {
                    best[j] = row[j];
                }
            }
        }

        // Every source's weight exp(−sharpness · min(L/L_best − 1, 50)) at once, as exponents: a source with no loss
        // yet weighs 0 (−∞), and at a level where no source has one the stage-1 quantile alone counts. The sharpness
        // grows with the scores behind the losses, from a quarter of QuantileSharpness to all of it once they span the
        // losses' memory (1/QuantileLossDecay scores): a young series' few scores rank its sources loosely.
        var sharpness = StageTwoSharpness(_options.QuantileSharpness, _options.QuantileLossDecay, _scored[(series * _h) + h]);
        var exponents = lane.Softmax.AsSpan(0, qloss.Length);
        for (var k = 0; k <= m; k++)
        {
            var row = qloss.Slice(k * q, q);
            var into = exponents.Slice(k * q, q);
            for (var j = 0; j < q; j++)
            {
                var l = (double)row[j];
                var b = best[j];
                double e;
                if (double.IsPositiveInfinity(b))
                {
                    e = k == m ? 0 : double.NegativeInfinity;
                }
                else if (double.IsNaN(l))
                {
                    e = double.NegativeInfinity;
                }
                else
                {
                    var rel = b > 0 ? (l / b) - 1 : (l > 0 ? 50 : 0);
                    e = -sharpness * (rel < 50 ? rel : 50);
                }

                into[j] = e;
            }
        }

        TensorPrimitives.Exp(exponents, exponents);
        var sum = lane.Sum.AsSpan(0, q);
        var mix = lane.Mix.AsSpan(0, q);
        sum.Clear();
        mix.Clear();
        for (var k = 0; k <= m; k++)
        {
            var src = k < m ? lane.MemberRow(k, local).Slice(h * q, q) : cached.Slice(h * q, q);
            var w = exponents.Slice(k * q, q);
            for (var j = 0; j < q; j++)
            {
                if (double.IsFinite(src[j]) && src[j] <= ceiling)
                {
                    sum[j] += w[j];
                    mix[j] += w[j] * src[j];
                }
            }
        }

        var served = cached.Slice(h * q, q);
        for (var j = 0; j < q; j++)
        {
            served[j] = (sum[j] > 0 ? mix[j] / sum[j] : served[j]) + (theta2[j] * sigma);
        }
    }

    /// <inheritdoc/>
    protected override void ForecastOne(int series, Span<double> destination) =>
        _cached.AsSpan(series * Shape.Width, Shape.Width).CopyTo(destination);

    /// <summary>Forecast for a series with no history: its group's mean level, spread by the group's calibration.</summary>
    protected override void ForecastWithoutHistory(int series, Span<double> destination)
    {
        var g = _group[series];
        var level = double.IsNaN(_groupLevel[g]) ? _groupLevel[0] : _groupLevel[g];
        if (double.IsNaN(level))
        {
            destination.Fill(double.NaN);
            return;
        }

        for (var h = 0; h < _h; h++)
        {
            var sigma = double.IsNaN(_groupSigma[(g * _h) + h]) ? Math.Max(level, 1e-9) : _groupSigma[(g * _h) + h];
            for (var q = 0; q < _q; q++)
            {
                destination[(h * _q) + q] = Math.Max(0, level + (_groupTheta[(((g * _h) + h) * _q) + q] * sigma));
            }
        }
    }

    private double MemberMedian(ReadOnlySpan<double> forecast, int h, int median)
    {
        var row = forecast.Slice(h * _q, _q);
        if (median >= 0)
        {
            return row[median];
        }

        // No 0.5 level in the shape: interpolate between the levels around it.
        var qs = Shape.Quantiles;
        var i = 0;
        while (i < qs.Length && qs[i] < 0.5)
        {
            i++;
        }

        if (i == 0)
        {
            return row[0];
        }

        if (i == qs.Length)
        {
            return row[^1];
        }

        var t = (0.5 - qs[i - 1]) / (qs[i] - qs[i - 1]);
        return row[i - 1] + (t * (row[i] - row[i - 1]));
    }

    private void ComputeWeights(Lane lane, int series, int h)
    {
        var loss = _loss.AsSpan(((series * _h) + h) * _m, _m);
        var best = double.PositiveInfinity;
        for (var k = 0; k < _m; k++)
        {
            if (!float.IsNaN(loss[k]) && loss[k] < best)
            {
                best = loss[k];
            }
        }

        var w = lane.Weights;
        for (var k = 0; k < _m; k++)
        {
            var rel = best > 0 ? (loss[k] / best) - 1 : (loss[k] > 0 ? 50 : 0);
            w[k] = -_options.Sharpness * Math.Min(rel, 50);
        }

        TensorPrimitives.Exp(w, w);
        var sum = 0.0;
        for (var k = 0; k < _m; k++)
        {
            if (double.IsPositiveInfinity(best) || float.IsNaN(loss[k]))
            {
                w[k] = 1;
            }

            sum += w[k];
        }

        TensorPrimitives.Divide(w, sum, w);
    }

    // A quantile tracker's step at level tau once `actual` met the quantile `issued`: lower levels count a miss when
    // the actual falls strictly below, upper levels when it lies strictly above, matching how interval coverage is
    // counted (ends included); ties at a point mass (y = 0 = the clamped quantile) then make the tracker oscillate
    // around the level, which keeps the long-run miss rate at tau exactly.
    private static double TrackerStep(double tau, double actual, double issued) =>
        tau < 0.5 ? -(((actual < issued) ? 1.0 : 0.0) - tau) : ((actual > issued) ? 1.0 : 0.0) - (1 - tau);

    // The conformal trackers' step size at horizon h. Feedback on an h-step forecast arrives h steps late and h
    // consecutive errors are correlated: a smaller step (1/√h) keeps the trackers from overshooting at long horizons;
    // a horizon scored every k-th step only steps √k times as far.
    private double Eta(int h) => _options.ConformalStep * Math.Sqrt(_pending.StrideOf(h) / (double)Shape.HorizonSteps[h]);

    // The largest forecast a source may give series to be combined at this step (EnsembleOptions.MemberCeiling × the
    // largest value the series has shown); a NaN or larger one is left out, its weight going to the others.
    private double Ceiling(int series) =>
        _options.MemberCeiling > 0 && _maxSeen[series] > 0 ? _options.MemberCeiling * _maxSeen[series] : double.PositiveInfinity;

    /// <summary>The residual scale of a series at horizon h (its group's, relative to <paramref name="lastValid"/>, before it has its own).</summary>
    private double Sigma(int series, int g, int h, double lastValid)
    {
        var s = _sigma[(series * _h) + h];
        var floor = 1e-6 * Math.Max(Math.Abs(lastValid), 1e-9);
        if (double.IsNaN(s))
        {
            var gs = _groupSigma[(g * _h) + h];
            var gl = _groupLevel[g];
            // Borrow the group's residual scale relative to its level.
            s = !double.IsNaN(gs) && gl > 0 ? gs / gl * Math.Abs(lastValid) : 0.1 * Math.Abs(lastValid);
        }

        return Math.Max(s, floor);
    }

    private void Score(int i, int series, int g, int h, double y, Span<float> pending)
    {
        var loss = _loss.AsSpan(((series * _h) + h) * _m, _m);
        // A horizon scored every k-th step only (PendingSlotsPerHorizon) takes k times larger steps, so every
        // average keeps the same memory in time.
        var every = _pending.StrideOf(h);
        var decay = Math.Min(1, _options.LossDecay * every);
        for (var k = 0; k < _m; k++)
        {
            // A member's median is its quantile at the 0.5 level when the shape has one (stored once).
            var f = _mm > 0 ? pending[MembersAt + k] : pending[MemberQuantilesAt + (k * _q) + _medianIndex];
            if (float.IsNaN(f))
            {
                continue;
            }

            var e = Math.Abs(y - f);
            loss[k] = float.IsNaN(loss[k]) ? (float)e : (float)(loss[k] + (decay * (e - loss[k])));
        }

        var combined = pending[CombinedAt];
        if (float.IsNaN(combined))
        {
            return;
        }

        var r = y - combined;
        var sigma = Sigma(series, g, h, LastValid[series]);
        var z = r / sigma;
        var eta = Eta(h);
        var theta = _theta.AsSpan(((series * _h) + h) * _q, _q);
        var qs = Shape.Quantiles;
        // The group's and the population's trackers learn from z, in batch order, after the batch (ReplayGroupUpdates).
        _batchZ[(i * _h) + h] = z;
        _batchResidual[(i * _h) + h] = Math.Abs(r);
        for (var q = 0; q < _q; q++)
        {
            // Score the quantile that was served.
            var tau = qs[q];
            var step = TrackerStep(tau, y, pending[Stage1At + q]);
            // The median tracker moves slowly: it only corrects bias, and a jittery median costs MAE.
            theta[q] = Math.Clamp(theta[q] + (eta * (Math.Abs(tau - 0.5) < 1e-9 ? _options.MedianStepFraction : 1) * step), -ThetaLimit, ThetaLimit);
        }

        var qloss = _quantileLoss.AsSpan((((series * _h) + h) * (_m + 1) * _q), (_m + 1) * _q);
        // Until a series has had 1/decay scored steps its per-level losses are the plain mean of all it has had (the
        // step is 1/(k + 1) at its k-th score, never below the decay): a young series' first pinball loss no longer
        // weighs as much as its next hundred, and the sources are ranked on every score it has.
        var scoredSoFar = _scored[(series * _h) + h];
        var qdecay = Math.Max(Math.Min(1, _options.QuantileLossDecay * every), 1.0 / ((scoredSoFar / every) + 1));
        for (var k = 0; k <= _m; k++)
        {
            var forecasts = k < _m ? pending.Slice(MemberQuantilesAt + (k * _q), _q) : pending.Slice(Stage1At, _q);
            var row = qloss.Slice(k * _q, _q);
            for (var q = 0; q < forecasts.Length; q++)
            {
                var f = forecasts[q];
                if (float.IsNaN(f))
                {
                    continue;
                }

                // Pinball loss: τe above the quantile, (τ − 1)e below — the larger of the two.
                var e = y - f;
                var pin = Math.Max(qs[q] * e, (qs[q] - 1) * e);
                var l = row[q];
                row[q] = float.IsNaN(l) ? (float)pin : (float)(l + (qdecay * (pin - l)));
            }
        }

        var theta2 = _theta2.AsSpan(((series * _h) + h) * _q, _q);
        // A young series' second stage learns faster: (1 + boost) times the step at first, fading as n/(n + PriorSteps)
        // grows (its intervals need more widening than a mature series' while its scale and first stage settle).
        var young = _options.PriorSteps > 0 ? 1 + (_options.SecondStageYoungBoost * _options.PriorSteps / (_options.PriorSteps + scoredSoFar)) : 1;
        for (var q = 0; q < _q; q++)
        {
            var served = pending[ServedAt + q];
            if (float.IsNaN(served))
            {
                continue;
            }

            var tau = qs[q];
            var step = TrackerStep(tau, y, served);
            theta2[q] = Math.Clamp(theta2[q] + (eta * young * _options.SecondStageStepFraction * (Math.Abs(tau - 0.5) < 1e-9 ? _options.MedianStepFraction : 1) * step), -ThetaLimit, ThetaLimit);
        }

        ref var sig = ref _sigma[(series * _h) + h];
        sig = double.IsNaN(sig) ? Math.Abs(r) : sig + (Math.Min(1, _options.ScaleDecay * every) * (Math.Abs(r) - sig));
        // Counted in steps covered, so a horizon scored every k-th step leaves its prior as fast as one scored every step.
        _scored[(series * _h) + h] += every;
    }

    // The batch's updates of the shared trackers — each group's level, quantile trackers, residual scale and count, and
    // the population's trackers — applied series by series in batch order, as each series' step left them.
    private void ReplayGroupUpdates(int n)
    {
        var qs = Shape.Quantiles;
        for (var i = 0; i < n; i++)
        {
            var series = _batchSeries[i];
            var value = _batchValues[i];
            if (double.IsNaN(value))
            {
                continue;
            }

            var g = _group[series];
            ref var level = ref _groupLevel[g];
            level = double.IsNaN(level) ? value : level + (0.01 * (value - level));
            for (var h = 0; h < _h; h++)
            {
                var z = _batchZ[(i * _h) + h];
                if (double.IsNaN(z))
                {
                    continue;
                }

                var eta = Eta(h);
                var groupTheta = _groupTheta.AsSpan(((g * _h) + h) * _q, _q);
                var popTheta = _groupTheta.AsSpan(h * _q, _q);
                for (var q = 0; q < _q; q++)
                {
                    var tau = qs[q];
                    groupTheta[q] += 0.2 * eta * TrackerStep(tau, z, groupTheta[q]);
                    if (g != 0)
                    {
                        popTheta[q] += 0.05 * eta * TrackerStep(tau, z, popTheta[q]);
                    }
                }

                var residual = _batchResidual[(i * _h) + h];
                ref var gsig = ref _groupSigma[(g * _h) + h];
                gsig = double.IsNaN(gsig) ? residual : gsig + (0.01 * (residual - gsig));
                _groupScored[(g * _h) + h] += _pending.StrideOf(h);
            }
        }
    }

    /// <summary>One thread's scratch for stepping series.</summary>
    private sealed class Lane(int stride, int members, int width, int quantiles)
    {
        /// <summary>A pending record (what was served, the members' forecasts).</summary>
        public float[] Record { get; } = new float[stride];

        /// <summary>The members' forecasts of the block being stepped: member k's of the block's j-th series at ((k · Block) + j) · width.</summary>
        public double[] MemberOut { get; } = new double[members * Block * width];

        /// <summary>The last valid value of each series of the block before this step.</summary>
        public double[] LastValid { get; } = new double[Block];

        /// <summary>Member <paramref name="k"/>'s forecast of the block's <paramref name="local"/>-th series.</summary>
        public Span<double> MemberRow(int k, int local) => MemberOut.AsSpan(((k * Block) + local) * width, width);

        /// <summary>The members' combination weights at one horizon.</summary>
        public double[] Weights { get; } = new double[members];

        /// <summary>The lowest recent pinball loss per quantile level.</summary>
        public double[] Best { get; } = new double[quantiles];

        /// <summary>Every source's weight per quantile level.</summary>
        public double[] Softmax { get; } = new double[(members + 1) * quantiles];

        /// <summary>The sum of the weights per quantile level.</summary>
        public double[] Sum { get; } = new double[quantiles];

        /// <summary>The weighted sum of the sources per quantile level.</summary>
        public double[] Mix { get; } = new double[quantiles];
    }

    private int AddGroup(string group, ResourceKind resource)
    {
        var g = _groupIndex.Count;
        _groupIndex[(group, resource)] = g;
        var n = g + 1;
        Array.Resize(ref _groupLevel, n);
        Array.Resize(ref _groupSigma, n * _h);
        Array.Resize(ref _groupScored, n * _h);
        Array.Resize(ref _groupTheta, n * _h * _q);
        _groupLevel[g] = double.NaN;
        _groupSigma.AsSpan(g * _h, _h).Fill(double.NaN);
        for (var h = 0; h < _h; h++)
        {
            _theta0.AsSpan().CopyTo(_groupTheta.AsSpan(((g * _h) + h) * _q, _q));
        }

        return g;
    }
}
