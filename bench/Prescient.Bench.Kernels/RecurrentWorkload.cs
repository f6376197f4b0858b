using Prescient.Bench.Kernels.Onnx;
using Prescient.Kernels;

namespace Prescient.Bench.Kernels;

/// <summary>
/// One benchmark case: N series of a seeded random model with F = 8 inputs and O = 12 outputs (4 horizons × 3
/// quantiles), run by our CPU SIMD path and by ONNX Runtime with identical weights and inputs.
/// </summary>
public sealed class RecurrentWorkload : IDisposable
{
    public const int InputSize = 8;
    public const int OutputSize = 12;
    public const float ParityTolerance = 1e-4f;

    private readonly int[] _slots;
    private readonly float[] _outputs;

    public RecurrentWorkload(RecurrentCellKind cell, int series, int hidden, int steps, bool withRival = true, int threads = 0)
    {
        Spec = new RecurrentModelSpec(cell, InputSize, hidden, OutputSize);
        Steps = steps;
        Weights = RandomWeights(Spec, seed: 2026);
        Threads = threads > 0 ? threads : Environment.ProcessorCount;
        Ours = new CpuRecurrentInference(Spec, Weights, series, Threads);
        _slots = new int[series];
        for (var i = 0; i < series; i++)
        {
            _slots[i] = Ours.AllocateSeries();
        }

        Inputs = RandomValues((long)steps * series * InputSize, new Random(7), 1f);
        _outputs = new float[(long)steps * series * OutputSize];
        if (withRival)
        {
            Rival = new OnnxRecurrentRival(Weights, series, steps, Threads);
            Inputs.CopyTo(Rival.Inputs, 0);
        }
    }

    public RecurrentModelSpec Spec { get; }

    public int Steps { get; }

    /// <summary>Threads each side may use (ours: worker pool incl. caller; ONNX Runtime: intra-op threads).</summary>
    public int Threads { get; }

    public RecurrentWeights Weights { get; }

    public CpuRecurrentInference Ours { get; }

    public OnnxRecurrentRival? Rival { get; }

    public float[] Inputs { get; }

    public ReadOnlySpan<int> Slots => _slots;

    public ReadOnlySpan<float> Outputs => _outputs;

    /// <summary>Seeded weights scaled like PyTorch's default init, U(−1/√H, 1/√H).</summary>
    public static RecurrentWeights RandomWeights(RecurrentModelSpec spec, int seed)
    {
        var random = new Random(seed);
        var scale = 1f / MathF.Sqrt(spec.HiddenSize);
        var w = new RecurrentWeights(spec);
        foreach (var a in new[] { w.InputWeights, w.HiddenWeights, w.InputBias, w.HiddenBias, w.HeadWeights, w.HeadBias })
        {
            RandomValues(a.Length, random, scale).CopyTo(a, 0);
        }

        return w;
    }

    public static float[] RandomValues(long count, Random random, float scale)
    {
        var values = new float[count];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = (float)(((random.NextDouble() * 2.0) - 1.0) * scale);
        }

        return values;
    }

    public void RunOurs() => Ours.Rollout(_slots, Inputs, Steps, _outputs);

    public void RunRival() => Rival!.Run();

    /// <summary>
    /// From zero state, runs both once and returns the largest absolute difference in outputs and final h (and c);
    /// throws when it exceeds <see cref="ParityTolerance"/>. State is zeroed again afterwards.
    /// </summary>
    public float CheckParity()
    {
        if (Rival is null)
        {
            throw new InvalidOperationException("This workload was created without the ONNX Runtime rival.");
        }

        ResetState();
        RunOurs();
        RunRival();
        var max = MaxAbs(_outputs, Rival.Outputs);
        var hidden = Spec.HiddenSize;
        var h = new float[hidden];
        var c = new float[hidden];
        var rivalH = Rival.Hidden;
        var rivalC = Rival.Cell;
        for (var i = 0; i < _slots.Length; i++)
        {
            Ours.ReadState(_slots[i], h, c);
            max = MathF.Max(max, MaxAbs(h, rivalH.Slice(i * hidden, hidden)));
            if (Spec.Cell == RecurrentCellKind.Lstm)
            {
                max = MathF.Max(max, MaxAbs(c, rivalC.Slice(i * hidden, hidden)));
            }
        }

        ResetState();
        if (!(max <= ParityTolerance))
        {
            throw new InvalidOperationException(
                $"Parity failed for {Spec} × {_slots.Length} series × {Steps} steps: max |ours − ONNX Runtime| = {max:E3} > {ParityTolerance:E0}.");
        }

        return max;
    }

    public void Dispose()
    {
        Ours.Dispose();
        Rival?.Dispose();
    }

    private static float MaxAbs(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        var max = 0f;
        for (var i = 0; i < a.Length; i++)
        {
            var d = MathF.Abs(a[i] - b[i]);
            max = float.IsNaN(d) ? float.NaN : MathF.Max(max, d);
            if (float.IsNaN(max))
            {
                return max;
            }
        }

        return max;
    }

    private void ResetState()
    {
        foreach (var slot in _slots)
        {
            Ours.ResetSeries(slot);
        }

        Rival?.ResetState();
    }
}
