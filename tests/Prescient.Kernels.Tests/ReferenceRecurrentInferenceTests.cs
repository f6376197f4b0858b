using Prescient.Kernels;

namespace Prescient.Kernels.Tests;

public sealed class ReferenceRecurrentInferenceTests
{
    private static double Sigmoid(double v) => 1.0 / (1.0 + Math.Exp(-v));

    [Fact]
    public void Step_OneUnitLstm_MatchesHandComputedEquations()
    {
        // F = 1, H = 1, O = 1; gate rows i, f, g, o.
        var spec = new RecurrentModelSpec(RecurrentCellKind.Lstm, 1, 1, 1);
        var w = new RecurrentWeights(spec, [0.5f, -0.3f, 0.8f, 0.1f], [0.2f, 0.4f, -0.6f, 0.7f],
            [0.1f, 0.2f, 0.3f, 0.4f], [0.05f, -0.05f, 0.1f, -0.1f], [1.5f], [-0.25f]);
        using var reference = new ReferenceRecurrentInference(spec, w, 1);
        var slot = reference.AllocateSeries();
        double h = 0, c = 0;
        var y = new float[1];
        foreach (var x in new[] { 1.0, -2.0 })
        {
            var i = Sigmoid((0.5 * x) + (0.2 * h) + 0.15);
            var f = Sigmoid((-0.3 * x) + (0.4 * h) + 0.15);
            var g = Math.Tanh((0.8 * x) + (-0.6 * h) + 0.4);
            var o = Sigmoid((0.1 * x) + (0.7 * h) + 0.3);
            c = (f * c) + (i * g);
            h = o * Math.Tanh(c);
            reference.Step([slot], [(float)x], y);
            Assert.Equal((1.5 * h) - 0.25, y[0], 6);
        }

        float[] hs = new float[1], cs = new float[1];
        reference.ReadState(slot, hs, cs);
        Assert.Equal(h, hs[0], 6);
        Assert.Equal(c, cs[0], 6);
    }

    [Fact]
    public void Step_OneUnitGru_AppliesResetAfterHiddenProjection()
    {
        // Gate rows r, z, n; n = tanh(W_in·x + b_in + r·(W_hn·h + b_hn)).
        var spec = new RecurrentModelSpec(RecurrentCellKind.Gru, 1, 1, 1);
        var w = new RecurrentWeights(spec, [0.3f, -0.4f, 0.9f], [0.6f, 0.2f, -0.7f],
            [0.1f, 0.0f, 0.2f], [0.0f, 0.1f, 0.5f], [2f], [0f]);
        using var reference = new ReferenceRecurrentInference(spec, w, 1);
        var slot = reference.AllocateSeries();
        double h = 0;
        var y = new float[1];
        foreach (var x in new[] { 0.5, 1.5, -1.0 })
        {
            var r = Sigmoid((0.3 * x) + 0.1 + (0.6 * h));
            var z = Sigmoid((-0.4 * x) + 0.1 + (0.2 * h));
            var n = Math.Tanh((0.9 * x) + 0.2 + (r * ((-0.7 * h) + 0.5)));
            h = ((1 - z) * n) + (z * h);
            reference.Step([slot], [(float)x], y);
            Assert.Equal(2 * h, y[0], 6);
        }
    }
}
