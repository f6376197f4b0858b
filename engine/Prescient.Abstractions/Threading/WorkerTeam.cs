namespace Prescient.Abstractions.Threading;

/// <summary>
/// A fixed team of threads for data-parallel passes (the interior-point column passes, the forecasters' step over
/// many series): the caller is worker 0 and <c>Count - 1</c> background threads wait for work. <see cref="Run"/>
/// runs one body on every worker and returns when all have finished; it allocates nothing, so the planning cycle
/// stays garbage-free. One caller at a time.
/// </summary>
public sealed class WorkerTeam : IDisposable
{
    private readonly Thread[] _threads;
    private readonly SemaphoreSlim[] _start;
    private readonly ManualResetEventSlim _finished = new(false);
    private Action<int>? _body;
    private int _pending;
    private volatile bool _stopping;
    private readonly string _name;
    private Exception? _failure;

    /// <summary>Starts <paramref name="count"/> − 1 background threads named <paramref name="name"/>-1, -2, ….</summary>
    public WorkerTeam(int count, string name)
    {
        _name = name;
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        Count = count;
        _threads = new Thread[count - 1];
        _start = new SemaphoreSlim[count - 1];
        for (var w = 1; w < count; w++)
        {
            var index = w;
            _start[w - 1] = new SemaphoreSlim(0);
            _threads[w - 1] = new Thread(() => Loop(index)) { IsBackground = true, Name = name + "-" + w };
            _threads[w - 1].Start();
        }
    }

    /// <summary>Workers, the caller included.</summary>
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
            throw new InvalidOperationException($"{_name} worker failed", failure);
        }
    }

    /// <summary>Stops and joins the background threads.</summary>
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
