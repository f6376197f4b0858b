namespace Prescient.Abstractions.Threading;

/// <summary>
/// Runs the chunks of a data-parallel loop on the calling thread and on up to <see cref="Helpers"/> thread-pool
/// threads, handing chunks out one at a time: a helper that the pool starts late finds the work done and leaves,
/// so the caller never waits for a thread that has not started (it only waits for chunks already taken). Each
/// participant has a lane of its own for scratch: 0 is the caller, 1..Helpers the helpers. Nothing is allocated per
/// run (the helpers are work items queued again each run) and no thread is kept: nothing to dispose. One run at a
/// time.
/// </summary>
public sealed class ChunkRunner
{
    private const long ChunkMask = 0xFFFF_FFFF;

    private readonly Helper[] _helpers;
    private readonly object _gate = new();
    private Action<int, int>? _body;
    private long _state; // the run's generation in the high 32 bits, the next chunk to hand out in the low 32
    private int _chunks;
    private int _remaining;
    private Exception? _failure;

    /// <summary>Creates a runner with up to <paramref name="helpers"/> pool threads besides the caller.</summary>
    public ChunkRunner(int helpers)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(helpers);
        _helpers = new Helper[helpers];
        for (var i = 0; i < helpers; i++)
        {
            _helpers[i] = new Helper(this, i + 1);
        }
    }

    /// <summary>Pool threads that may join a run (lanes 1..Helpers).</summary>
    public int Helpers => _helpers.Length;

    /// <summary>
    /// Runs <paramref name="body"/>(lane, chunk) for every chunk in [0, <paramref name="chunks"/>), each exactly once,
    /// and returns when all have run; rethrows the first failure (wrapped) after every taken chunk has finished.
    /// </summary>
    public void Run(int chunks, Action<int, int> body)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(chunks);
        if (chunks == 0)
        {
            return;
        }

        _body = body;
        _failure = null;
        Volatile.Write(ref _chunks, chunks);
        Volatile.Write(ref _remaining, chunks);
        var generation = (Volatile.Read(ref _state) >> 32) + 1;
        Interlocked.Exchange(ref _state, generation << 32);
        for (var i = 0; i < Math.Min(_helpers.Length, chunks - 1); i++)
        {
            _helpers[i].Wake();
        }

        Work(0, generation);
        if (Volatile.Read(ref _remaining) != 0)
        {
            var spin = default(SpinWait);
            while (Volatile.Read(ref _remaining) != 0 && !spin.NextSpinWillYield)
            {
                spin.SpinOnce();
            }

            lock (_gate)
            {
                while (Volatile.Read(ref _remaining) != 0)
                {
                    Monitor.Wait(_gate);
                }
            }
        }

        if (_failure is { } failure)
        {
            _failure = null;
            throw new InvalidOperationException("a chunk of a parallel run failed", failure);
        }
    }

    // Takes chunks of run `generation` until none is left (or a later run has begun: then this one is done).
    private void Work(int lane, long generation)
    {
        while (true)
        {
            var state = Volatile.Read(ref _state);
            var next = (int)(state & ChunkMask);
            // A later run's chunk count read here fails the exchange below, since that run changed the state.
            if (state >> 32 != generation || next >= Volatile.Read(ref _chunks))
            {
                return;
            }

            if (Interlocked.CompareExchange(ref _state, state + 1, state) != state)
            {
                continue;
            }

            try
            {
                _body!(lane, next);
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref _failure, e, null);
            }

            if (Interlocked.Decrement(ref _remaining) == 0)
            {
                lock (_gate)
                {
                    Monitor.PulseAll(_gate);
                }
            }
        }
    }

    // Whether the current run still has chunks to hand out.
    private bool HasWork(long state) => (int)(state & ChunkMask) < Volatile.Read(ref _chunks);

    /// <summary>A pool work item for one lane: queued at most once at a time, so its lane has one thread.</summary>
    private sealed class Helper(ChunkRunner runner, int lane) : IThreadPoolWorkItem
    {
        private int _queued; // 1 from being queued until it has left (queued or running)

        public void Wake()
        {
            if (Interlocked.Exchange(ref _queued, 1) == 0)
            {
                ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
            }
        }

        public void Execute()
        {
            while (true)
            {
                runner.Work(lane, Volatile.Read(ref runner._state) >> 32);
                Volatile.Write(ref _queued, 0);
                // A run that began while this one was leaving saw it as queued and did not queue it again: stay for it.
                if (!runner.HasWork(Volatile.Read(ref runner._state)) || Interlocked.Exchange(ref _queued, 1) != 0)
                {
                    return;
                }
            }
        }
    }
}
