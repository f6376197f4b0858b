namespace Prescient.Kernels.Cpu;

/// <summary>
/// Dense slot bookkeeping shared by every backend: which slots are allocated, which are free (lowest first),
/// and a per-call stamp that finds repeated slots in a batch in O(n) without allocating.
/// </summary>
internal sealed class SeriesSlotTable
{
    private bool[] _active;
    private int[] _stamp;
    private int _currentStamp;

    // Min-heap of free slots, so allocation returns the lowest free slot and stays deterministic.
    private int[] _freeHeap;
    private int _freeCount;

    public SeriesSlotTable(int capacity)
    {
        _active = new bool[capacity];
        _stamp = new int[capacity];
        _freeHeap = new int[capacity];
        for (var i = 0; i < capacity; i++)
        {
            _freeHeap[i] = i;
        }

        _freeCount = capacity;
    }

    public int Capacity => _active.Length;

    public int ActiveCount { get; private set; }

    public bool HasFree => _freeCount > 0;

    public bool IsActive(int slot) => (uint)slot < (uint)_active.Length && _active[slot];

    /// <summary>Adds slots [Capacity, newCapacity) as free.</summary>
    public void Grow(int newCapacity)
    {
        var old = _active.Length;
        Array.Resize(ref _active, newCapacity);
        Array.Resize(ref _stamp, newCapacity);
        Array.Resize(ref _freeHeap, newCapacity);
        for (var s = old; s < newCapacity; s++)
        {
            Push(s);
        }
    }

    public int Take()
    {
        var slot = _freeHeap[0];
        _freeCount--;
        if (_freeCount > 0)
        {
            _freeHeap[0] = _freeHeap[_freeCount];
            SiftDown(0);
        }

        _active[slot] = true;
        ActiveCount++;
        return slot;
    }

    public void Release(int slot)
    {
        _active[slot] = false;
        ActiveCount--;
        Push(slot);
    }

    /// <summary>Marks <paramref name="slot"/> allocated when restoring a table; the slot must be free.</summary>
    public void TakeSpecific(int slot)
    {
        var index = Array.IndexOf(_freeHeap, slot, 0, _freeCount);
        if (index < 0)
        {
            throw new InvalidOperationException($"Slot {slot} is not free.");
        }

        _freeCount--;
        if (index < _freeCount)
        {
            _freeHeap[index] = _freeHeap[_freeCount];
            SiftDown(index);
            SiftUp(index);
        }

        _active[slot] = true;
        ActiveCount++;
    }

    /// <summary>Returns the first index of <paramref name="slots"/> that is not allocated or repeats an earlier one, or -1.</summary>
    public int FindInvalid(ReadOnlySpan<int> slots, out bool repeated)
    {
        repeated = false;
        if (++_currentStamp == int.MaxValue)
        {
            Array.Clear(_stamp);
            _currentStamp = 1;
        }

        var stamp = _currentStamp;
        for (var i = 0; i < slots.Length; i++)
        {
            var s = slots[i];
            if ((uint)s >= (uint)_active.Length || !_active[s])
            {
                return i;
            }

            if (_stamp[s] == stamp)
            {
                repeated = true;
                return i;
            }

            _stamp[s] = stamp;
        }

        return -1;
    }

    private void Push(int slot)
    {
        _freeHeap[_freeCount] = slot;
        SiftUp(_freeCount);
        _freeCount++;
    }

    private void SiftUp(int i)
    {
        while (i > 0)
        {
            var parent = (i - 1) >> 1;
            if (_freeHeap[parent] <= _freeHeap[i])
            {
                break;
            }

            (_freeHeap[parent], _freeHeap[i]) = (_freeHeap[i], _freeHeap[parent]);
            i = parent;
        }
    }

    private void SiftDown(int i)
    {
        while (true)
        {
            var left = (2 * i) + 1;
            if (left >= _freeCount)
            {
                return;
            }

            var smallest = left + 1 < _freeCount && _freeHeap[left + 1] < _freeHeap[left] ? left + 1 : left;
            if (_freeHeap[i] <= _freeHeap[smallest])
            {
                return;
            }

            (_freeHeap[smallest], _freeHeap[i]) = (_freeHeap[i], _freeHeap[smallest]);
            i = smallest;
        }
    }
}
