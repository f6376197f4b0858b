using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Prescient.Kernels.Cpu;

namespace Prescient.Kernels;

/// <summary>
/// The CPU path ("cpu-simd"): per block of series, gates = [x h]·[W_ih W_hh]ᵀ + b as a register-blocked
/// 6-series × 16-column AVX2/FMA micro-kernel over packed weight panels, then fused sigmoid/tanh and the cell update
/// while the gate rows are still in L1, then the head with the same micro-kernel. Blocks are spread over a
/// persistent worker pool; a rollout runs all steps of a block before the next block, so its state stays in cache.
/// Steady-state calls allocate nothing.
/// </summary>
public sealed unsafe class CpuRecurrentInference : RecurrentInferenceBase, IChunkedWork
{
    private const int TileRows = 6;
    private const int Nr = PackedRecurrentWeights.PanelWidth;

    // The hot methods carry AggressiveOptimization: they are compiled fully optimised at first call instead of
    // running as instrumented tier-0 code until the background tier-up catches up (slow on a busy machine).

    // Below this many multiply-adds per call the pool's wake-up costs more than it saves.
    private const long ParallelThresholdMultiplyAdds = 1L << 19;

    private readonly PackedRecurrentWeights _packed;
    private readonly BlockWorkspace[] _workspaces;
    private readonly ParallelWorkerPool? _pool;
    private readonly float[] _zeroRow;
    private readonly int _blockSeries;
    private float[] _h;
    private float[] _c;

    // Arguments of the call in flight, read by the pool's threads (spans cannot live in fields).
    private int* _callSlots;
    private float* _callInputs;
    private float* _callOutputs;
    private int _callSeries;
    private int _callSteps;
    private int _callBlocks;
    private int _nextBlock;

    /// <summary>Creates the CPU path with <paramref name="weights"/> loaded.</summary>
    /// <param name="spec">Model shape.</param>
    /// <param name="weights">Initial parameters (copied).</param>
    /// <param name="initialCapacity">Slots to allocate storage for up front.</param>
    /// <param name="maxThreads">Threads to use, the caller included; 0 means <see cref="Environment.ProcessorCount"/>.</param>
    public CpuRecurrentInference(RecurrentModelSpec spec, RecurrentWeights weights, int initialCapacity = 1024, int maxThreads = 0)
        : base(spec, initialCapacity)
    {
        ArgumentNullException.ThrowIfNull(weights);
        weights.ValidateFor(spec);
        if (maxThreads < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(maxThreads), maxThreads, "Thread count cannot be negative.");
        }

        _packed = new PackedRecurrentWeights(spec);
        _packed.Pack(weights);
        var hidden = spec.HiddenSize;
        _h = GC.AllocateArray<float>(checked(initialCapacity * hidden), pinned: true);
        _c = GC.AllocateArray<float>(checked(initialCapacity * hidden), pinned: true);
        _zeroRow = GC.AllocateArray<float>(Math.Max(spec.InputSize, hidden), pinned: true);

        // Gate rows of a block fill about 16 KiB, half of a typical L1d.
        _blockSeries = Math.Clamp(16384 / (_packed.GateStride * sizeof(float)) / TileRows * TileRows, TileRows, 60);
        var threads = maxThreads == 0 ? Environment.ProcessorCount : maxThreads;
        _pool = threads > 1 ? new ParallelWorkerPool(threads - 1) : null;
        _workspaces = new BlockWorkspace[threads];
        for (var i = 0; i < threads; i++)
        {
            _workspaces[i] = new BlockWorkspace(_blockSeries, _packed.GateStride, _packed.HeadStride);
        }

