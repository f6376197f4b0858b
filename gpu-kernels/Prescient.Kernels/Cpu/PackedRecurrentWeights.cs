namespace Prescient.Kernels.Cpu;

/// <summary>
/// Weights repacked for the CPU micro-kernel: the stacked input z = [x; h] (K = F + H rows) times column panels of
/// <see cref="PanelWidth"/> gate columns, each panel stored K × 16 contiguous so one panel stays in L1 while a block
/// of series streams through it. Arrays are pinned so worker threads use raw pointers.
/// </summary>
/// <remarks>
/// Gate columns (4H for both cells): LSTM i, f, g, o with bias b_ih + b_hh. GRU r, z (bias b_ih + b_hh), then
/// n_x = W_in·x + b_in and n_h = W_hn·h + b_hn kept apart because n = tanh(n_x + r·n_h). Panels that only touch
/// n_x skip the h rows and panels that only touch n_h skip the x rows, so GRU does no multiplications by zero
/// whenever H is a multiple of 16. The head is packed the same way with K = H and O columns.
/// </remarks>
internal sealed class PackedRecurrentWeights
{
    public const int PanelWidth = 16;

    public PackedRecurrentWeights(RecurrentModelSpec spec)
    {
        Spec = spec;
        var hidden = spec.HiddenSize;
        RowCount = spec.InputSize + hidden;
        GateColumns = 4 * hidden;
        GatePanelCount = (GateColumns + PanelWidth - 1) / PanelWidth;
        GateStride = GatePanelCount * PanelWidth;
        HeadPanelCount = (spec.OutputSize + PanelWidth - 1) / PanelWidth;
        HeadStride = HeadPanelCount * PanelWidth;
        GatePanels = GC.AllocateArray<float>(checked(GatePanelCount * RowCount * PanelWidth), pinned: true);
        GateBias = GC.AllocateArray<float>(GateStride, pinned: true);
        HeadPanels = GC.AllocateArray<float>(checked(HeadPanelCount * hidden * PanelWidth), pinned: true);
        HeadBias = GC.AllocateArray<float>(HeadStride, pinned: true);
        PanelUsesInput = new bool[GatePanelCount];
        PanelUsesHidden = new bool[GatePanelCount];
        for (var p = 0; p < GatePanelCount; p++)
        {
            for (var col = p * PanelWidth; col < Math.Min(GateColumns, (p + 1) * PanelWidth); col++)
            {
                var isNh = spec.Cell == RecurrentCellKind.Gru && col >= 3 * hidden;
                var isNx = spec.Cell == RecurrentCellKind.Gru && col >= 2 * hidden && col < 3 * hidden;
                PanelUsesInput[p] |= !isNh;
                PanelUsesHidden[p] |= !isNx;
            }
        }
    }

    public RecurrentModelSpec Spec { get; }

    /// <summary>K = F + H.</summary>
    public int RowCount { get; }

    public int GateColumns { get; }

    public int GatePanelCount { get; }

    /// <summary>Gate columns rounded up to whole panels: the row stride of the gate scratch.</summary>
    public int GateStride { get; }

    public int HeadPanelCount { get; }

    public int HeadStride { get; }

    public float[] GatePanels { get; }

    public float[] GateBias { get; }

    public float[] HeadPanels { get; }

    public float[] HeadBias { get; }

    public bool[] PanelUsesInput { get; }

    public bool[] PanelUsesHidden { get; }

    public void Pack(RecurrentWeights w)
    {
        int f = Spec.InputSize, hidden = Spec.HiddenSize, rows = RowCount;
        Array.Clear(GatePanels);
        Array.Clear(GateBias);
        Array.Clear(HeadPanels);
        Array.Clear(HeadBias);
        for (var col = 0; col < GateColumns; col++)
        {
            // Source row in W_ih / W_hh and which halves of z feed this column.
            int srcRow = col;
            bool useX = true, useH = true;
            float bias;
            if (Spec.Cell == RecurrentCellKind.Lstm)
            {
                bias = w.InputBias[col] + w.HiddenBias[col];
            }
            else if (col < 2 * hidden)
            {
                bias = w.InputBias[col] + w.HiddenBias[col];
            }
            else if (col < 3 * hidden)
            {
                useH = false;
                bias = w.InputBias[col];
            }
            else
            {
                srcRow = col - hidden;
                useX = false;
                bias = w.HiddenBias[srcRow];
            }

            GateBias[col] = bias;
            var panelBase = (col / PanelWidth) * rows * PanelWidth;
            var lane = col % PanelWidth;
            if (useX)
            {
                for (var k = 0; k < f; k++)
                {
                    GatePanels[panelBase + (k * PanelWidth) + lane] = w.InputWeights[(srcRow * f) + k];
                }
            }

            if (useH)
            {
                for (var k = 0; k < hidden; k++)
                {
                    GatePanels[panelBase + ((f + k) * PanelWidth) + lane] = w.HiddenWeights[(srcRow * hidden) + k];
                }
            }
        }

        for (var o = 0; o < Spec.OutputSize; o++)
        {
            HeadBias[o] = w.HeadBias[o];
            var panelBase = (o / PanelWidth) * hidden * PanelWidth;
            for (var k = 0; k < hidden; k++)
            {
                HeadPanels[panelBase + (k * PanelWidth) + (o % PanelWidth)] = w.HeadWeights[(o * hidden) + k];
            }
        }
    }
}
