using Prescient.Kernels;

namespace Prescient.Kernels.Tests;

/// <summary>
/// The contract every <see cref="IRecurrentInference"/> backend passes, checked against
/// <see cref="ReferenceRecurrentInference"/>. Shapes stay tiny so the ILGPU CPU simulator can run the suite.
/// </summary>
public abstract class RecurrentInferenceConformanceTests
{
    /// <summary>Largest absolute difference from the reference a backend may show.</summary>
    protected virtual float Tolerance => 1e-5f;

    public static TheoryData<RecurrentCellKind, int, int, int> Shapes => new()
    {
        { RecurrentCellKind.Lstm, 3, 5, 4 },
        { RecurrentCellKind.Gru, 3, 5, 4 },
        { RecurrentCellKind.Lstm, 2, 8, 3 },
        { RecurrentCellKind.Gru, 4, 8, 17 },
        { RecurrentCellKind.Lstm, 9, 4, 1 },
    };

    protected abstract IRecurrentInference Create(RecurrentModelSpec spec, RecurrentWeights weights, int initialCapacity);

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Step_RandomModel_MatchesReference(RecurrentCellKind cell, int inputSize, int hiddenSize, int outputSize)
    {
        var spec = new RecurrentModelSpec(cell, inputSize, hiddenSize, outputSize);
        var weights = RecurrentTestData.RandomWeights(spec, seed: 11);
        using var backend = Create(spec, weights, 4);
        using var reference = new ReferenceRecurrentInference(spec, weights, 4);
        const int series = 7;
        var slots = new int[series];
        var refSlots = new int[series];
        for (var i = 0; i < series; i++)
        {
            slots[i] = backend.AllocateSeries();
            refSlots[i] = reference.AllocateSeries();
        }

        var outputs = new float[series * outputSize];
        var expected = new float[series * outputSize];
        for (var step = 0; step < 3; step++)
        {
            var inputs = RecurrentTestData.RandomInputs(series * inputSize, seed: 100 + step);
            backend.Step(slots, inputs, outputs);
            reference.Step(refSlots, inputs, expected);
            Assert.True(RecurrentTestData.MaxAbsDifference(outputs, expected) <= Tolerance, $"step {step} outputs differ");
        }

        Assert.True(RecurrentTestData.MaxStateDifference(backend, reference, slots, refSlots) <= Tolerance);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Rollout_FourSteps_MatchesReferenceSteps(RecurrentCellKind cell, int inputSize, int hiddenSize, int outputSize)
    {
        var spec = new RecurrentModelSpec(cell, inputSize, hiddenSize, outputSize);
        var weights = RecurrentTestData.RandomWeights(spec, seed: 5);
        using var backend = Create(spec, weights, 8);
        using var reference = new ReferenceRecurrentInference(spec, weights, 8);
        const int series = 5, steps = 4;
        var slots = new int[series];
        for (var i = 0; i < series; i++)
        {
            slots[i] = backend.AllocateSeries();
            Assert.Equal(slots[i], reference.AllocateSeries());
        }

        var inputs = RecurrentTestData.RandomInputs(steps * series * inputSize, seed: 3);
        var outputs = new float[steps * series * outputSize];
        backend.Rollout(slots, inputs, steps, outputs);
        for (var t = 0; t < steps; t++)
        {
            var expected = new float[series * outputSize];
            reference.Step(slots, inputs.AsSpan(t * series * inputSize, series * inputSize), expected);
            Assert.True(
                RecurrentTestData.MaxAbsDifference(outputs.AsSpan(t * series * outputSize, series * outputSize), expected) <= Tolerance,
                $"rollout step {t} differs");
        }

        Assert.True(RecurrentTestData.MaxStateDifference(backend, reference, slots, slots) <= Tolerance);
    }

    [Fact]
    public void Step_SubsetInAnyOrder_LeavesOtherSlotsUntouched()
    {
        var spec = new RecurrentModelSpec(RecurrentCellKind.Lstm, 2, 6, 2);
        var weights = RecurrentTestData.RandomWeights(spec, seed: 21);
        using var backend = Create(spec, weights, 8);
        using var reference = new ReferenceRecurrentInference(spec, weights, 8);
        var all = new int[6];
        for (var i = 0; i < all.Length; i++)
        {
            all[i] = backend.AllocateSeries();
            reference.AllocateSeries();
        }

        var warm = RecurrentTestData.RandomInputs(all.Length * 2, seed: 1);
        var ignored = new float[all.Length * 2];
        backend.Step(all, warm, ignored);
        reference.Step(all, warm, ignored);
        int[] subset = [4, 1, 5];
        var inputs = RecurrentTestData.RandomInputs(subset.Length * 2, seed: 2);
        var outputs = new float[subset.Length * 2];
        var expected = new float[subset.Length * 2];
        backend.Step(subset, inputs, outputs);
        reference.Step(subset, inputs, expected);
        Assert.True(RecurrentTestData.MaxAbsDifference(outputs, expected) <= Tolerance);
        Assert.True(RecurrentTestData.MaxStateDifference(backend, reference, all, all) <= Tolerance);
    }

    [Fact]
    public void AllocateSeries_BeyondCapacity_GrowsAndKeepsState()
    {
        var spec = new RecurrentModelSpec(RecurrentCellKind.Gru, 2, 4, 2);
        var weights = RecurrentTestData.RandomWeights(spec, seed: 8);
        using var backend = Create(spec, weights, 2);
        using var reference = new ReferenceRecurrentInference(spec, weights, 2);
        int[] first = [backend.AllocateSeries(), backend.AllocateSeries()];
        reference.AllocateSeries();
        reference.AllocateSeries();
        var inputs = RecurrentTestData.RandomInputs(4, seed: 4);
        var outputs = new float[4];
        backend.Step(first, inputs, outputs);
        reference.Step(first, inputs, outputs);

        var third = backend.AllocateSeries();
        reference.AllocateSeries();
        Assert.Equal(2, third);
        Assert.True(backend.Capacity >= 3);
        Assert.Equal(3, backend.ActiveSeries);
        Assert.True(RecurrentTestData.MaxStateDifference(backend, reference, first, first) <= Tolerance);
        var h = new float[4];
        backend.ReadState(third, h, default);
        Assert.All(h, v => Assert.Equal(0f, v));
    }

    [Fact]
    public void ReleaseAndAllocate_ReusedSlot_StartsFromZero()
    {
        var spec = new RecurrentModelSpec(RecurrentCellKind.Lstm, 1, 3, 1);
        using var backend = Create(spec, RecurrentTestData.RandomWeights(spec, seed: 9), 4);
        int[] slots = [backend.AllocateSeries(), backend.AllocateSeries()];
        var outputs = new float[2];
        backend.Step(slots, [1f, -1f], outputs);
        backend.ReleaseSeries(slots[0]);
        Assert.Equal(1, backend.ActiveSeries);
        Assert.Equal(slots[0], backend.AllocateSeries());
        float[] h = new float[3], c = new float[3];
        backend.ReadState(slots[0], h, c);
        Assert.All(h, v => Assert.Equal(0f, v));
        Assert.All(c, v => Assert.Equal(0f, v));
        backend.ReadState(slots[1], h, c);
        Assert.Contains(h, v => v != 0f);
        backend.ResetSeries(slots[1]);
        backend.ReadState(slots[1], h, c);
        Assert.All(h, v => Assert.Equal(0f, v));
    }

    [Fact]
    public void Step_BadArguments_ThrowsNamingTheProblem()
    {
        var spec = new RecurrentModelSpec(RecurrentCellKind.Lstm, 2, 3, 2);
        using var backend = Create(spec, RecurrentTestData.RandomWeights(spec, seed: 1), 4);
        var a = backend.AllocateSeries();
        var b = backend.AllocateSeries();
        var outputs = new float[4];
        var lengths = Assert.Throws<ArgumentException>(() => backend.Step([a, b], new float[3], outputs));
        Assert.Contains("needs 4 inputs", lengths.Message);
        var repeated = Assert.Throws<ArgumentException>(() => backend.Step([a, a], new float[4], outputs));
        Assert.Contains("repeats", repeated.Message);
        var unknown = Assert.Throws<ArgumentException>(() => backend.Step([a, 3], new float[4], outputs));
        Assert.Contains("not an allocated series", unknown.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => backend.Rollout([a], new float[0], 0, new float[0]));
        Assert.Throws<ArgumentException>(() => backend.ReleaseSeries(3));
        var wrongSpec = RecurrentTestData.RandomWeights(spec with { HiddenSize = 4 }, seed: 1);
        Assert.Throws<ArgumentException>(() => backend.LoadWeights(wrongSpec));
    }

    [Fact]
    public void LoadWeights_NewModel_ChangesOutputsAndKeepsState()
    {
        var spec = new RecurrentModelSpec(RecurrentCellKind.Gru, 2, 4, 3);
        var first = RecurrentTestData.RandomWeights(spec, seed: 30);
        var second = RecurrentTestData.RandomWeights(spec, seed: 31);
        using var backend = Create(spec, first, 2);
        using var reference = new ReferenceRecurrentInference(spec, first, 2);
        int[] slots = [backend.AllocateSeries()];
        reference.AllocateSeries();
        var outputs = new float[3];
        var expected = new float[3];
        backend.Step(slots, [0.5f, -0.25f], outputs);
        reference.Step(slots, [0.5f, -0.25f], expected);
        backend.LoadWeights(second);
        reference.LoadWeights(second);
        backend.Step(slots, [0.1f, 0.2f], outputs);
        reference.Step(slots, [0.1f, 0.2f], expected);
        Assert.True(RecurrentTestData.MaxAbsDifference(outputs, expected) <= Tolerance);
    }
}
