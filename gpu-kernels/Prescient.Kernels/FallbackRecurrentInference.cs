using System.Runtime.CompilerServices;

namespace Prescient.Kernels;

/// <summary>
/// Runs a device backend and, the first time it throws anything but an argument error, switches for good to a
/// CPU backend: same capacity and allocated slots, each slot's state copied from the device where the device can
/// still report it (zeroed, and said so in <see cref="SelectionReason"/>, where it cannot), the last weights
/// loaded; then the failed call is repeated on the CPU.
/// </summary>
internal sealed class FallbackRecurrentInference : IRecurrentInference
{
    private readonly Func<RecurrentWeights, int, RecurrentInferenceBase> _createFallback;
    private RecurrentInferenceBase _current;
    private RecurrentWeights _weights;
    private string? _fallbackReason;

    public FallbackRecurrentInference(
        RecurrentInferenceBase primary, RecurrentWeights weights, Func<RecurrentWeights, int, RecurrentInferenceBase> createFallback)
    {
        _current = primary;
        _weights = weights.Clone();
        _createFallback = createFallback;
    }

    public string BackendName => _current.BackendName;

    public string SelectionReason => _fallbackReason ?? _current.SelectionReason;

    public RecurrentModelSpec Spec => _current.Spec;

    public int Capacity => _current.Capacity;

    public int ActiveSeries => _current.ActiveSeries;

    /// <summary>Whether the device backend has failed and the CPU path runs.</summary>
    public bool HasFallenBack => _fallbackReason is not null;

    /// <summary>The backend running now.</summary>
    internal RecurrentInferenceBase Current => _current;

    public int AllocateSeries()
    {
        try
        {
            return _current.AllocateSeries();
        }
        catch (Exception ex) when (IsDeviceFault(ex))
        {
            FallBack(ex);
            return _current.AllocateSeries();
        }
    }

    public void ReleaseSeries(int slot) => _current.ReleaseSeries(slot);

    public void ResetSeries(int slot)
    {
        try
        {
            _current.ResetSeries(slot);
        }
        catch (Exception ex) when (IsDeviceFault(ex))
        {
            FallBack(ex);
            _current.ResetSeries(slot);
        }
    }

    public void LoadWeights(RecurrentWeights weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        weights.ValidateFor(Spec);
        try
        {
            _current.LoadWeights(weights);
        }
        catch (Exception ex) when (IsDeviceFault(ex))
        {
            FallBack(ex);
            _current.LoadWeights(weights);
        }

        _weights = weights.Clone();
    }

    public void Step(ReadOnlySpan<int> slots, ReadOnlySpan<float> inputs, Span<float> outputs)
    {
        try
        {
            _current.Step(slots, inputs, outputs);
        }
        catch (Exception ex) when (IsDeviceFault(ex))
        {
            FallBack(ex);
            _current.Step(slots, inputs, outputs);
        }
    }

    public void Rollout(ReadOnlySpan<int> slots, ReadOnlySpan<float> inputs, int steps, Span<float> outputs)
    {
        try
        {
            _current.Rollout(slots, inputs, steps, outputs);
        }
        catch (Exception ex) when (IsDeviceFault(ex))
        {
            FallBack(ex);
            _current.Rollout(slots, inputs, steps, outputs);
        }
    }

    public void ReadState(int slot, Span<float> h, Span<float> c)
    {
        try
        {
            _current.ReadState(slot, h, c);
        }
        catch (Exception ex) when (IsDeviceFault(ex))
        {
            FallBack(ex);
            _current.ReadState(slot, h, c);
        }
    }

    public void Dispose() => _current.Dispose();

    // Argument errors are the caller's; a disposed object stays disposed. Anything else from a device backend is
    // treated as the device failing.
    private bool IsDeviceFault(Exception ex) =>
        !HasFallenBack && ex is not (ArgumentException or ObjectDisposedException);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void FallBack(Exception fault)
    {
        var failed = _current;
        var cpu = _createFallback(_weights, failed.Capacity);
        cpu.AdoptSlots(failed);
        var hidden = Spec.HiddenSize;
        var h = new float[hidden];
        var c = new float[hidden];
        var lost = 0;
        for (var s = 0; s < failed.Capacity; s++)
        {
            if (!failed.IsAllocated(s))
            {
                continue;
            }

            try
            {
                failed.ReadState(s, h, c);
                cpu.WriteState(s, h, c);
            }
            catch (Exception ex) when (ex is not ArgumentException)
            {
                lost++;
            }
        }

        _fallbackReason = $"{failed.BackendName} failed ({fault.GetType().Name}: {fault.Message}); running on {cpu.BackendName}"
            + (lost > 0 ? $", state of {lost} series lost and reset to zero" : ", state copied from the device");
        _current = cpu;
        try
        {
            failed.Dispose();
        }
        catch (Exception ex) when (ex is not ArgumentException)
        {
            // A broken device may also fail to release its buffers; the CPU path no longer depends on it.
            _fallbackReason += $"; releasing {failed.BackendName} also failed ({ex.GetType().Name})";
        }
    }
}
