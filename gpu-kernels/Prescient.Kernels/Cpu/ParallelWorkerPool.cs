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
/// <remarks>
/// Chunks are claimed, not assigned: the caller claims chunks too, and once its own chunk has drained the shared
/// work it closes the run and waits only for chunks already claimed. A worker that the OS wakes late (common on a
/// loaded machine) finds the run closed and goes back to sleep instead of holding the caller up. Claims and the
/// close are one 64-bit word (run number in the high half, claimed count and a closed flag in the low half), so a
/// late worker can never claim a chunk of a run that has ended.
/// </remarks>
internal sealed class ParallelWorkerPool : IDisposable
{
    private const long ClosedFlag = 1L << 31;
    private const long CountMask = ClosedFlag - 1;

    private readonly Thread[] _threads;

    // Plain Monitor waits on preallocated objects: ManualResetEventSlim and SemaphoreSlim create their lock
    // objects lazily the first time they block, which shows up as a stray allocation in a steady-state call.
    private readonly object _startGate = new();
    private readonly object _doneGate = new();
    private long _generation;
    private long _claims;
    private int _finished;
    private IChunkedWork? _work;
    private int _chunkCount;
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

    /// <summary>
    /// Runs chunks 0..chunkCount-1, each exactly once unless the work drains early: a chunk that is never claimed
    /// is skipped, so chunks must share one pool of work (each <see cref="IChunkedWork.Execute"/> takes items until
    /// none are left) rather than own fixed parts of it.
    /// </summary>
    public void Run(IChunkedWork work, int chunkCount)
    {
        if (_threads.Length == 0 || chunkCount <= 1)
        {
            if (chunkCount >= 1)
            {
                work.Execute(0);
            }

            return;
        }

        _work = work;
        _chunkCount = chunkCount;
        _finished = 0;
        _failure = null;
        long generation;
        lock (_startGate)
        {
            generation = ++_generation;
            Volatile.Write(ref _claims, generation << 32);
            Monitor.PulseAll(_startGate);
        }

        while (TryClaim(generation, out var chunk))
        {
            RunChunk(work, chunk);
            Interlocked.Increment(ref _finished);
        }

        var claimed = Close(generation);
        var spin = new SpinWait();
        while (Volatile.Read(ref _finished) != claimed && !spin.NextSpinWillYield)
        {
            spin.SpinOnce();
        }

        lock (_doneGate)
        {
            while (Volatile.Read(ref _finished) != claimed)
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

    private bool TryClaim(long generation, out int chunk)
    {
        while (true)
        {
            var state = Volatile.Read(ref _claims);
            var count = (int)(state & CountMask);
            if ((state >> 32) != generation || (state & ClosedFlag) != 0 || count >= _chunkCount)
            {
                chunk = -1;
                return false;
            }

            if (Interlocked.CompareExchange(ref _claims, state + 1, state) == state)
            {
                chunk = count;
                return true;
            }
        }
    }

    /// <summary>Stops further claims for this run and returns how many chunks were claimed.</summary>
    private int Close(long generation)
    {
        while (true)
        {
            var state = Volatile.Read(ref _claims);
            if (Interlocked.CompareExchange(ref _claims, state | ClosedFlag, state) == state)
            {
                return (int)(state & CountMask);
            }
        }
    }

    private void RunChunk(IChunkedWork work, int chunk)
    {
        try
        {
            work.Execute(chunk);
        }
        catch (Exception ex)
        {
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

            // The work object is read only after a successful claim: a claim proves the run is still open, and
            // the caller does not return (or change _work) until every claimed chunk has finished.
            while (TryClaim(seen, out var chunk))
            {
                RunChunk(_work!, chunk);
                if (Interlocked.Increment(ref _finished) == (int)(Volatile.Read(ref _claims) & CountMask)
                    && (Volatile.Read(ref _claims) & ClosedFlag) != 0)
                {
                    lock (_doneGate)
                    {
                        Monitor.PulseAll(_doneGate);
                    }
                }
            }
        }
    }
}
