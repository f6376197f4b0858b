using Prescient.Kernels;

namespace Prescient.Kernels.Tests;

public sealed class CpuRecurrentInferenceTests : RecurrentInferenceConformanceTests
{
    public static TheoryData<RecurrentCellKind, int> Cells => new()
    {
        { RecurrentCellKind.Lstm, 32 },
        { RecurrentCellKind.Gru, 32 },
        { RecurrentCellKind.Lstm, 20 },
        { RecurrentCellKind.Gru, 64 },
    };

    [Theory]
    [MemberData(nameof(Cells))]
    public void Rollout_ManySeriesOnThreeThreads_MatchesReference(RecurrentCellKind cell, int hiddenSize)
    {
        var spec = new RecurrentModelSpec(cell, 8, hiddenSize, 12);
        var weights = RecurrentTestData.RandomWeights(spec, seed: 42, scale: 0.3f);
        const int series = 301, steps = 3;
        using var cpu = new CpuRecurrentInference(spec, weights, 64, maxThreads: 3);
        using var reference = new ReferenceRecurrentInference(spec, weights, 64);
        var slots = new int[series];
        for (var i = 0; i < series; i++)
        {
            slots[i] = cpu.AllocateSeries();
            reference.AllocateSeries();
        }

        // Reverse order: the batch's slot order is independent of storage order.
        Array.Reverse(slots);
        var inputs = RecurrentTestData.RandomInputs(steps * series * 8, seed: 7);
        var outputs = new float[steps * series * 12];
        var expected = new float[steps * series * 12];
        cpu.Rollout(slots, inputs, steps, outputs);
        reference.Rollout(slots, inputs, steps, expected);
        Assert.True(RecurrentTestData.MaxAbsDifference(outputs, expected) <= 1e-5f);
        Assert.True(RecurrentTestData.MaxStateDifference(cpu, reference, slots, slots) <= 1e-5f);
    }

    [Fact]
    public void Step_SaturatedGates_StaysFiniteAndMatchesReference()
    {
        var spec = new RecurrentModelSpec(RecurrentCellKind.Lstm, 4, 16, 2);
        var weights = RecurrentTestData.RandomWeights(spec, seed: 3, scale: 40f);
        using var cpu = new CpuRecurrentInference(spec, weights, 8, maxThreads: 1);
        using var reference = new ReferenceRecurrentInference(spec, weights, 8);
        int[] slots = [cpu.AllocateSeries(), cpu.AllocateSeries()];
        reference.AllocateSeries();
        reference.AllocateSeries();
        var inputs = RecurrentTestData.RandomInputs(8, seed: 2, scale: 50f);
        var outputs = new float[4];
        var expected = new float[4];
        for (var i = 0; i < 3; i++)
        {
            cpu.Step(slots, inputs, outputs);
            reference.Step(slots, inputs, expected);
        }

        Assert.All(outputs, v => Assert.True(float.IsFinite(v)));
        Assert.True(RecurrentTestData.MaxStateDifference(cpu, reference, slots, slots) <= 1e-5f);
    }

    protected override IRecurrentInference Create(RecurrentModelSpec spec, RecurrentWeights weights, int initialCapacity) =>
        new CpuRecurrentInference(spec, weights, initialCapacity, maxThreads: 2);
}