        SelectionReason = Vector256.IsHardwareAccelerated
            ? $"CPU SIMD, {threads} thread(s), 256-bit vectors{(System.Runtime.Intrinsics.X86.Fma.IsSupported ? " with FMA" : string.Empty)}"
            : $"CPU SIMD, {threads} thread(s), 256-bit vectors emulated (no hardware support)";
    }

    /// <inheritdoc />
    public override string BackendName => "cpu-simd";

    /// <summary>Threads a call may use, the caller included.</summary>
    public int Parallelism => _workspaces.Length;

    void IChunkedWork.Execute(int chunk)
    {
        var ws = _workspaces[chunk];
        int block;
        while ((block = Interlocked.Increment(ref _nextBlock) - 1) < _callBlocks)
        {
            ProcessBlock(block, ws);
        }
    }

    private protected override void GrowCore(int oldCapacity, int newCapacity)
    {
        var hidden = Spec.HiddenSize;
        var h = GC.AllocateArray<float>(checked(newCapacity * hidden), pinned: true);
        var c = GC.AllocateArray<float>(checked(newCapacity * hidden), pinned: true);
        _h.AsSpan(0, oldCapacity * hidden).CopyTo(h);
        _c.AsSpan(0, oldCapacity * hidden).CopyTo(c);
        _h = h;
        _c = c;
    }

    private protected override void ResetCore(int slot)
    {
        _h.AsSpan(slot * Spec.HiddenSize, Spec.HiddenSize).Clear();
        _c.AsSpan(slot * Spec.HiddenSize, Spec.HiddenSize).Clear();
    }

    private protected override void LoadWeightsCore(RecurrentWeights weights) => _packed.Pack(weights);

    private protected override void ReadStateCore(int slot, Span<float> h, Span<float> c)
    {
        _h.AsSpan(slot * Spec.HiddenSize, Spec.HiddenSize).CopyTo(h);
        if (Spec.Cell == RecurrentCellKind.Lstm)
        {
            _c.AsSpan(slot * Spec.HiddenSize, Spec.HiddenSize).CopyTo(c);
        }
    }

    private protected override void WriteStateCore(int slot, ReadOnlySpan<float> h, ReadOnlySpan<float> c)
    {
        h.CopyTo(_h.AsSpan(slot * Spec.HiddenSize, Spec.HiddenSize));
        if (Spec.Cell == RecurrentCellKind.Lstm)
        {
            c.CopyTo(_c.AsSpan(slot * Spec.HiddenSize, Spec.HiddenSize));
        }
    }

    private protected override void RolloutCore(ReadOnlySpan<int> slots, ReadOnlySpan<float> inputs, int steps, Span<float> outputs)
    {
        fixed (int* s = slots)
        fixed (float* x = inputs)
        fixed (float* y = outputs)
        {
            _callSlots = s;
            _callInputs = x;
            _callOutputs = y;
            _callSeries = slots.Length;
            _callSteps = steps;
            _callBlocks = (slots.Length + _blockSeries - 1) / _blockSeries;
            _nextBlock = 0;
            var work = (long)slots.Length * steps * _packed.RowCount * _packed.GateColumns;
            var chunks = _pool is null || work < ParallelThresholdMultiplyAdds ? 1 : Math.Min(_workspaces.Length, _callBlocks);
            try
            {
                if (chunks == 1)
                {
                    ((IChunkedWork)this).Execute(0);
                }
                else
                {
                    _pool!.Run(this, chunks);
                }
            }
            finally
            {
                _callSlots = null;
                _callInputs = null;
                _callOutputs = null;
            }
        }
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _pool?.Dispose();
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ProcessBlock(int block, BlockWorkspace ws)
    {
        int f = Spec.InputSize, hidden = Spec.HiddenSize, outs = Spec.OutputSize, n = _callSeries;
        var first = block * _blockSeries;
        var count = Math.Min(_blockSeries, n - first);
        var padded = (count + TileRows - 1) / TileRows * TileRows;
        var p = _packed;
        fixed (float* hState = _h)
        fixed (float* cState = _c)
        fixed (float* zero = _zeroRow)
        fixed (float* gatePanels = p.GatePanels)
        fixed (float* gateBias = p.GateBias)
        fixed (float* headPanels = p.HeadPanels)
        fixed (float* headBias = p.HeadBias)
        fixed (float* gates = ws.Gates)
        fixed (float* headOut = ws.Head)
        fixed (nint* xRows = ws.XRows)
        fixed (nint* hRows = ws.HRows)
        fixed (nint* cRows = ws.CRows)
        {
            for (var b = 0; b < padded; b++)
            {
                if (b < count)
                {
                    var slot = _callSlots[first + b];
                    hRows[b] = (nint)(hState + ((long)slot * hidden));
                    cRows[b] = (nint)(cState + ((long)slot * hidden));
                }
                else
                {
                    hRows[b] = (nint)zero;
                    cRows[b] = 0;
                }
            }

            for (var t = 0; t < _callSteps; t++)
            {
                var xBase = _callInputs + ((((long)t * n) + first) * f);
                for (var b = 0; b < padded; b++)
                {
                    xRows[b] = b < count ? (nint)(xBase + ((long)b * f)) : (nint)zero;
                }

                // gates[b, :] = bias + Σ_k z_b[k]·Wpacked[k, :], panel by panel so each panel is read from L1.
                for (var panel = 0; panel < p.GatePanelCount; panel++)
                {
                    var w = gatePanels + ((long)panel * p.RowCount * Nr);
                    var xLen = f;
                    if (!p.PanelUsesInput[panel])
                    {
                        w += f * Nr;
                        xLen = 0;
                    }

                    var hLen = p.PanelUsesHidden[panel] ? hidden : 0;
                    var bias = gateBias + (panel * Nr);
                    var outCol = gates + (panel * Nr);
                    for (var b = 0; b < padded; b += TileRows)
                    {
                        Kernel6x16(w, bias, xRows + b, xLen, hRows + b, hLen, outCol + ((long)b * p.GateStride), p.GateStride);
                    }
                }

                for (var b = 0; b < count; b++)
                {
                    var g = gates + ((long)b * p.GateStride);
                    if (Spec.Cell == RecurrentCellKind.Lstm)
                    {
                        LstmPointwise(g, (float*)hRows[b], (float*)cRows[b], hidden);
                    }
                    else
                    {
                        GruPointwise(g, (float*)hRows[b], hidden);
                    }
                }

                // y = HeadWeights·h' + HeadBias with the same micro-kernel (no x rows).
                var yBase = _callOutputs + ((((long)t * n) + first) * outs);
                for (var b = 0; b < padded; b += TileRows)
                {
                    for (var panel = 0; panel < p.HeadPanelCount; panel++)
                    {
                        Kernel6x16(
                            headPanels + ((long)panel * hidden * Nr), headBias + (panel * Nr), xRows + b, 0, hRows + b, hidden,
                            headOut + (panel * Nr), p.HeadStride);
                    }

                    var rows = Math.Min(TileRows, count - b);
                    for (var r = 0; r < rows; r++)
                    {
                        new ReadOnlySpan<float>(headOut + (r * p.HeadStride), outs)
                            .CopyTo(new Span<float>(yBase + ((long)(b + r) * outs), outs));
                    }
                }
            }
        }
    }

    /// <summary>
    /// out[r, 0..16) = bias + Σ_{k&lt;xLen} x_r[k]·w[k, :] + Σ_{k&lt;hLen} h_r[k]·w[xLen + k, :] for r = 0..5, where x_r
    /// and h_r are the row pointers xRows[r] and hRows[r]: twelve accumulators, two weight vectors and one broadcast
    /// fill the 16 ymm registers, enough independent FMA chains to cover the FMA latency.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Kernel6x16(float* w, float* bias, nint* xRows, int xLen, nint* hRows, int hLen, float* o, int outStride)
    {
        var bLo = Vector256.Load(bias);
        var bHi = Vector256.Load(bias + 8);
        Vector256<float> a0L = bLo, a0H = bHi, a1L = bLo, a1H = bHi, a2L = bLo, a2H = bHi;
        Vector256<float> a3L = bLo, a3H = bHi, a4L = bLo, a4H = bHi, a5L = bLo, a5H = bHi;
        for (var part = 0; part < 2; part++)
        {
            nint* rows = part == 0 ? xRows : hRows;
            var len = part == 0 ? xLen : hLen;
            float* r0 = (float*)rows[0], r1 = (float*)rows[1], r2 = (float*)rows[2], r3 = (float*)rows[3], r4 = (float*)rows[4], r5 = (float*)rows[5];
            for (var k = 0; k < len; k++, w += Nr)
            {
                var wL = Vector256.Load(w);
                var wH = Vector256.Load(w + 8);
                var v = Vector256.Create(r0[k]);
                a0L = SimdMath.MulAdd(v, wL, a0L);
                a0H = SimdMath.MulAdd(v, wH, a0H);
                v = Vector256.Create(r1[k]);
                a1L = SimdMath.MulAdd(v, wL, a1L);
                a1H = SimdMath.MulAdd(v, wH, a1H);
                v = Vector256.Create(r2[k]);
                a2L = SimdMath.MulAdd(v, wL, a2L);
                a2H = SimdMath.MulAdd(v, wH, a2H);
                v = Vector256.Create(r3[k]);
                a3L = SimdMath.MulAdd(v, wL, a3L);
                a3H = SimdMath.MulAdd(v, wH, a3H);
                v = Vector256.Create(r4[k]);
                a4L = SimdMath.MulAdd(v, wL, a4L);
                a4H = SimdMath.MulAdd(v, wH, a4H);
                v = Vector256.Create(r5[k]);
                a5L = SimdMath.MulAdd(v, wL, a5L);
                a5H = SimdMath.MulAdd(v, wH, a5H);
            }
        }

        a0L.Store(o);
        a0H.Store(o + 8);
        o += outStride;
        a1L.Store(o);
        a1H.Store(o + 8);
        o += outStride;
        a2L.Store(o);
        a2H.Store(o + 8);
        o += outStride;
        a3L.Store(o);
        a3H.Store(o + 8);
        o += outStride;
        a4L.Store(o);
        a4H.Store(o + 8);
        o += outStride;
        a5L.Store(o);
        a5H.Store(o + 8);
    }

    /// <summary>c' = σ(f)·c + σ(i)·tanh(g); h' = σ(o)·tanh(c'), with gate columns i, f, g, o of width H.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void LstmPointwise(float* g, float* h, float* c, int hidden)
    {
        var j = 0;
        for (; j <= hidden - 8; j += 8)
        {
            var i = SimdMath.Sigmoid(Vector256.Load(g + j));
            var f = SimdMath.Sigmoid(Vector256.Load(g + hidden + j));
            var gg = SimdMath.Tanh(Vector256.Load(g + (2 * hidden) + j));
            var o = SimdMath.Sigmoid(Vector256.Load(g + (3 * hidden) + j));
            var cNew = SimdMath.MulAdd(f, Vector256.Load(c + j), i * gg);
            cNew.Store(c + j);
            (o * SimdMath.Tanh(cNew)).Store(h + j);
        }

        for (; j < hidden; j++)
        {
            var cNew = (SimdMath.Sigmoid(g[hidden + j]) * c[j]) + (SimdMath.Sigmoid(g[j]) * SimdMath.Tanh(g[(2 * hidden) + j]));
            c[j] = cNew;
            h[j] = SimdMath.Sigmoid(g[(3 * hidden) + j]) * SimdMath.Tanh(cNew);
        }
    }

    /// <summary>h' = n + z·(h − n) with n = tanh(n_x + r·n_h), gate columns r, z, n_x, n_h of width H.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void GruPointwise(float* g, float* h, int hidden)
    {
        var j = 0;
        for (; j <= hidden - 8; j += 8)
        {
            var r = SimdMath.Sigmoid(Vector256.Load(g + j));
            var z = SimdMath.Sigmoid(Vector256.Load(g + hidden + j));
            var nn = SimdMath.Tanh(SimdMath.MulAdd(r, Vector256.Load(g + (3 * hidden) + j), Vector256.Load(g + (2 * hidden) + j)));
            SimdMath.MulAdd(z, Vector256.Load(h + j) - nn, nn).Store(h + j);
        }

        for (; j < hidden; j++)
        {
            var r = SimdMath.Sigmoid(g[j]);
            var z = SimdMath.Sigmoid(g[hidden + j]);
            var nn = SimdMath.Tanh(g[(2 * hidden) + j] + (r * g[(3 * hidden) + j]));
            h[j] = nn + (z * (h[j] - nn));
        }
    }

    /// <summary>Per-thread scratch: one block's gate rows, one tile's head rows and the block's row pointers.</summary>
    private sealed class BlockWorkspace
    {
        public BlockWorkspace(int blockSeries, int gateStride, int headStride)
        {
            Gates = GC.AllocateArray<float>(blockSeries * gateStride, pinned: true);
            Head = GC.AllocateArray<float>(TileRows * headStride, pinned: true);
            XRows = new nint[blockSeries];
            HRows = new nint[blockSeries];
            CRows = new nint[blockSeries];
        }

        public float[] Gates { get; }

        public float[] Head { get; }

        public nint[] XRows { get; }

        public nint[] HRows { get; }

        public nint[] CRows { get; }
    }
}
