namespace Prescient.Kernels;

/// <summary>
/// Shape of a one-layer recurrent model with a linear output head:
/// per step, state (h, c) ← cell(x, h, c) and y = HeadWeights·h + HeadBias.
/// </summary>
/// <param name="Cell">LSTM or GRU.</param>
/// <param name="InputSize">F, features per series per step; 1 or more.</param>
/// <param name="HiddenSize">H, hidden units; 1 or more (GPU backends need H ≤ 1024).</param>
/// <param name="OutputSize">O, head outputs per series per step (e.g. horizons × quantiles); 1 or more.</param>
public sealed record RecurrentModelSpec(RecurrentCellKind Cell, int InputSize, int HiddenSize, int OutputSize)
{
    /// <summary>Largest size accepted for F, H and O; keeps every buffer index inside <see cref="int"/>.</summary>
    public const int MaxDimension = 65536;

    /// <summary>G: 4 for LSTM (i, f, g, o), 3 for GRU (r, z, n).</summary>
    public int GateCount => Cell == RecurrentCellKind.Lstm ? 4 : 3;

    /// <summary>G·H, the rows of the input and hidden weight matrices.</summary>
    public int GateRows => GateCount * HiddenSize;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first field out of range.</summary>
    public void Validate()
    {
        if (Cell is not (RecurrentCellKind.Lstm or RecurrentCellKind.Gru))
        {
            throw new ArgumentException($"RecurrentModelSpec.Cell {(int)Cell} is not a known cell kind.", nameof(Cell));
        }

        CheckDimension(InputSize, nameof(InputSize));
        CheckDimension(HiddenSize, nameof(HiddenSize));
        CheckDimension(OutputSize, nameof(OutputSize));
    }

    private static void CheckDimension(int value, string name)
    {
        if (value < 1 || value > MaxDimension)
        {
            throw new ArgumentException($"RecurrentModelSpec.{name} is {value}; it must be between 1 and {MaxDimension}.", name);
        }
    }
}
