using System.Text;
using Prescient.Abstractions.Forecasting;

namespace Prescient.Orchestration.Cycle;

/// <summary>
/// The last good model (issue 6 §4, model degradation). When the configured model keeps a per-series calibration
/// (<see cref="ICalibrationState"/>: the ensemble's member weights, conformal offsets and scales), each series'
/// calibration is copied into a checkpoint when a forecast made with it scored well (see <see cref="CheckpointCohort"/>)
/// while the model is healthy (<see cref="Feedback.FeedbackTracker.ModelHealthy"/>: its recent pinball loss within 1.2×
/// its baseline). When the model degrades (recent pinball above <see cref="OrchestratorOptions.DegradationRatio"/>× the
/// baseline), every checkpointed series gets its last good calibration back when it next steps (within one forecast
/// step), and the fallback model serves until the restored model's loss is back near its baseline. The copy per cycle is one cohort's series (allocation-free); the
/// memory is one float per calibration value per slot (the ensemble: about 0.4 KB per series).
/// <para>
/// The same calibration survives restarts: <see cref="WriteCalibration"/> writes every job's current calibration (the
/// host snapshots it atomically every few minutes), <see cref="ReadCalibration"/> reads it back at start, and each job
/// gets its calibration back when it reappears.
/// </para>
/// </summary>
public sealed partial class Orchestrator
{
    private readonly ICalibrationState? _calibrated;
    private float[] _checkpoint = [];
    private bool[] _checkpointValid = [];
    private int[] _restoredAt = [];
    private int _restoreEpoch;

    /// <summary>Rollbacks that restored the checkpointed calibrations (of a model that keeps one).</summary>
    public long CheckpointRestores { get; private set; }

    /// <summary>Series that got a checkpointed calibration back since start.</summary>
    public long SeriesRestored { get; private set; }

    /// <summary>Series whose calibration is checkpointed now.</summary>
    public int CheckpointedSeries { get; private set; }

    private void EnsureCheckpoint(int slots)
    {
        if (_calibrated is null || _checkpointValid.Length >= slots)
        {
            return;
        }

        var capacity = Math.Max(slots, _checkpointValid.Length + (_checkpointValid.Length / 2));
        Array.Resize(ref _checkpoint, capacity * _calibrated.CalibrationLength);
        Array.Resize(ref _checkpointValid, capacity);
        var first = _restoredAt.Length;
        Array.Resize(ref _restoredAt, capacity);
        _restoredAt.AsSpan(first).Fill(_restoreEpoch);
    }

    private void ForgetCheckpoint(int series)
    {
        if (series < _checkpointValid.Length && _checkpointValid[series])
        {
            _checkpointValid[series] = false;
            CheckpointedSeries--;
        }

        if (series < _restoredAt.Length)
        {
            _restoredAt[series] = _restoreEpoch;
        }
    }

    /// <summary>
    /// Before the cohort's series observe. A series with a rollback pending gets its last good calibration back now (a
    /// rollback is applied to each series when it next steps, so that no cycle copies the whole model). Otherwise the
    /// calibration it holds made the forecast just scored: it is kept as the series' last good one when the model is
    /// healthy and that forecast's pinball loss was within <see cref="OrchestratorOptions.DegradationRatio"/>× the
    /// model's baseline — a calibration goes bad before its checkpoint does, since it is checkpointed only after a
    /// forecast made with it scored well.
    /// </summary>
    private void CheckpointCohort(ReadOnlySpan<int> series, ReadOnlySpan<double> scores)
    {
        if (_calibrated is not { } model)
        {
            return;
        }

        var length = model.CalibrationLength;
        var healthy = _feedback.ModelHealthy;
        var bar = _options.DegradationRatio * _feedback.BaselinePinball;
        for (var i = 0; i < series.Length; i++)
        {
            var s = series[i];
            var slot = _checkpoint.AsSpan(s * length, length);
            if (_restoredAt[s] != _restoreEpoch)
            {
                _restoredAt[s] = _restoreEpoch;
                if (_checkpointValid[s])
                {
                    model.ImportCalibration(s, slot);
                    SeriesRestored++;
                }

                continue;
            }

            if (!healthy || !(scores[i] <= bar))
            {
                continue;
            }

            model.ExportCalibration(s, slot);
            if (!_checkpointValid[s])
            {
                _checkpointValid[s] = true;
                CheckpointedSeries++;
            }
        }
    }

    /// <summary>After the cohort observed: a new rollback marks every series for its last good calibration (applied as each steps).</summary>
    private void RestoreCheckpointOnRollback(long rollbacksBefore)
    {
        if (_calibrated is null || _feedback.Rollbacks == rollbacksBefore)
        {
            return;
        }

        _restoreEpoch++;
        CheckpointRestores++;
    }

