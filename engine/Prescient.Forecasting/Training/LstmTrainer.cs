using System.Diagnostics;
using System.Numerics.Tensors;
using Prescient.Abstractions.Forecasting;
using Prescient.Forecasting.Traces;
using Prescient.Kernels;

namespace Prescient.Forecasting.Training;

/// <summary>
/// Trains the global LSTM in C#: one network over all series, truncated backpropagation through time over random
/// windows, Adam (β₁ 0.9, β₂ 0.999) with global-norm clipping and a cosine learning-rate decay, on the mean pinball
/// loss of direct multi-horizon quantile outputs. Cell equations (PyTorch order i, f, g, o):
/// a = W_ih·x + b_ih + W_hh·h + b_hh; c' = σ(f)·c + σ(i)·tanh(g); h' = σ(o)·tanh(c'); y = W_o·h' + b_o.
/// The forward pass is the kernels' (<c>Prescient.Kernels</c>) definition, so inference there reproduces training.
/// </summary>
public static class LstmTrainer
{
    /// <summary>Trains on <paramref name="series"/> (all on one grid of <paramref name="stepSeconds"/>); <paramref name="log"/> gets progress lines.</summary>
    public static LstmModel Train(IReadOnlyList<TraceSeries> series, int stepSeconds, ReadOnlySpan<int> horizonSteps, ReadOnlySpan<double> quantiles, LstmTrainingOptions options, Action<string>? log = null)
    {
        options.Validate();
        var sw = Stopwatch.StartNew();
        var hz = horizonSteps.ToArray();
        var qs = quantiles.ToArray();
        var data = Prepare(series, stepSeconds, hz);
        if (data.Count == 0)
        {
            throw new ArgumentException("no series long enough to train on (each needs more than one window plus the longest horizon)");
        }

        var spec = new RecurrentModelSpec(RecurrentCellKind.Lstm, LstmFeatures.Count, options.HiddenSize, hz.Length * qs.Length);
        var layout = new Layout(spec);
        var p = new float[layout.Total];
        Initialize(p, layout, new Random(options.Seed));
        var (iteration, ewLoss) = Optimize(p, layout, data, hz, qs, options, heldOutSteps: 0, sw, CancellationToken.None, log);
        var weights = layout.ToWeights(p);
        var summary = $"{data.Count} series, {iteration} iterations × {options.BatchSize} windows of {options.WindowSteps} steps, hidden {options.HiddenSize}, final pinball {ewLoss:F4}, {sw.Elapsed.TotalSeconds:F0} s";
        log?.Invoke(summary);
        return new LstmModel(spec, weights, stepSeconds, hz, qs, summary);
    }

    /// <summary>
    /// Fine-tunes <paramref name="start"/> on recent <paramref name="series"/> (on the model's step): the last window of
    /// each series is held out, Adam runs from the model's weights on windows before it (a fresh optimizer state, the
    /// options' learning rate, iterations and time cap), and the result is kept only if its pinball loss on the held-out
    /// windows is below the starting model's. <see cref="LstmFineTuning.Model"/> is null when it is not (or when there is
    /// too little data), so a bad round cannot replace a good model.
    /// </summary>
    public static LstmFineTuning FineTune(LstmModel start, IReadOnlyList<TraceSeries> series, LstmTrainingOptions options, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(start);
        options.Validate();
        var sw = Stopwatch.StartNew();
        var hz = start.HorizonSteps;
        var qs = start.Quantiles;
        if (start.Spec.Cell != RecurrentCellKind.Lstm)
        {
            return new LstmFineTuning(null, double.NaN, double.NaN, 0, 0, sw.Elapsed.TotalSeconds, "only an LSTM can be fine-tuned here (the model is a GRU)");
        }

        var data = Prepare(series, start.StepSeconds, hz).FindAll(d => d.Steps >= 2 * options.WindowSteps + 1);
        if (data.Count == 0)
        {
            return new LstmFineTuning(null, double.NaN, double.NaN, 0, 0, sw.Elapsed.TotalSeconds, "too little history to fine-tune on");
        }

        var layout = new Layout(start.Spec);
        var p = layout.FromWeights(start.Weights);
        var before = HeldOutLoss(p, layout, data, hz, qs, options);
        var (iterations, _) = Optimize(p, layout, data, hz, qs, options, heldOutSteps: options.WindowSteps, sw, ct, log: null);
        var after = HeldOutLoss(p, layout, data, hz, qs, options);
        var seconds = sw.Elapsed.TotalSeconds;
        if (!(after < before))
        {
            return new LstmFineTuning(null, before, after, iterations, data.Count, seconds, "no better on the held-out windows; kept the model");
        }

        var summary = $"{start.TrainingSummary}; fine-tuned on {data.Count} live series, {iterations} iterations, held-out pinball {before:F4} → {after:F4}";
        return new LstmFineTuning(new LstmModel(start.Spec, layout.ToWeights(p), start.StepSeconds, hz, qs, summary), before, after, iterations, data.Count, seconds, "accepted");
    }

