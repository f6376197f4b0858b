using MessagePack;
using Microsoft.Extensions.Logging;
using Prescient.Host.State;
using Prescient.Orchestration.Cycle;
using Prescient.Orchestration.Persistence;

namespace Prescient.Host.Planning;

/// <summary>
/// Makes the planner's state and the current plan survive <c>kill -9</c>: an atomic snapshot
/// (<c>planner/state.msgpack</c>: written to a temporary file, flushed to disk, renamed over the old one) every
/// <see cref="PlannerOptions.SnapshotEveryCycles"/> cycles, and between snapshots a journal
/// (<c>planner/plan.journal</c>) with one record per published plan: <c>[length:int32][crc32:uint32][MessagePack]</c>,
/// flushed to disk on append. On load the newest valid record wins; a torn tail (a crash mid-append) fails its
/// length or CRC check and is dropped. Events are persisted by the event store itself. Not thread-safe: the cycle
/// is its only caller.
/// </summary>
public sealed partial class PlanningStateStore
{
    private const int FormatVersion = 1;
    private static readonly MessagePackSerializerOptions Serializer = MessagePackSerializerOptions.Standard.WithSecurity(MessagePackSecurity.UntrustedData);
    private readonly string _snapshotPath;
    private readonly string _journalPath;
    private readonly string _calibrationPath;
    private readonly ILogger _logger;
    private FileStream? _journal;

    // Kept between snapshots (its capacity with it): a new 100 MB stream per snapshot was that much garbage each time.
    private readonly MemoryStream _calibrationBuffer = new();
    private Task _calibrationWrite = Task.CompletedTask;

    public PlanningStateStore(string stateDirectory, ILogger<PlanningStateStore> logger)
    {
        var directory = Path.Combine(stateDirectory, "planner");
        Directory.CreateDirectory(directory);
        _snapshotPath = Path.Combine(directory, "state.msgpack");
        _journalPath = Path.Combine(directory, "plan.journal");
        _calibrationPath = Path.Combine(directory, "calibration.bin");
        TunedLstmPath = Path.Combine(directory, "lstm-tuned.model");
        _logger = logger;
    }

    /// <summary>Where the latest fine-tuned LSTM is kept (<c>planner/lstm-tuned.model</c>), written atomically.</summary>
    public string TunedLstmPath { get; }

    /// <summary>
    /// The model file the orchestrator should start from: the fine-tuned one when it exists, loads, and has the
    /// configured model's shape, step, horizons and quantiles; else <paramref name="configured"/> (a refused tuned file is
    /// logged and left in place).
    /// </summary>
    public string ChooseLstmModel(string configured)
    {
        if (configured.Length == 0 || !File.Exists(TunedLstmPath))
        {
            return configured;
        }

        try
        {
            var tuned = Prescient.Forecasting.Training.LstmModel.Load(TunedLstmPath);
            var original = Prescient.Forecasting.Training.LstmModel.Load(configured);
            if (original.HasSameShape(tuned))
            {
                return TunedLstmPath;
            }

            LogTunedRefused(TunedLstmPath, "it does not fit the configured model (another shape, step, horizons or quantiles)");
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            LogTunedRefused(TunedLstmPath, e.Message);
        }

        return configured;
    }

    /// <summary>Reads what survived: the orchestrator state (null when none) and the newest plan (null when none).</summary>
    public (OrchestratorStateSnapshot? State, PlanInfo? Plan) Load()
    {
        OrchestratorStateSnapshot? state = null;
        PlanInfo? plan = null;
        if (File.Exists(_snapshotPath))
        {
            try
            {
                var file = MessagePackSerializer.Deserialize<PlannerFile>(File.ReadAllBytes(_snapshotPath), Serializer);
                if (file.FormatVersion != FormatVersion)
                {
                    LogRefused(_snapshotPath, $"format version {file.FormatVersion}, this engine reads {FormatVersion}");
                }
                else
                {
                    state = file.State;
                    plan = file.Plan?.ToInfo();
                }
            }
            catch (MessagePackSerializationException e)
            {
                LogRefused(_snapshotPath, e.Message);
            }
        }

        if (File.Exists(_journalPath))
        {
            var bytes = File.ReadAllBytes(_journalPath);
            var offset = 0;
            while (offset + 8 <= bytes.Length)
            {
                var length = BitConverter.ToInt32(bytes, offset);
                var crc = BitConverter.ToUInt32(bytes, offset + 4);
                if (length <= 0 || offset + 8 + length > bytes.Length || Crc32(bytes.AsSpan(offset + 8, length)) != crc)
                {
                    LogTornJournal(bytes.Length - offset);
                    break;
                }

                try
                {
                    var record = MessagePackSerializer.Deserialize<PlanRecord>(bytes.AsMemory(offset + 8, length), Serializer);
                    if (plan is null || record.Cycle >= plan.Cycle)
                    {
                        plan = record.ToInfo();
                    }
                }
                catch (MessagePackSerializationException e)
                {
                    LogRefused(_journalPath, e.Message);
                    break;
                }

                offset += 8 + length;
            }
        }

        return (state, plan);
    }

