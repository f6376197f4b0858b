using Prescient.Kernels;

namespace Prescient.Kernels.Tests;

public sealed class RecurrentWeightsTests
{
    [Fact]
    public void Constructor_Spec_SizesArraysInPyTorchLayout()
    {
        var w = new RecurrentWeights(new RecurrentModelSpec(RecurrentCellKind.Lstm, 3, 5, 7));
        Assert.Equal(4 * 5 * 3, w.InputWeights.Length);
        Assert.Equal(4 * 5 * 5, w.HiddenWeights.Length);
        Assert.Equal(20, w.InputBias.Length);
        Assert.Equal(20, w.HiddenBias.Length);
        Assert.Equal(7 * 5, w.HeadWeights.Length);
        Assert.Equal(7, w.HeadBias.Length);
        var gru = new RecurrentWeights(new RecurrentModelSpec(RecurrentCellKind.Gru, 3, 5, 7));
        Assert.Equal(3 * 5 * 3, gru.InputWeights.Length);
        w.Validate();
    }

    [Fact]
    public void Validate_NaN_NamesArrayAndIndex()
    {
        var w = new RecurrentWeights(new RecurrentModelSpec(RecurrentCellKind.Gru, 2, 2, 1));
        w.HiddenWeights[5] = float.NaN;
        var ex = Assert.Throws<ArgumentException>(w.Validate);
        Assert.Contains("HiddenWeights[5]", ex.Message);
    }

    [Fact]
    public void Validate_WrongLength_NamesArrayAndExpectedLength()
    {
        var spec = new RecurrentModelSpec(RecurrentCellKind.Lstm, 2, 2, 1);
        var w = new RecurrentWeights(spec, new float[16], new float[16], new float[8], new float[8], new float[3], new float[1]);
        var ex = Assert.Throws<ArgumentException>(w.Validate);
        Assert.Contains("HeadWeights", ex.Message);
        Assert.Contains("needs 2", ex.Message);
    }

    [Theory]
    [InlineData(0, 4, 1)]
    [InlineData(1, -1, 1)]
    [InlineData(1, 4, 0)]
    public void SpecValidate_NonPositiveSize_Throws(int inputSize, int hiddenSize, int outputSize)
    {
        var spec = new RecurrentModelSpec(RecurrentCellKind.Lstm, inputSize, hiddenSize, outputSize);
        Assert.Throws<ArgumentException>(spec.Validate);
    }
}
