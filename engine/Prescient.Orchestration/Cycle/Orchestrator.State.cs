using Prescient.Orchestration.Persistence;

namespace Prescient.Orchestration.Cycle;

public sealed partial class Orchestrator
{
    private readonly Dictionary<string, SeriesState> _restoredSeries = new(StringComparer.Ordinal);

    /// <summary>Copies what must survive a restart (allocates; call it outside the cycle, between cycles).</summary>
    public OrchestratorStateSnapshot ExportState()
    {
        var state = new OrchestratorStateSnapshot { Cycle = _cycle, Rollbacks = _feedback.Rollbacks };
        state.Models = new ModelTrackState[2];
        for (var m = 0; m < 2; m++)
        {
            var (count, recent, baseline, degraded) = _feedback.ModelState(m);
            state.Models[m] = new ModelTrackState { Count = count, Recent = recent, Baseline = baseline, Degraded = degraded };
        }

        state.Horizons = new HorizonState[_h];
        for (var h = 0; h < _h; h++)
        {
            var (scored, abs, pinball, w90, w99) = _feedback.HorizonState(h);
            state.Horizons[h] = new HorizonState { Scored = scored, AbsoluteErrorSum = abs, PinballSum = pinball, Within90 = w90, Within99 = w99 };
        }

        var series = new List<SeriesState>(_slotOf.Count + _restoredSeries.Count);
        foreach (var (jobId, slot) in _slotOf)
        {
            var entry = new SeriesState { JobId = jobId, Error = new double[R], Level = new double[R], Fallback = new bool[R] };
            for (var r = 0; r < R; r++)
            {
                entry.Error[r] = _feedback.ErrorOf(slot + r);
                entry.Level[r] = _feedback.LevelOf(slot + r);
                entry.Fallback[r] = _feedback.InFallback(slot + r);
            }

            series.Add(entry);
        }

        foreach (var (jobId, entry) in _restoredSeries)
        {
            if (!_slotOf.ContainsKey(jobId))
            {
                series.Add(entry);
            }
        }

        series.Sort(static (a, b) => string.CompareOrdinal(a.JobId, b.JobId));
        state.Series = [.. series];
        state.ProgramHistory = ExportHistory(_programHistory);
        state.UserHistory = ExportHistory(_userHistory);
        var prefetched = new List<PrefetchState>(_prefetched.Count);
        foreach (var (id, start) in _prefetched)
        {
            prefetched.Add(new PrefetchState { PendingId = id, StartSeconds = start });
        }

        prefetched.Sort(static (a, b) => string.CompareOrdinal(a.PendingId, b.PendingId));
        state.Prefetched = [.. prefetched];
        return state;
    }

    /// <summary>
    /// Restores a state exported by <see cref="ExportState"/> (before the first cycle). Per-job error state is applied
    /// when each job reappears. Throws <see cref="InvalidDataException"/> for another format version or horizon count.
    /// </summary>
    public void ImportState(OrchestratorStateSnapshot state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.FormatVersion != OrchestratorStateSnapshot.CurrentFormatVersion)
        {
            throw new InvalidDataException($"orchestrator state has format version {state.FormatVersion}; this engine reads {OrchestratorStateSnapshot.CurrentFormatVersion}");
        }

        if (state.Horizons.Length != _h || state.Models.Length != 2)
        {
            throw new InvalidDataException($"orchestrator state has {state.Horizons.Length} horizons and {state.Models.Length} models; this configuration has {_h} and 2");
        }

        _cycle = state.Cycle;
        _feedback.RestoreRollbacks(state.Rollbacks);
        for (var m = 0; m < 2; m++)
        {
            var t = state.Models[m];
            _feedback.RestoreModel(m, t.Count, t.Recent, t.Baseline, t.Degraded);
        }

        for (var h = 0; h < _h; h++)
        {
            var t = state.Horizons[h];
            _feedback.RestoreHorizon(h, t.Scored, t.AbsoluteErrorSum, t.PinballSum, t.Within90, t.Within99);
        }

        _restoredSeries.Clear();
        foreach (var entry in state.Series)
        {
            if (entry.Error.Length == R && entry.Level.Length == R && entry.Fallback.Length == R)
            {
                _restoredSeries[entry.JobId] = entry;
            }
        }

        foreach (var h in state.ProgramHistory)
        {
            _programHistory[h.Key] = new HistoryEntry(h.Paths, h.Node);
        }

        foreach (var h in state.UserHistory)
        {
            _userHistory[h.Key] = new HistoryEntry(h.Paths, h.Node);
        }

        foreach (var p in state.Prefetched)
        {
            _prefetched[p.PendingId] = p.StartSeconds;
        }
    }

    private void ApplyRestored(string jobId, int slot)
    {
        if (_restoredSeries.Remove(jobId, out var entry))
        {
            for (var r = 0; r < R; r++)
            {
                _feedback.Restore(slot + r, entry.Error[r], entry.Level[r], entry.Fallback[r]);
            }
        }
    }

    private static HistoryState[] ExportHistory(Dictionary<string, HistoryEntry> history)
    {
        var list = new List<HistoryState>(history.Count);
        foreach (var (key, entry) in history)
        {
            list.Add(new HistoryState { Key = key, Paths = [.. entry.Paths], Node = entry.Node });
        }

        list.Sort(static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        return [.. list];
    }
}
