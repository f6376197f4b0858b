using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Prescient.Host.State;

namespace Prescient.Host.Services;

/// <summary>
/// One writer for the telemetry of every agent stream. Each stream checks its batches itself
/// (<see cref="ClusterState.CheckTelemetry"/>, no lock) and queues them here; this service stores what has queued,
/// up to <see cref="MaxBatchesPerLock"/> batches per acquisition of the cluster state's lock. With a stream per
/// node, ten thousand streams storing for themselves meant ten thousand lock acquisitions a second from as many
/// thread-pool threads, which on a small machine spent more time spinning for the lock than storing. Order is kept:
/// one queue, one reader, so each node's samples are stored in the order its stream sent them.
/// </summary>
public sealed partial class TelemetryIngest(ClusterState state, ILogger<TelemetryIngest> logger) : BackgroundService
{
    /// <summary>Batches stored under one acquisition of the lock.</summary>
    public const int MaxBatchesPerLock = 256;

    /// <summary>Batches queued at most; past it a stream's reading waits (the agent's sends slow down with it).</summary>
    public const int Capacity = 65_536;

    private readonly Channel<Entry> _queue = Channel.CreateBounded<Entry>(new BoundedChannelOptions(Capacity)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.Wait,
    });

    /// <summary>Queues a checked batch for storing.</summary>
    public ValueTask EnqueueAsync(CheckedTelemetry batch, CancellationToken ct) =>
        _queue.Writer.TryWrite(new Entry(batch, null)) ? default : _queue.Writer.WriteAsync(new Entry(batch, null), ct);

    /// <summary>
    /// Completes when everything queued before the call has been stored: a stream that ends waits for its own batches
    /// before it marks its agent gone, so that what an agent sent before it left is not refused as coming from nobody.
    /// </summary>
    /// <remarks>Gives up quietly after <paramref name="timeout"/> or when the engine stops (nothing stores any more).</remarks>
    public async Task FlushAsync(TimeSpan timeout)
    {
        if (ExecuteTask is null || ExecuteTask.IsCompleted)
        {
            return;
        }

        using var limit = CancellationTokenSource.CreateLinkedTokenSource(_stopping);
        limit.CancelAfter(timeout);
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        try
        {
            await _queue.Writer.WriteAsync(new Entry(null, done), limit.Token).ConfigureAwait(false);
            await done.Task.WaitAsync(limit.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopping, or the queue did not drain in time: the batches still queued are stored or dropped later.
        }
    }

    private CancellationToken _stopping;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _stopping = stoppingToken;
        var reader = _queue.Reader;
        var batches = new List<CheckedTelemetry>(MaxBatchesPerLock);
        var flushes = new List<TaskCompletionSource>();
        var results = new IngestResult[MaxBatchesPerLock];
        try
        {
            while (await reader.WaitToReadAsync(stoppingToken).ConfigureAwait(false))
            {
                while (batches.Count < MaxBatchesPerLock && reader.TryRead(out var entry))
                {
                    if (entry.Batch is not null)
                    {
                        batches.Add(entry.Batch);
                    }
                    else
                    {
                        // A flush marker: everything read before it is in this round, so it completes after the store.
                        flushes.Add(entry.Flushed!);
                        break;
                    }
                }

                StoreRound(batches, results);
                foreach (var flushed in flushes)
                {
                    flushed.TrySetResult();
                }

                batches.Clear();
                flushes.Clear();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The engine is stopping; what is still queued came from streams that are being closed.
        }
    }

    private void StoreRound(List<CheckedTelemetry> batches, IngestResult[] results)
    {
        if (batches.Count == 0)
        {
            return;
        }

        try
        {
            state.Store(batches, results);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Checked input cannot fail to store; if it ever does, this round is lost, not the engine's ingest.
            LogStoreFailed(batches.Count, e);
            return;
        }

        for (var i = 0; i < batches.Count; i++)
        {
            if (results[i].Rejected > 0)
            {
                LogRejected(batches[i].NodeName, results[i].Rejected, results[i].Accepted);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Node {Node}: refused {Rejected} samples of a batch ({Accepted} stored); see Admin.GetStatus rejections")]
    private partial void LogRejected(string node, int rejected, int accepted);

    [LoggerMessage(Level = LogLevel.Error, Message = "Storing {Batches} telemetry batches failed; they are dropped")]
    private partial void LogStoreFailed(int batches, Exception error);

    private readonly record struct Entry(CheckedTelemetry? Batch, TaskCompletionSource? Flushed);
}