    /// <summary>
    /// Adam on random windows of <paramref name="data"/> from <paramref name="p"/>; windows end before the last
    /// <paramref name="heldOutSteps"/> steps of each series. Stops at the options' iterations or time cap, or when
    /// <paramref name="ct"/> is cancelled. Returns the iterations run and the smoothed training loss.
    /// </summary>
    private static (int Iterations, double Loss) Optimize(float[] p, Layout layout, List<SeriesData> data, int[] hz, double[] qs, LstmTrainingOptions options, int heldOutSteps, Stopwatch sw, CancellationToken ct, Action<string>? log)
    {
        var m = new float[p.Length];
        var v = new float[p.Length];
        var workers = Enumerable.Range(0, options.Threads).Select(_ => new Worker(layout, options.WindowSteps)).ToArray();
        var rng = new Random(options.Seed + 1);
        var picks = new (int Series, int Start)[options.BatchSize];
        var ewLoss = double.NaN;
        var iteration = 0;
        for (; iteration < options.Iterations && sw.Elapsed.TotalSeconds < options.MaxSeconds && !ct.IsCancellationRequested; iteration++)
        {
            for (var b = 0; b < picks.Length; b++)
            {
                var s = rng.Next(data.Count);
                picks[b] = (s, rng.Next(data[s].Steps - options.WindowSteps - heldOutSteps));
            }

            foreach (var w in workers)
            {
                w.Clear();
            }

            Parallel.For(0, workers.Length, new ParallelOptions { MaxDegreeOfParallelism = workers.Length }, wi =>
            {
                var w = workers[wi];
                for (var b = wi; b < picks.Length; b += workers.Length)
                {
                    var d = data[picks[b].Series];
                    w.Run(p, d.Features, d.Targets, picks[b].Start, options.BurnInSteps, hz.Length, qs);
                }
            });

            var grad = workers[0].Grad;
            double loss = 0, count = 0;
            foreach (var w in workers)
            {
                loss += w.Loss;
                count += w.Count;
                if (!ReferenceEquals(w, workers[0]))
                {
                    TensorPrimitives.Add(grad, w.Grad, grad);
                }
            }

            if (count == 0)
            {
                continue;
            }

            TensorPrimitives.Multiply(grad, (float)(1 / count), grad);
            var norm = TensorPrimitives.Norm(grad);
            if (!float.IsFinite(norm))
            {
                continue;
            }

            if (norm > options.GradientClip)
            {
                TensorPrimitives.Multiply(grad, (float)(options.GradientClip / norm), grad);
            }

            var lr = options.LearningRate * (0.1 + (0.9 * 0.5 * (1 + Math.Cos(Math.PI * iteration / options.Iterations))));
            Adam(p, grad, m, v, iteration + 1, lr);
            var meanLoss = loss / count;
            ewLoss = double.IsNaN(ewLoss) ? meanLoss : ewLoss + (0.05 * (meanLoss - ewLoss));
            if (log is not null && (iteration % 100 == 0))
            {
                log($"iteration {iteration}: pinball {ewLoss:F4} (scaled units), {sw.Elapsed.TotalSeconds:F0} s");
            }
        }

        return (iteration, ewLoss);
    }

    /// <summary>Mean pinball loss (scaled units) of <paramref name="p"/> on the last window of each series.</summary>
    private static double HeldOutLoss(float[] p, Layout layout, List<SeriesData> data, int[] hz, double[] qs, LstmTrainingOptions options)
    {
        var w = new Worker(layout, options.WindowSteps);
        foreach (var d in data)
        {
            w.Run(p, d.Features, d.Targets, d.Steps - options.WindowSteps, options.BurnInSteps, hz.Length, qs);
        }

        return w.Count == 0 ? double.NaN : w.Loss / w.Count;
    }