    /// <summary>Appends the plan to the journal and flushes it to disk.</summary>
    public void Append(PlanInfo plan)
    {
        var payload = MessagePackSerializer.Serialize(PlanRecord.From(plan), Serializer);
        _journal ??= new FileStream(_journalPath, FileMode.Append, FileAccess.Write, FileShare.Read, 4096, FileOptions.None);
        Span<byte> header = stackalloc byte[8];
        BitConverter.TryWriteBytes(header, payload.Length);
        BitConverter.TryWriteBytes(header[4..], Crc32(payload));
        _journal.Write(header);
        _journal.Write(payload);
        _journal.Flush(flushToDisk: true);
    }

    /// <summary>Writes the snapshot atomically, then starts an empty journal (its records are all in the snapshot).</summary>
    public void Snapshot(OrchestratorStateSnapshot? state, PlanInfo plan)
    {
        var bytes = MessagePackSerializer.Serialize(new PlannerFile { FormatVersion = FormatVersion, State = state, Plan = PlanRecord.From(plan) }, Serializer);
        var temporary = _snapshotPath + ".tmp";
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            stream.Write(bytes);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temporary, _snapshotPath, overwrite: true);
        _journal?.Dispose();
        _journal = new FileStream(_journalPath, FileMode.Create, FileAccess.Write, FileShare.Read);
        _journal.Flush(flushToDisk: true);
    }

    /// <summary>
    /// Writes the orchestrator's per-job calibration to <c>planner/calibration.bin</c> atomically (temporary file,
    /// flushed, renamed). Returns the number of jobs written (0 writes nothing: the model keeps no calibration).
    /// </summary>
    public int SnapshotCalibration(Orchestrator orchestrator)
    {
        ArgumentNullException.ThrowIfNull(orchestrator);
        WaitForCalibrationWrite();
        var jobs = FillCalibration(orchestrator);
        if (_calibrationBuffer.Length > 0)
        {
            WriteCalibrationFile();
        }

        return jobs;
    }

    /// <summary>
    /// The planning cycle's snapshot: the calibration is copied into a buffer kept between snapshots (the caller holds the
    /// cycle's lock, so the copy is consistent) and written and fsynced on a background thread, so that the cycle does
    /// not wait for the disk (about 100 MB at 10,000 nodes). Returns the jobs copied, or -1 when the previous write is
    /// still running: that snapshot is skipped, not queued. A failed write is logged; the previous file stays.
    /// </summary>
    public int SnapshotCalibrationInBackground(Orchestrator orchestrator)
    {
        ArgumentNullException.ThrowIfNull(orchestrator);
        if (!_calibrationWrite.IsCompleted)
        {
            return -1;
        }

        var jobs = FillCalibration(orchestrator);
        if (_calibrationBuffer.Length > 0)
        {
            _calibrationWrite = Task.Run(() =>
            {
                try
                {
                    WriteCalibrationFile();
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    LogCalibrationWriteFailed(_calibrationPath, e.Message);
                }
            });
        }

        return jobs;
    }

    /// <summary>Waits for a background calibration write in flight, if any.</summary>
    public void WaitForCalibrationWrite() => _calibrationWrite.GetAwaiter().GetResult();

    private int FillCalibration(Orchestrator orchestrator)
    {
        _calibrationBuffer.SetLength(0);
        return orchestrator.WriteCalibration(_calibrationBuffer);
    }

    private void WriteCalibrationFile() =>
        Persistence.AtomicFile.Write(_calibrationPath, _calibrationBuffer.GetBuffer().AsSpan(0, (int)_calibrationBuffer.Length));

    /// <summary>Reads <c>planner/calibration.bin</c> into the orchestrator when present; a damaged or foreign file is logged and ignored.</summary>
    public int LoadCalibration(Orchestrator orchestrator)
    {
        ArgumentNullException.ThrowIfNull(orchestrator);
        if (!File.Exists(_calibrationPath))
        {
            return 0;
        }

        try
        {
            using var stream = File.OpenRead(_calibrationPath);
            return orchestrator.ReadCalibration(stream);
        }
        catch (InvalidDataException e)
        {
            LogRefused(_calibrationPath, e.Message);
            return 0;
        }
    }

    private static readonly uint[] CrcTable = BuildCrcTable();

    /// <summary>CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320).</summary>
    internal static uint Crc32(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc = CrcTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        return ~crc;
    }

    private static uint[] BuildCrcTable()
    {
        var table = new uint[256];
        for (var i = 0u; i < 256; i++)
        {
            var c = i;
            for (var k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            }

            table[i] = c;
        }

        return table;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Planner state {Path} refused: {Reason}; starting without it")]
    private partial void LogRefused(string path, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Planner journal ends with {Bytes} bytes of a torn record (a crash mid-write); dropped")]
    private partial void LogTornJournal(int bytes);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Fine-tuned LSTM {Path} not used: {Reason}; starting from the configured model")]
    private partial void LogTunedRefused(string path, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Calibration snapshot {Path} not written: {Reason}; the previous one stays")]
    private partial void LogCalibrationWriteFailed(string path, string reason);
}
