using System.Runtime.ExceptionServices;

namespace Prescient.Kernels.Cpu;

/// <summary>Work split into numbered chunks; <see cref="Execute"/> runs on the caller and on pool threads at once.</summary>
internal interface IChunkedWork
{
    void Execute(int chunk);
}

/// <summary>
/// A persistent set of worker threads that run one <see cref="IChunkedWork"/> at a time with the calling thread
/// taking part. Unlike Parallel.For it allocates nothing per run (no closures, tasks or partitioners), which is
/// what keeps batch inference at 0 bytes per step. One run at a time (the owner is single-caller).
/// </summary>
internal sealed class ParallelWorkerPool : IDisposable
{
    private readonly Thread[] _threads;
    // Plain Monitor waits on preallocated objects: ManualResetEventSlim and SemaphoreSlim create their lock
    // objects lazily the first time they block, which shows up as a stray allocation in a steady-state call.
    private readonly object _startGate = new();
    private readonly object _doneGate = new();
    private long _generation;
    private IChunkedWork? _work;
    private int _chunkCount;
    private int _nextChunk;
    private int _running;
    private volatile bool _stopping;
    private ExceptionDispatchInfo? _failure;

    public ParallelWorkerPool(int workerThreads)
    {
        _threads = new Thread[Math.Max(0, workerThreads)];
        for (var i = 0; i < _threads.Length; i++)
        {
            _threads[i] = new Thread(WorkerLoop) { IsBackground = true, Name = $"prescient-kernels-{i}" };
            _threads[i].Start();
        }
    }

    /// <summary>Threads that run work, the caller included.</summary>
    public int Parallelism => _threads.Length + 1;

    public void Run(IChunkedWork work, int chunkCount)
    {
        if (_threads.Length == 0 || chunkCount <= 1)
        {
            for (var c = 0; c < chunkCount; c++)
            {
                work.Execute(c);
            }

            return;
        }

        _work = work;
        _chunkCount = chunkCount;
        _nextChunk = 0;
        _failure = null;
        Volatile.Write(ref _running, _threads.Length);
        lock (_startGate)
        {
            _generation++;
            Monitor.PulseAll(_startGate);
        }

        Drain();
        var spin = new SpinWait();
        while (Volatile.Read(ref _running) != 0 && !spin.NextSpinWillYield)
        {
            spin.SpinOnce();
        }

        lock (_doneGate)
        {
            while (Volatile.Read(ref _running) != 0)
            {
                Monitor.Wait(_doneGate);
            }
        }

        _work = null;
        _failure?.Throw();
    }

    public void Dispose()
    {
        lock (_startGate)
        {
            _stopping = true;
            Monitor.PulseAll(_startGate);
        }

        foreach (var t in _threads)
        {
            t.Join();
        }
    }

    private void Drain()
    {
        var work = _work!;
        try
        {
            int chunk;
            while ((chunk = Interlocked.Increment(ref _nextChunk) - 1) < _chunkCount)
            {
                work.Execute(chunk);
            }
        }
        catch (Exception ex)
        {
            // Stop handing out chunks; the caller rethrows the first failure after every worker has checked in.
            Interlocked.Exchange(ref _nextChunk, _chunkCount);
            Interlocked.CompareExchange(ref _failure, ExceptionDispatchInfo.Capture(ex), null);
        }
    }

    private void WorkerLoop()
    {
        long seen = 0;
        while (true)
        {
            lock (_startGate)
            {
                while (_generation == seen && !_stopping)
                {
                    Monitor.Wait(_startGate);
                }

                if (_stopping)
                {
                    return;
                }

                seen = _generation;
            }

            Drain();
            if (Interlocked.Decrement(ref _running) == 0)
            {
                lock (_doneGate)
                {
                    Monitor.PulseAll(_doneGate);
                }
            }
        }
    }
}