    /// <summary>
    /// Runs the training forward pass of <paramref name="model"/> over one sequence of features (steps × F, from zero
    /// state) and writes the outputs (steps × O). The code path training uses; tests compare it with the kernels.
    /// </summary>
    public static void ForwardSequence(LstmModel model, ReadOnlySpan<float> features, int steps, Span<float> outputs)
    {
        var layout = new Layout(model.Spec);
        var p = layout.FromWeights(model.Weights);
        var w = new Worker(layout, steps);
        w.Forward(p, features, 0, steps, outputs);
    }

    private sealed record SeriesData(float[] Features, float[] Targets, int Steps);

    private static List<SeriesData> Prepare(IReadOnlyList<TraceSeries> series, int stepSeconds, int[] hz)
    {
        var result = new List<SeriesData>();
        var maxH = hz[^1];
        var f = LstmFeatures.Count;
        foreach (var s in series)
        {
            var n = s.Values.Length;
            if (n < 200 + maxH || s.StepSeconds != stepSeconds || s.ValidCount < n / 2)
            {
                continue;
            }

            var feats = new LstmFeatures(stepSeconds, hz);
            feats.Grow(1);
            feats.Reset(0);
            feats.SetResource(0, s.Key.Resource);
            var x = new float[n * f];
            var targets = new float[n * hz.Length];
            for (var t = 0; t < n; t++)
            {
                feats.Step(0, s.StartSeconds + ((long)t * stepSeconds), s.Values[t], x.AsSpan(t * f, f));
                var scale = feats.Scale(0);
                var level = feats.Level(0);
                for (var k = 0; k < hz.Length; k++)
                {
                    var target = t + hz[k];
                    var y = target < n ? s.Values[target] : float.NaN;
                    targets[(t * hz.Length) + k] = float.IsNaN(y) || double.IsNaN(scale)
                        ? float.NaN
                        : (float)Math.Clamp((y / scale) - level, -LstmFeatures.Clip, LstmFeatures.Clip);
                }
            }

            result.Add(new SeriesData(x, targets, n - maxH));
        }

        return result;
    }

    private static void Initialize(float[] p, Layout l, Random rng)
    {
        // PyTorch's default: U(−1/√H, 1/√H) for every recurrent parameter; forget-gate bias +1 to keep memory early on.
        var k = 1 / Math.Sqrt(l.H);
        for (var i = 0; i < l.HeadW; i++)
        {
            p[i] = (float)(((2 * rng.NextDouble()) - 1) * k);
        }

        for (var j = 0; j < l.H; j++)
        {
            p[l.Bih + l.H + j] += 1;
        }

        // A small head: the network starts as "no change from the last value".
        for (var i = l.HeadW; i < l.Total; i++)
        {
            p[i] = i < l.HeadB ? (float)(((2 * rng.NextDouble()) - 1) * 0.01) : 0;
        }
    }

    private static void Adam(float[] p, float[] g, float[] m, float[] v, int t, double lr)
    {
        const float b1 = 0.9f, b2 = 0.999f, eps = 1e-8f;
        var c1 = 1 - Math.Pow(b1, t);
        var c2 = 1 - Math.Pow(b2, t);
        var step = (float)(lr * Math.Sqrt(c2) / c1);
        for (var i = 0; i < p.Length; i++)
        {
            m[i] = (b1 * m[i]) + ((1 - b1) * g[i]);
            v[i] = (b2 * v[i]) + ((1 - b2) * g[i] * g[i]);
            p[i] -= step * m[i] / (MathF.Sqrt(v[i]) + eps);
        }
    }

    /// <summary>Offsets of the parameter blocks in one flat array.</summary>
    private sealed class Layout
    {
        public Layout(RecurrentModelSpec spec)
        {
            Spec = spec;
            F = spec.InputSize;
            H = spec.HiddenSize;
            O = spec.OutputSize;
            Wih = 0;
            Whh = Wih + (4 * H * F);
            Bih = Whh + (4 * H * H);
            Bhh = Bih + (4 * H);
            HeadW = Bhh + (4 * H);
            HeadB = HeadW + (O * H);
            Total = HeadB + O;
        }

        public RecurrentModelSpec Spec { get; }

        public int F { get; }

