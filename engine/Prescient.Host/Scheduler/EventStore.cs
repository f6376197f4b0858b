using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging;
using Prescient.Abstractions.Telemetry;
using Prescient.Host.Persistence;

namespace Prescient.Host.Scheduler;

/// <summary>
/// Registered anticipated events, kept in memory and persisted to <c>events.json</c> in the state
/// directory on every change (atomic write), so they survive a restart or a crash of the engine.
/// Thread-safe. A state file that cannot be read is moved aside (never silently overwritten) and
/// the engine starts with no events, saying so in its log.
/// </summary>
public sealed partial class EventStore
{
    private const int FormatVersion = 1;
    private readonly Lock _lock = new();
    private readonly string _path;
    private readonly int _capacity;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Dictionary<string, AnticipatedEventInfo> _events = new(StringComparer.Ordinal);

    public EventStore(string stateDirectory, int capacity, TimeProvider time, ILogger<EventStore> logger)
    {
        _path = Path.Combine(stateDirectory, "events.json");
        _capacity = capacity;
        _time = time;
        _logger = logger;
        Load();
    }

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _events.Count;
            }
        }
    }

    /// <summary>Adds an event and persists; null when the store is full.</summary>
    public AnticipatedEventInfo? Add(string name, EntityKind scopeKind, string scopeName, long startUnixMilliseconds, long endUnixMilliseconds, IReadOnlyList<KeyValuePair<ResourceKind, double>> extraDemand)
    {
        lock (_lock)
        {
            if (_events.Count >= _capacity)
            {
                return null;
            }

            var id = $"ev-{_time.GetUtcNow().ToUnixTimeMilliseconds():x}-{Guid.NewGuid():N}"[..32];
            var e = new AnticipatedEventInfo(id, name, scopeKind, scopeName, startUnixMilliseconds, endUnixMilliseconds, extraDemand);
            _events.Add(id, e);
            SaveLocked();
            return e;
        }
    }

    /// <summary>Removes an event and persists; false when the id is unknown.</summary>
    public bool Cancel(string eventId)
    {
        lock (_lock)
        {
            if (!_events.Remove(eventId))
            {
                return false;
            }

            SaveLocked();
            return true;
        }
    }

    /// <summary>Events ordered by start time, then id; past ones (ended before now) only when asked.</summary>
    public IReadOnlyList<AnticipatedEventInfo> List(bool includePast)
    {
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        lock (_lock)
        {
            return _events.Values
                .Where(e => includePast || e.EndUnixMilliseconds > now)
                .OrderBy(e => e.StartUnixMilliseconds).ThenBy(e => e.EventId, StringComparer.Ordinal)
                .ToArray();
        }
    }

    private void SaveLocked()
    {
        var file = new EventFile(FormatVersion, _events.Values.OrderBy(e => e.EventId, StringComparer.Ordinal).Select(EventRecord.From).ToList());
        AtomicFile.Write(_path, JsonSerializer.SerializeToUtf8Bytes(file, EventJsonContext.Default.EventFile));
    }

    private void Load()
    {
        if (!File.Exists(_path))
        {
            return;
        }

        try
        {
            var file = JsonSerializer.Deserialize(File.ReadAllBytes(_path), EventJsonContext.Default.EventFile);
            if (file is null || file.Version != FormatVersion)
            {
                throw new InvalidDataException($"format version {file?.Version} is not {FormatVersion}");
            }

            foreach (var record in file.Events)
            {
                var e = record.ToInfo();
                _events[e.EventId] = e;
            }
        }
        catch (Exception e) when (e is JsonException or InvalidDataException or IOException or ArgumentException)
        {
            var aside = _path + ".unreadable-" + _time.GetUtcNow().ToUnixTimeSeconds();
            File.Move(_path, aside, overwrite: true);
            LogUnreadable(_path, aside, e.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Event store {Path} could not be read ({Error}); moved it to {Aside} and started with no events")]
    private partial void LogUnreadable(string path, string aside, string error);

    internal sealed record EventFile(int Version, List<EventRecord> Events);

    internal sealed record EventRecord(string EventId, string Name, string ScopeKind, string ScopeName, long StartUnixMilliseconds, long EndUnixMilliseconds, Dictionary<string, double> ExtraDemand)
    {
        public static EventRecord From(AnticipatedEventInfo e) => new(e.EventId, e.Name, e.ScopeKind.ToString(), e.ScopeName,
            e.StartUnixMilliseconds, e.EndUnixMilliseconds, e.ExtraDemand.ToDictionary(p => p.Key.Name(), p => p.Value));

        public AnticipatedEventInfo ToInfo()
        {
            if (!Enum.TryParse<EntityKind>(ScopeKind, out var kind))
            {
                throw new InvalidDataException($"event {EventId}: unknown scope kind '{ScopeKind}'");
            }

            var demand = new List<KeyValuePair<ResourceKind, double>>();
            foreach (var (name, amount) in ExtraDemand)
            {
                if (!ResourceKinds.TryParse(name, out var resource))
                {
                    throw new InvalidDataException($"event {EventId}: unknown resource '{name}'");
                }

                demand.Add(new(resource, amount));
            }

            return new AnticipatedEventInfo(EventId, Name, kind, ScopeName, StartUnixMilliseconds, EndUnixMilliseconds, demand);
        }
    }
}

[JsonSerializable(typeof(EventStore.EventFile))]
[JsonSourceGenerationOptions(WriteIndented = true)]
internal sealed partial class EventJsonContext : JsonSerializerContext;
