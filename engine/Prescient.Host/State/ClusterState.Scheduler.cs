namespace Prescient.Host.State;

public sealed partial class ClusterState
{
    /// <summary>
    /// Records a job the scheduler started. Idempotent: a repeat updates the record and returns true
    /// ("known before"). Fails (null) when the job table is full.
    /// </summary>
    public bool? JobStarted(JobIdentityInfo identity, IReadOnlyList<string> nodeNames, ResourceRequestInfo requested, long startUnixMilliseconds, IReadOnlyList<string> inputPaths)
    {
        lock (_lock)
        {
            var existed = _jobs.TryGetValue(identity.JobId, out var job) && job.FromScheduler;
            job ??= GetOrAddJobLocked(identity, out _);
            if (job is null)
            {
                return null;
            }

            job.Identity = identity;
            job.FromScheduler = true;
            job.SchedulerNodeNames = nodeNames;
            job.Requested = requested;
            job.InputPaths = inputPaths;
            if (startUnixMilliseconds > 0)
            {
                job.StartUnixMilliseconds = startUnixMilliseconds;
            }

            // The queue list is never changed once published (the planning snapshot reads it outside the lock).
            if (_queue.Exists(p => p.Identity.JobId == identity.JobId))
            {
                _queue = _queue.FindAll(p => p.Identity.JobId != identity.JobId);
            }

            return existed;
        }
    }

    /// <summary>Forgets a finished job and its series. False when the job is unknown.</summary>
    public bool JobEnded(string jobId)
    {
        lock (_lock)
        {
            if (!_jobs.Remove(jobId, out var job))
            {
                Count(RejectionReasons.UnknownJob);
                return false;
            }

            _membership++;

            if (job.Ring is not null)
            {
                _seriesCount--;
            }

            if (job.NodeName.Length > 0 && _nodes.TryGetValue(job.NodeName, out var node))
            {
                node.JobIds.Remove(jobId);
            }

            return true;
        }
    }

    /// <summary>Replaces the pending queue. Entries past <see cref="EngineOptions.MaxPendingJobs"/> are refused as a whole.</summary>
    public bool ReplaceQueue(IReadOnlyList<PendingJobInfo> pending)
    {
        lock (_lock)
        {
            if (pending.Count > _options.MaxPendingJobs)
            {
                Count(RejectionReasons.JobLimit);
                return false;
            }

            _queue = [.. pending];
            return true;
        }
    }

    /// <summary>A copy of the pending queue.</summary>
    public IReadOnlyList<PendingJobInfo> PendingJobs()
    {
        lock (_lock)
        {
            return [.. _queue];
        }
    }
}