        public int H { get; }

        public int O { get; }

        public int Wih { get; }

        public int Whh { get; }

        public int Bih { get; }

        public int Bhh { get; }

        public int HeadW { get; }

        public int HeadB { get; }

        public int Total { get; }

        public RecurrentWeights ToWeights(float[] p) => new(
            Spec,
            p[Wih..Whh], p[Whh..Bih], p[Bih..Bhh], p[Bhh..HeadW], p[HeadW..HeadB], p[HeadB..Total]);

        public float[] FromWeights(RecurrentWeights w)
        {
            var p = new float[Total];
            w.InputWeights.CopyTo(p, Wih);
            w.HiddenWeights.CopyTo(p, Whh);
            w.InputBias.CopyTo(p, Bih);
            w.HiddenBias.CopyTo(p, Bhh);
            w.HeadWeights.CopyTo(p, HeadW);
            w.HeadBias.CopyTo(p, HeadB);
            return p;
        }
    }

    /// <summary>Per-thread buffers: activations of one window and a gradient accumulator.</summary>
    private sealed class Worker
    {
        private readonly Layout _l;
        private readonly int _steps;
        private readonly float[] _h;
        private readonly float[] _c;
        private readonly float[] _gates;
        private readonly float[] _tc;
        private readonly float[] _y;
        private readonly float[] _dy;
        private readonly float[] _dh;
        private readonly float[] _dc;
        private readonly float[] _da;
        private readonly float[] _dhNext;

        public Worker(Layout layout, int steps)
        {
            _l = layout;
            _steps = steps;
            var h = layout.H;
            _h = new float[(steps + 1) * h];
            _c = new float[(steps + 1) * h];
            _gates = new float[steps * 4 * h];
            _tc = new float[steps * h];
            _y = new float[steps * layout.O];
            _dy = new float[steps * layout.O];
            _dh = new float[h];
            _dc = new float[h];
            _da = new float[4 * h];
            _dhNext = new float[h];
            Grad = new float[layout.Total];
        }

        public float[] Grad { get; }

        public double Loss { get; private set; }

        public double Count { get; private set; }

        public void Clear()
        {
            Array.Clear(Grad);
            Loss = 0;
            Count = 0;
        }

        /// <summary>Forward over <paramref name="steps"/> steps from zero state, keeping activations; writes head outputs.</summary>
        public void Forward(float[] p, ReadOnlySpan<float> x, int start, int steps, Span<float> outputs)
        {
            int f = _l.F, hn = _l.H, o = _l.O;
            _h.AsSpan(0, hn).Clear();
            _c.AsSpan(0, hn).Clear();
            var wih = p.AsSpan(_l.Wih, 4 * hn * f);
            var whh = p.AsSpan(_l.Whh, 4 * hn * hn);
            for (var t = 0; t < steps; t++)
            {
                var xt = x.Slice((start + t) * f, f);
                var hPrev = _h.AsSpan(t * hn, hn);
                var cPrev = _c.AsSpan(t * hn, hn);
                var a = _gates.AsSpan(t * 4 * hn, 4 * hn);
                for (var r = 0; r < 4 * hn; r++)
                {
                    a[r] = p[_l.Bih + r] + p[_l.Bhh + r] + TensorPrimitives.Dot(wih.Slice(r * f, f), xt) + TensorPrimitives.Dot(whh.Slice(r * hn, hn), hPrev);
                }

                var hNew = _h.AsSpan((t + 1) * hn, hn);
                var cNew = _c.AsSpan((t + 1) * hn, hn);
                var tc = _tc.AsSpan(t * hn, hn);
                for (var j = 0; j < hn; j++)
                {
                    var i = Sigmoid(a[j]);
                    var fg = Sigmoid(a[hn + j]);
                    var g = MathF.Tanh(a[(2 * hn) + j]);
                    var og = Sigmoid(a[(3 * hn) + j]);
                    a[j] = i;
                    a[hn + j] = fg;
                    a[(2 * hn) + j] = g;
                    a[(3 * hn) + j] = og;
                    cNew[j] = (fg * cPrev[j]) + (i * g);
                    tc[j] = MathF.Tanh(cNew[j]);
                    hNew[j] = og * tc[j];
                }

                var y = outputs.Slice(t * o, o);
                for (var k = 0; k < o; k++)
                {
                    y[k] = p[_l.HeadB + k] + TensorPrimitives.Dot(p.AsSpan(_l.HeadW + (k * hn), hn), hNew);
                }
            }
        }

