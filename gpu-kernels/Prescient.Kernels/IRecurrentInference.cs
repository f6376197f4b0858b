namespace Prescient.Kernels;

/// <summary>
/// Batched inference of one recurrent model over many independent series whose state stays resident in the
/// backend between calls (on the GPU for device backends). A series lives in a slot from
/// <see cref="AllocateSeries"/> until <see cref="ReleaseSeries"/>.
/// </summary>
/// <remarks>
/// Not thread-safe: one caller at a time (backends parallelise internally). Steady-state <see cref="Step"/> and
/// <see cref="Rollout"/> allocate no managed memory. Argument errors (wrong span lengths, unknown or repeated
/// slots) throw <see cref="ArgumentException"/> before any state changes. Device errors inside a GPU backend
/// created by <see cref="RecurrentInferenceFactory"/> switch it to the CPU path, visible in
/// <see cref="BackendName"/> and <see cref="SelectionReason"/>.
/// </remarks>
public interface IRecurrentInference : IDisposable
{
    /// <summary>"cpu-simd", "cuda", "opencl" or "reference" (kebab-case, for config, metrics and logs).</summary>
    string BackendName { get; }

    /// <summary>Why this backend runs (probe result, configuration, or the device error that forced a fallback).</summary>
    string SelectionReason { get; }

    /// <summary>The model shape.</summary>
    RecurrentModelSpec Spec { get; }

    /// <summary>Slots that exist; grows geometrically on demand.</summary>
    int Capacity { get; }

    /// <summary>Slots allocated and not released.</summary>
    int ActiveSeries { get; }

    /// <summary>
    /// Returns a free slot with zero state (the lowest free one), growing <see cref="Capacity"/> when none is
    /// free; growth keeps the state of existing slots. Not allocation-free when it grows.
    /// </summary>
    int AllocateSeries();

    /// <summary>Frees <paramref name="slot"/> for reuse. Throws <see cref="ArgumentException"/> if it is not allocated.</summary>
    void ReleaseSeries(int slot);

    /// <summary>Zeroes the state of an allocated slot (h, and c for LSTM).</summary>
    void ResetSeries(int slot);

    /// <summary>
    /// Replaces the model parameters (copied, so the caller may reuse <paramref name="weights"/>). State is kept.
    /// Throws <see cref="ArgumentException"/> when the weights do not fit <see cref="Spec"/> or are not finite.
    /// </summary>
    void LoadWeights(RecurrentWeights weights);

    /// <summary>
    /// Advances each slot in <paramref name="slots"/> (distinct, allocated) by one step.
    /// <paramref name="inputs"/> is slots.Length × F row-major; <paramref name="outputs"/> receives
    /// slots.Length × O row-major head outputs computed from the new h.
    /// </summary>
    void Step(ReadOnlySpan<int> slots, ReadOnlySpan<float> inputs, Span<float> outputs);

    /// <summary>
    /// <paramref name="steps"/> fused <see cref="Step"/> calls: <paramref name="inputs"/> is
    /// steps × slots.Length × F and <paramref name="outputs"/> steps × slots.Length × O, both row-major with the
    /// step outermost. State stays in the backend; only inputs and outputs cross the bus.
    /// </summary>
    void Rollout(ReadOnlySpan<int> slots, ReadOnlySpan<float> inputs, int steps, Span<float> outputs);

    /// <summary>
    /// Copies the state of an allocated slot: <paramref name="h"/> needs H values, <paramref name="c"/> H values for
    /// LSTM (ignored for GRU, may be empty). For tests and persistence; may synchronise with a device.
    /// </summary>
    void ReadState(int slot, Span<float> h, Span<float> c);
}
