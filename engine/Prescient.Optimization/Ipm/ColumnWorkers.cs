namespace Prescient.Optimization.Ipm;

/// <summary>
/// A fixed team of threads for the interior-point column passes: the caller is worker 0 and
/// <c>Count - 1</c> background threads wait for work. <see cref="Run"/> runs one body on every worker and
/// returns when all have finished; it allocates nothing, so the planning cycle stays garbage-free.
/// </summary>
internal sealed class ColumnWorkers : IDisposable
{
    private readonly Thread[] _threads;
    private readonly SemaphoreSlim[] _start;
    private readonly ManualResetEventSlim _finished = new(false);
    private Action<int>? _body;
    private int _pending;
    private volatile bool _stopping;
    private Exception? _failure;

    public ColumnWorkers(int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        Count = count;
        _threads = new Thread[count - 1];
        _start = new SemaphoreSlim[count - 1];
        for (var w = 1; w < count; w++)
        {
            var index = w;
            _start[w - 1] = new SemaphoreSlim(0);
            _threads[w - 1] = new Thread(() => Loop(index)) { IsBackground = true, Name = "ipm-worker-" + w };
            _threads[w - 1].Start();
        }
    }

    public int Count { get; }

    /// <summary>Runs <paramref name="body"/>(worker) on all workers; rethrows the first failure.</summary>
    public void Run(Action<int> body)
    {
        if (Count == 1)
        {
            body(0);
            return;
        }

        _body = body;
        _failure = null;
        _finished.Reset();
        Volatile.Write(ref _pending, Count - 1);
        foreach (var s in _start)
        {
            s.Release();
        }

        body(0);
        _finished.Wait();
        if (_failure is { } failure)
        {
            throw new InvalidOperationException("interior-point worker failed", failure);
        }
    }

    public void Dispose()
    {
        _stopping = true;
        foreach (var s in _start)
        {
            s.Release();
        }

        foreach (var t in _threads)
        {
            t.Join();
        }

        foreach (var s in _start)
        {
            s.Dispose();
        }

        _finished.Dispose();
    }

    private void Loop(int index)
    {
        var start = _start[index - 1];
        while (true)
        {
            start.Wait();
            if (_stopping)
            {
                return;
            }

            try
            {
                _body!(index);
            }
            catch (Exception e)
            {
                _failure ??= e;
            }

            if (Interlocked.Decrement(ref _pending) == 0)
            {
                _finished.Set();
            }
        }
    }
}
