namespace Prescient.Kernels;

/// <summary>
/// Parameters of a one-layer recurrent model in PyTorch layout and gate order
/// (LSTM i, f, g, o; GRU r, z, n; G = <see cref="RecurrentModelSpec.GateCount"/>). All matrices are row-major.
/// The arrays are owned by this object and may be filled in place; backends copy them in
/// <see cref="IRecurrentInference.LoadWeights"/>, so later edits need another load to take effect.
/// </summary>
public sealed class RecurrentWeights
{
    /// <summary>Zero weights for <paramref name="spec"/>.</summary>
    public RecurrentWeights(RecurrentModelSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        spec.Validate();
        Spec = spec;
        InputWeights = new float[spec.GateRows * spec.InputSize];
        HiddenWeights = new float[spec.GateRows * spec.HiddenSize];
        InputBias = new float[spec.GateRows];
        HiddenBias = new float[spec.GateRows];
        HeadWeights = new float[spec.OutputSize * spec.HiddenSize];
        HeadBias = new float[spec.OutputSize];
    }

    /// <summary>Wraps existing arrays (not copied); call <see cref="Validate"/> to check them.</summary>
    public RecurrentWeights(
        RecurrentModelSpec spec,
        float[] inputWeights,
        float[] hiddenWeights,
        float[] inputBias,
        float[] hiddenBias,
        float[] headWeights,
        float[] headBias)
    {
        ArgumentNullException.ThrowIfNull(spec);
        spec.Validate();
        Spec = spec;
        InputWeights = inputWeights ?? throw new ArgumentNullException(nameof(inputWeights));
        HiddenWeights = hiddenWeights ?? throw new ArgumentNullException(nameof(hiddenWeights));
        InputBias = inputBias ?? throw new ArgumentNullException(nameof(inputBias));
        HiddenBias = hiddenBias ?? throw new ArgumentNullException(nameof(hiddenBias));
        HeadWeights = headWeights ?? throw new ArgumentNullException(nameof(headWeights));
        HeadBias = headBias ?? throw new ArgumentNullException(nameof(headBias));
    }

    /// <summary>The shape these weights belong to.</summary>
    public RecurrentModelSpec Spec { get; }

    /// <summary>W_ih, [G·H × F] row-major.</summary>
    public float[] InputWeights { get; }

    /// <summary>W_hh, [G·H × H] row-major.</summary>
    public float[] HiddenWeights { get; }

    /// <summary>b_ih, [G·H].</summary>
    public float[] InputBias { get; }

    /// <summary>b_hh, [G·H].</summary>
    public float[] HiddenBias { get; }

    /// <summary>Head matrix, [O × H] row-major.</summary>
    public float[] HeadWeights { get; }

    /// <summary>Head bias, [O].</summary>
    public float[] HeadBias { get; }

    /// <summary>A deep copy.</summary>
    public RecurrentWeights Clone() => new(
        Spec,
        (float[])InputWeights.Clone(),
        (float[])HiddenWeights.Clone(),
        (float[])InputBias.Clone(),
        (float[])HiddenBias.Clone(),
        (float[])HeadWeights.Clone(),
        (float[])HeadBias.Clone());

    /// <summary>
    /// Throws <see cref="ArgumentException"/> when an array has the wrong length for <see cref="Spec"/> or holds
    /// a NaN or infinity; the message names the array and, for bad values, the first bad index.
    /// </summary>
    public void Validate()
    {
        Spec.Validate();
        var s = Spec;
        Check(InputWeights, s.GateRows * s.InputSize, nameof(InputWeights), "G·H × F");
        Check(HiddenWeights, s.GateRows * s.HiddenSize, nameof(HiddenWeights), "G·H × H");
        Check(InputBias, s.GateRows, nameof(InputBias), "G·H");
        Check(HiddenBias, s.GateRows, nameof(HiddenBias), "G·H");
        Check(HeadWeights, s.OutputSize * s.HiddenSize, nameof(HeadWeights), "O × H");
        Check(HeadBias, s.OutputSize, nameof(HeadBias), "O");
    }

    /// <summary>Validates and checks that these weights fit <paramref name="spec"/>.</summary>
    internal void ValidateFor(RecurrentModelSpec spec)
    {
        if (Spec != spec)
        {
            throw new ArgumentException($"Weights are for {Spec} but the model is {spec}.", "weights");
        }

        Validate();
    }

    private static void Check(float[] values, int expected, string name, string shape)
    {
        if (values.Length != expected)
        {
            throw new ArgumentException(
                $"RecurrentWeights.{name} has {values.Length} values; {shape} needs {expected}.", name);
        }

        for (var i = 0; i < values.Length; i++)
        {
            if (!float.IsFinite(values[i]))
            {
                throw new ArgumentException(
                    $"RecurrentWeights.{name}[{i}] is {values[i]}; weights must be finite.", name);
            }
        }
    }
}
