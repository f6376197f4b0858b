using System.Runtime.CompilerServices;
using Prescient.Kernels.Cpu;

namespace Prescient.Kernels;

/// <summary>
/// Shared slot bookkeeping and argument checks for the backends in this assembly; every check runs before
/// the backend touches state, so a rejected call changes nothing.
/// </summary>
public abstract class RecurrentInferenceBase : IRecurrentInference
{
    private readonly SeriesSlotTable _slots;
    private bool _disposed;

    private protected RecurrentInferenceBase(RecurrentModelSpec spec, int initialCapacity)
    {
        ArgumentNullException.ThrowIfNull(spec);
        spec.Validate();
        if (initialCapacity < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(initialCapacity), initialCapacity, "Initial capacity must be at least 1 series.");
        }

        Spec = spec;
        _slots = new SeriesSlotTable(initialCapacity);
    }

    /// <inheritdoc />
    public abstract string BackendName { get; }

    /// <inheritdoc />
    public virtual string SelectionReason { get; internal set; } = string.Empty;

    /// <inheritdoc />
    public RecurrentModelSpec Spec { get; }

    /// <inheritdoc />
    public int Capacity => _slots.Capacity;

    /// <inheritdoc />
    public int ActiveSeries => _slots.ActiveCount;

    /// <summary>Whether <paramref name="slot"/> is allocated.</summary>
    public bool IsAllocated(int slot) => _slots.IsActive(slot);

    /// <inheritdoc />
    public int AllocateSeries()
    {
        ThrowIfDisposed();
        if (!_slots.HasFree)
        {
            var old = _slots.Capacity;
            var grown = old >= int.MaxValue / 2 ? int.MaxValue : old * 2;
            if (grown == old)
            {
                throw new InvalidOperationException($"Cannot grow beyond {old} series.");
            }

            GrowCore(old, grown);
            _slots.Grow(grown);
        }

        var slot = _slots.Take();
        ResetCore(slot);
        return slot;
    }

    /// <inheritdoc />
    public void ReleaseSeries(int slot)
    {
        ThrowIfDisposed();
        CheckSlot(slot);
        _slots.Release(slot);
    }

    /// <inheritdoc />
    public void ResetSeries(int slot)
    {
        ThrowIfDisposed();
        CheckSlot(slot);
        ResetCore(slot);
    }

    /// <inheritdoc />
    public void LoadWeights(RecurrentWeights weights)
    {
        ThrowIfDisposed();
        ArgumentNullException.ThrowIfNull(weights);
        weights.ValidateFor(Spec);
        LoadWeightsCore(weights);
    }

    /// <inheritdoc />
    public void Step(ReadOnlySpan<int> slots, ReadOnlySpan<float> inputs, Span<float> outputs)
    {
        ThrowIfDisposed();
        CheckBatch(slots, inputs, 1, outputs);
        if (slots.Length > 0)
        {
            RolloutCore(slots, inputs, 1, outputs);
        }
    }

    /// <inheritdoc />
    public void Rollout(ReadOnlySpan<int> slots, ReadOnlySpan<float> inputs, int steps, Span<float> outputs)
    {
        ThrowIfDisposed();
        if (steps < 1)
        {
            ThrowSteps(steps);
        }

        CheckBatch(slots, inputs, steps, outputs);
        if (slots.Length > 0)
        {
            RolloutCore(slots, inputs, steps, outputs);
        }
    }

    /// <inheritdoc />
    public void ReadState(int slot, Span<float> h, Span<float> c)
    {
        ThrowIfDisposed();
        CheckSlot(slot);
        CheckStateSpans(h.Length, c.Length);
        ReadStateCore(slot, h[..Spec.HiddenSize], Spec.Cell == RecurrentCellKind.Lstm ? c[..Spec.HiddenSize] : default);
    }

    /// <summary>Overwrites the state of an allocated slot (persistence, and the GPU→CPU fallback).</summary>
    public void WriteState(int slot, ReadOnlySpan<float> h, ReadOnlySpan<float> c)
    {
        ThrowIfDisposed();
        CheckSlot(slot);
        CheckStateSpans(h.Length, c.Length);
        WriteStateCore(slot, h[..Spec.HiddenSize], Spec.Cell == RecurrentCellKind.Lstm ? c[..Spec.HiddenSize] : default);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Makes the slot table match <paramref name="source"/> (capacity and allocated slots); state is zero.</summary>
    internal void AdoptSlots(RecurrentInferenceBase source)
    {
        if (ActiveSeries != 0)
        {
            throw new InvalidOperationException("Slots can only be adopted by an empty backend.");
        }

        if (source.Capacity > Capacity)
        {
            GrowCore(Capacity, source.Capacity);
            _slots.Grow(source.Capacity);
        }

        for (var s = 0; s < source.Capacity; s++)
        {
            if (source.IsAllocated(s))
            {
                _slots.TakeSpecific(s);
                ResetCore(s);
            }
        }
    }

    /// <summary>Storage for slots [oldCapacity, newCapacity) with existing state kept.</summary>
    private protected abstract void GrowCore(int oldCapacity, int newCapacity);

    private protected abstract void ResetCore(int slot);

    private protected abstract void LoadWeightsCore(RecurrentWeights weights);

    /// <summary>Arguments are checked; slots is non-empty, distinct and allocated.</summary>
    private protected abstract void RolloutCore(ReadOnlySpan<int> slots, ReadOnlySpan<float> inputs, int steps, Span<float> outputs);

    private protected abstract void ReadStateCore(int slot, Span<float> h, Span<float> c);

    private protected abstract void WriteStateCore(int slot, ReadOnlySpan<float> h, ReadOnlySpan<float> c);

    /// <summary>Releases backend resources; called once.</summary>
    protected virtual void Dispose(bool disposing)
    {
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    private void CheckSlot(int slot)
    {
        if (!_slots.IsActive(slot))
        {
            ThrowSlot(slot, Capacity);
        }
    }

    private void CheckStateSpans(int hLength, int cLength)
    {
        var hidden = Spec.HiddenSize;
        if (hLength < hidden || (Spec.Cell == RecurrentCellKind.Lstm && cLength < hidden))
        {
            ThrowStateSpans(hLength, cLength, hidden, Spec.Cell);
        }
    }

    private void CheckBatch(ReadOnlySpan<int> slots, ReadOnlySpan<float> inputs, int steps, Span<float> outputs)
    {
        var n = slots.Length;
        if ((long)inputs.Length != (long)steps * n * Spec.InputSize || (long)outputs.Length != (long)steps * n * Spec.OutputSize)
        {
            ThrowBatchLengths(n, steps, inputs.Length, outputs.Length, Spec);
        }

        var bad = _slots.FindInvalid(slots, out var repeated);
        if (bad >= 0)
        {
            ThrowBadSlot(bad, slots[bad], repeated);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowSlot(int slot, int capacity) =>
        throw new ArgumentException($"Slot {slot} is not an allocated series (capacity {capacity}).", "slot");

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowSteps(int steps) =>
        throw new ArgumentOutOfRangeException(nameof(steps), steps, "A rollout needs at least 1 step.");

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowStateSpans(int hLength, int cLength, int hidden, RecurrentCellKind cell) =>
        throw new ArgumentException(
            $"State spans have h {hLength} and c {cLength} values; {cell} with H = {hidden} needs h ≥ {hidden}"
            + (cell == RecurrentCellKind.Lstm ? $" and c ≥ {hidden}." : "."));

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowBatchLengths(int n, int steps, int inputs, int outputs, RecurrentModelSpec spec) =>
        throw new ArgumentException(
            $"Batch of {n} series × {steps} step(s) needs {(long)steps * n * spec.InputSize} inputs (F = {spec.InputSize}) "
            + $"and {(long)steps * n * spec.OutputSize} outputs (O = {spec.OutputSize}); got {inputs} and {outputs}.");

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowBadSlot(int index, int slot, bool repeated) =>
        throw new ArgumentException(repeated
            ? $"slots[{index}] = {slot} repeats a slot earlier in the batch; each series may step once per call."
            : $"slots[{index}] = {slot} is not an allocated series.", "slots");
}
