using Prescient.Kernels;

namespace Prescient.Kernels.Tests;

public sealed class FallbackRecurrentInferenceTests
{
    [Fact]
    public void Step_DeviceFaultAfterTwoSteps_MovesStateToCpuAndMatchesReference()
    {
        var spec = new RecurrentModelSpec(RecurrentCellKind.Lstm, 3, 8, 2);
        var weights = RecurrentTestData.RandomWeights(spec, seed: 17);
        var primary = new FaultingInference(spec, weights, failAfterCalls: 2);
        using var fallback = new FallbackRecurrentInference(primary, weights, (w, capacity) => new CpuRecurrentInference(w.Spec, w, capacity, maxThreads: 1));
        using var reference = new ReferenceRecurrentInference(spec, weights, 4);
        int[] slots = [fallback.AllocateSeries(), fallback.AllocateSeries(), fallback.AllocateSeries()];
        fallback.ReleaseSeries(slots[1]);
        int[] live = [slots[0], slots[2]];
        for (var i = 0; i < 3; i++)
        {
            reference.AllocateSeries();
        }

        reference.ReleaseSeries(slots[1]);
        var outputs = new float[4];
        var expected = new float[4];
        for (var step = 0; step < 4; step++)
        {
            var inputs = RecurrentTestData.RandomInputs(6, seed: step);
            fallback.Step(live, inputs, outputs);
            reference.Step(live, inputs, expected);
            Assert.True(RecurrentTestData.MaxAbsDifference(outputs, expected) <= 1e-5f, $"step {step}");
        }

        Assert.True(fallback.HasFallenBack);
        Assert.Equal("cpu-simd", fallback.BackendName);
        Assert.Contains("state copied", fallback.SelectionReason);
        Assert.True(primary.Disposed);
        Assert.Equal(2, fallback.ActiveSeries);
        Assert.Equal(slots[1], fallback.AllocateSeries());
    }

    [Fact]
    public void Step_ArgumentError_DoesNotFallBack()
    {
        var spec = new RecurrentModelSpec(RecurrentCellKind.Gru, 2, 4, 1);
        var weights = RecurrentTestData.RandomWeights(spec, seed: 1);
        using var fallback = new FallbackRecurrentInference(
            new FaultingInference(spec, weights, failAfterCalls: 100), weights, (w, c) => new CpuRecurrentInference(w.Spec, w, c, maxThreads: 1));
        var slot = fallback.AllocateSeries();
        Assert.Throws<ArgumentException>(() => fallback.Step([slot], new float[1], new float[1]));
        Assert.False(fallback.HasFallenBack);
        Assert.Equal("faulting", fallback.BackendName);
    }

    /// <summary>The reference backend that throws like a lost device after a number of successful calls.</summary>
    private sealed class FaultingInference(RecurrentModelSpec spec, RecurrentWeights weights, int failAfterCalls)
        : RecurrentInferenceBase(spec, 2)
    {
        private readonly ReferenceRecurrentInference _inner = new(spec, weights, 2);
        private int _calls;

        public bool Disposed { get; private set; }

        public override string BackendName => "faulting";

        private protected override void GrowCore(int oldCapacity, int newCapacity)
        {
            while (_inner.Capacity < newCapacity)
            {
                _inner.AllocateSeries();
            }

            for (var s = 0; s < newCapacity; s++)
            {
                if (_inner.IsAllocated(s) && (s >= oldCapacity || !IsAllocated(s)))
                {
                    _inner.ReleaseSeries(s);
                }
            }
        }

        private protected override void ResetCore(int slot)
        {
            if (!_inner.IsAllocated(slot))
            {
                while (_inner.AllocateSeries() != slot)
                {
                }
            }

            _inner.ResetSeries(slot);
        }

        private protected override void LoadWeightsCore(RecurrentWeights w) => _inner.LoadWeights(w);

        private protected override void RolloutCore(ReadOnlySpan<int> slots, ReadOnlySpan<float> inputs, int steps, Span<float> outputs)
        {
            if (++_calls > failAfterCalls)
            {
                throw new InvalidOperationException("simulated device loss");
            }

            _inner.Rollout(slots, inputs, steps, outputs);
        }

        private protected override void ReadStateCore(int slot, Span<float> h, Span<float> c) => _inner.ReadState(slot, h, c);

        private protected override void WriteStateCore(int slot, ReadOnlySpan<float> h, ReadOnlySpan<float> c) => _inner.WriteState(slot, h, c);

        protected override void Dispose(bool disposing)
        {
            Disposed = true;
            _inner.Dispose();
        }
    }
}
