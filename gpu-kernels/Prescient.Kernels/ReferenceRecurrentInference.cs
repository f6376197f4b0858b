namespace Prescient.Kernels;

/// <summary>
/// The oracle: plain scalar loops straight from the PyTorch equations, accumulating in double. Slow; for tests
/// and for checking other backends.
/// </summary>
/// <remarks>
/// LSTM: [i f g o] = W_ih·x + b_ih + W_hh·h + b_hh; c' = σ(f)·c + σ(i)·tanh(g); h' = σ(o)·tanh(c').
/// GRU:  r = σ(W_ir·x + b_ir + W_hr·h + b_hr); z = σ(W_iz·x + b_iz + W_hz·h + b_hz);
///       n = tanh(W_in·x + b_in + r·(W_hn·h + b_hn)); h' = (1 − z)·n + z·h.
/// Head: y = HeadWeights·h' + HeadBias.
/// </remarks>
public sealed class ReferenceRecurrentInference : RecurrentInferenceBase
{
    private readonly double[] _gates;
    private readonly float[] _newH;
    private RecurrentWeights _weights;
    private float[] _h;
    private float[] _c;

    /// <summary>Creates the oracle with <paramref name="weights"/> loaded.</summary>
    public ReferenceRecurrentInference(RecurrentModelSpec spec, RecurrentWeights weights, int initialCapacity = 16)
        : base(spec, initialCapacity)
    {
        ArgumentNullException.ThrowIfNull(weights);
        weights.ValidateFor(spec);
        _weights = weights.Clone();
        _h = new float[(long)initialCapacity * spec.HiddenSize];
        _c = new float[(long)initialCapacity * spec.HiddenSize];
        _gates = new double[4 * spec.HiddenSize];
        _newH = new float[spec.HiddenSize];
        SelectionReason = "scalar oracle";
    }

    /// <inheritdoc />
    public override string BackendName => "reference";

    private protected override void GrowCore(int oldCapacity, int newCapacity)
    {
        Array.Resize(ref _h, checked(newCapacity * Spec.HiddenSize));
        Array.Resize(ref _c, checked(newCapacity * Spec.HiddenSize));
    }

    private protected override void ResetCore(int slot)
    {
        _h.AsSpan(slot * Spec.HiddenSize, Spec.HiddenSize).Clear();
        _c.AsSpan(slot * Spec.HiddenSize, Spec.HiddenSize).Clear();
    }

    private protected override void LoadWeightsCore(RecurrentWeights weights) => _weights = weights.Clone();

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
        int f = Spec.InputSize, o = Spec.OutputSize, n = slots.Length;
        for (var t = 0; t < steps; t++)
        {
            for (var b = 0; b < n; b++)
            {
                var row = (t * n) + b;
                StepOne(slots[b], inputs.Slice(row * f, f), outputs.Slice(row * o, o));
            }
        }
    }

    private static double Sigmoid(double v) => 1.0 / (1.0 + Math.Exp(-v));

    private static double Dot(float[] matrix, int row, int columns, ReadOnlySpan<float> vector)
    {
        var sum = 0.0;
        var offset = row * columns;
        for (var k = 0; k < columns; k++)
        {
            sum += (double)matrix[offset + k] * vector[k];
        }

        return sum;
    }

    private void StepOne(int slot, ReadOnlySpan<float> x, Span<float> y)
    {
        var w = _weights;
        int hidden = Spec.HiddenSize, f = Spec.InputSize;
        var h = _h.AsSpan(slot * hidden, hidden);
        var c = _c.AsSpan(slot * hidden, hidden);
        if (Spec.Cell == RecurrentCellKind.Lstm)
        {
            for (var r = 0; r < 4 * hidden; r++)
            {
                _gates[r] = w.InputBias[r] + w.HiddenBias[r] + Dot(w.InputWeights, r, f, x) + Dot(w.HiddenWeights, r, hidden, h);
            }

            for (var j = 0; j < hidden; j++)
            {
                var i = Sigmoid(_gates[j]);
                var fg = Sigmoid(_gates[hidden + j]);
                var g = Math.Tanh(_gates[(2 * hidden) + j]);
                var og = Sigmoid(_gates[(3 * hidden) + j]);
                var cNew = (fg * c[j]) + (i * g);
                c[j] = (float)cNew;
                _newH[j] = (float)(og * Math.Tanh(cNew));
            }
        }
        else
        {
            for (var j = 0; j < hidden; j++)
            {
                var r = Sigmoid(w.InputBias[j] + w.HiddenBias[j] + Dot(w.InputWeights, j, f, x) + Dot(w.HiddenWeights, j, hidden, h));
                var zr = hidden + j;
                var z = Sigmoid(w.InputBias[zr] + w.HiddenBias[zr] + Dot(w.InputWeights, zr, f, x) + Dot(w.HiddenWeights, zr, hidden, h));
                var nr = (2 * hidden) + j;
                var n = Math.Tanh(w.InputBias[nr] + Dot(w.InputWeights, nr, f, x) + (r * (w.HiddenBias[nr] + Dot(w.HiddenWeights, nr, hidden, h))));
                _newH[j] = (float)(((1.0 - z) * n) + (z * h[j]));
            }
        }

        _newH.CopyTo(h);
        for (var k = 0; k < Spec.OutputSize; k++)
        {
            y[k] = (float)(w.HeadBias[k] + Dot(w.HeadWeights, k, hidden, h));
        }
    }
}