    private const uint CalibrationMagic = 0x4C414350; // "PCAL"
    private const int CalibrationFormatVersion = 1;
    private readonly Dictionary<string, float[]> _restoredCalibration = new(StringComparer.Ordinal);

    /// <summary>Restored calibrations refused (values the model does not accept) since start.</summary>
    public int CalibrationRefused { get; private set; }

    /// <summary>
    /// Writes every job's current calibration (model name, floats per series, then per job its id and R × that many
    /// floats, little-endian), jobs in id order, plus the restored ones not yet claimed by a job. Returns the number of
    /// jobs written; 0 and nothing written when the model keeps no calibration. Allocates: call it between cycles.
    /// </summary>
    public int WriteCalibration(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (_calibrated is not { } model)
        {
            return 0;
        }

        var length = model.CalibrationLength;
        var jobs = new SortedDictionary<string, float[]>(StringComparer.Ordinal);
        foreach (var (jobId, entry) in _restoredCalibration)
        {
            jobs[jobId] = entry;
        }

        foreach (var (jobId, slot) in _slotOf)
        {
            var values = new float[R * length];
            for (var r = 0; r < R; r++)
            {
                model.ExportCalibration(slot + r, values.AsSpan(r * length, length));
            }

            jobs[jobId] = values;
        }

        using var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        w.Write(CalibrationMagic);
        w.Write(CalibrationFormatVersion);
        w.Write(_options.Model);
        w.Write(length);
        w.Write(R);
        w.Write(jobs.Count);
        foreach (var (jobId, values) in jobs)
        {
            w.Write(jobId);
            foreach (var v in values)
            {
                w.Write(v);
            }
        }

        return jobs.Count;
    }

    /// <summary>
    /// Reads what <see cref="WriteCalibration"/> wrote; each job gets its calibration when it is next planned (a job
    /// planned already gets it now). Returns the number of jobs read. Throws <see cref="InvalidDataException"/> naming the
    /// problem for another format, model or shape, or a truncated stream; nothing is applied then.
    /// </summary>
    public int ReadCalibration(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (_calibrated is not { } model)
        {
            return 0;
        }

        var read = new Dictionary<string, float[]>(StringComparer.Ordinal);
        try
        {
            using var r = new BinaryReader(stream, Encoding.UTF8, leaveOpen: true);
            if (r.ReadUInt32() != CalibrationMagic)
            {
                throw new InvalidDataException("not a calibration snapshot (bad magic number)");
            }

            var version = r.ReadInt32();
            if (version != CalibrationFormatVersion)
            {
                throw new InvalidDataException($"calibration snapshot has format version {version}; this engine reads {CalibrationFormatVersion}");
            }

            var name = r.ReadString();
            var length = r.ReadInt32();
            var resources = r.ReadInt32();
            if (name != _options.Model || length != model.CalibrationLength || resources != R)
            {
                throw new InvalidDataException(
                    $"calibration snapshot is for model '{name}' with {length} values per series and {resources} resources; this engine runs '{_options.Model}' with {model.CalibrationLength} and {R}");
            }

            var count = r.ReadInt32();
            if (count < 0)
            {
                throw new InvalidDataException($"calibration snapshot claims {count} jobs");
            }

            for (var j = 0; j < count; j++)
            {
                var jobId = r.ReadString();
                var values = new float[R * length];
                for (var k = 0; k < values.Length; k++)
                {
                    values[k] = r.ReadSingle();
                }

                read[jobId] = values;
            }
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException("calibration snapshot is truncated", e);
        }

        foreach (var (jobId, values) in read)
        {
            if (_slotOf.TryGetValue(jobId, out var slot))
            {
                ApplyCalibration(slot, values);
            }
            else
            {
                _restoredCalibration[jobId] = values;
            }
        }

        return read.Count;
    }

    private void ApplyRestoredCalibration(string jobId, int slot)
    {
        if (_restoredCalibration.Remove(jobId, out var values))
        {
            ApplyCalibration(slot, values);
        }
    }

    private void ApplyCalibration(int slot, float[] values)
    {
        var length = _calibrated!.CalibrationLength;
        try
        {
            for (var r = 0; r < R; r++)
            {
                _calibrated.ImportCalibration(slot + r, values.AsSpan(r * length, length));
            }
        }
        catch (ArgumentException)
        {
            // A damaged entry: a refused series keeps what it has (the model checks before it writes).
            CalibrationRefused++;
        }
    }
}
