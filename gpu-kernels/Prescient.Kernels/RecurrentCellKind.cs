namespace Prescient.Kernels;

/// <summary>The recurrent cell a <see cref="RecurrentModelSpec"/> describes.</summary>
public enum RecurrentCellKind
{
    /// <summary>Long short-term memory; PyTorch gate order i, f, g, o (G = 4); state is h and c.</summary>
    Lstm,

    /// <summary>Gated recurrent unit; PyTorch gate order r, z, n (G = 3), reset applied after the hidden
    /// projection (PyTorch's, ONNX's <c>linear_before_reset = 1</c>); state is h only.</summary>
    Gru,
}