        /// <summary>Forward, pinball loss and backward over one window; accumulates into <see cref="Grad"/>.</summary>
        public void Run(float[] p, float[] x, float[] targets, int start, int burnIn, int horizons, double[] quantiles)
        {
            int hn = _l.H, o = _l.O, f = _l.F, qn = quantiles.Length;
            Forward(p, x, start, _steps, _y);
            Array.Clear(_dy);
            for (var t = burnIn; t < _steps; t++)
            {
                for (var k = 0; k < horizons; k++)
                {
                    var target = targets[((start + t) * horizons) + k];
                    if (float.IsNaN(target))
                    {
                        continue;
                    }

                    for (var q = 0; q < qn; q++)
                    {
                        var tau = (float)quantiles[q];
                        var idx = (t * o) + (k * qn) + q;
                        var e = target - _y[idx];
                        Loss += e >= 0 ? tau * e : (tau - 1) * e;
                        _dy[idx] = e >= 0 ? -tau : 1 - tau;
                    }

                    Count += qn;
                }
            }

            Array.Clear(_dhNext);
            Array.Clear(_dc);
            var g = Grad;
            for (var t = _steps - 1; t >= 0; t--)
            {
                var hT = _h.AsSpan((t + 1) * hn, hn);
                var hPrev = _h.AsSpan(t * hn, hn);
                var cPrev = _c.AsSpan(t * hn, hn);
                var a = _gates.AsSpan(t * 4 * hn, 4 * hn);
                var tc = _tc.AsSpan(t * hn, hn);
                var dy = _dy.AsSpan(t * o, o);
                _dhNext.CopyTo(_dh);
                if (t >= burnIn)
                {
                    for (var k = 0; k < o; k++)
                    {
                        var d = dy[k];
                        if (d == 0)
                        {
                            continue;
                        }

                        g[_l.HeadB + k] += d;
                        TensorPrimitives.MultiplyAdd(hT, d, g.AsSpan(_l.HeadW + (k * hn), hn), g.AsSpan(_l.HeadW + (k * hn), hn));
                        TensorPrimitives.MultiplyAdd(p.AsSpan(_l.HeadW + (k * hn), hn), d, _dh, _dh);
                    }
                }

                for (var j = 0; j < hn; j++)
                {
                    float i = a[j], fg = a[hn + j], gg = a[(2 * hn) + j], og = a[(3 * hn) + j];
                    var dO = _dh[j] * tc[j] * og * (1 - og);
                    var dC = (_dh[j] * og * (1 - (tc[j] * tc[j]))) + _dc[j];
                    _da[j] = dC * gg * i * (1 - i);
                    _da[hn + j] = dC * cPrev[j] * fg * (1 - fg);
                    _da[(2 * hn) + j] = dC * i * (1 - (gg * gg));
                    _da[(3 * hn) + j] = dO;
                    _dc[j] = dC * fg;
                }

                var xt = x.AsSpan((start + t) * f, f);
                Array.Clear(_dhNext);
                for (var r = 0; r < 4 * hn; r++)
                {
                    var d = _da[r];
                    g[_l.Bih + r] += d;
                    g[_l.Bhh + r] += d;
                    var wihRow = g.AsSpan(_l.Wih + (r * f), f);
                    TensorPrimitives.MultiplyAdd(xt, d, wihRow, wihRow);
                    var whhRow = g.AsSpan(_l.Whh + (r * hn), hn);
                    TensorPrimitives.MultiplyAdd(hPrev, d, whhRow, whhRow);
                    TensorPrimitives.MultiplyAdd(p.AsSpan(_l.Whh + (r * hn), hn), d, _dhNext, _dhNext);
                }
            }
        }

        private static float Sigmoid(float v) => 1 / (1 + MathF.Exp(-v));
    }
}

/// <summary>
/// Outcome of <see cref="LstmTrainer.FineTune"/>: the tuned model (null when it was not better or there was too little
/// data), the held-out pinball loss (scaled units) before and after, iterations, series used, seconds, and why.
/// </summary>
public sealed record LstmFineTuning(LstmModel? Model, double LossBefore, double LossAfter, int Iterations, int Series, double Seconds, string Outcome);
