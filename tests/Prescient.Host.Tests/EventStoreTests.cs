using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Prescient.Abstractions.Telemetry;
using Prescient.Host.Scheduler;

namespace Prescient.Host.Tests;

public sealed class EventStoreTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("prescient-events-").FullName;
    private readonly FakeTimeProvider _time = new(DateTimeOffset.FromUnixTimeSeconds(1_800_000_000));

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private EventStore Open(int capacity = 10) => new(_directory, capacity, _time, NullLogger<EventStore>.Instance);

    [Fact]
    public void Add_ThenReopen_EventSurvives()
    {
        var start = _time.GetUtcNow().ToUnixTimeMilliseconds() + 60_000;
        var added = Open().Add("quarterly close", EntityKind.Group, "finance", start, start + 3_600_000, [new(ResourceKind.Cpu, 64)]);
        Assert.NotNull(added);

        var reopened = Open().List(includePast: false).Single();
        Assert.Equal(added, reopened with { ExtraDemand = added.ExtraDemand });
        Assert.Equal(64, reopened.ExtraDemand.Single().Value);
    }

    [Fact]
    public void Cancel_UnknownId_ReturnsFalse_KnownId_Persists()
    {
        var store = Open();
        var e = store.Add("x", EntityKind.System, "", 1, 2, [new(ResourceKind.Memory, 1)])!;
        Assert.False(store.Cancel("nope"));
        Assert.True(store.Cancel(e.EventId));
        Assert.Empty(Open().List(includePast: true));
    }

    [Fact]
    public void Add_PastCapacity_ReturnsNull()
    {
        var store = Open(capacity: 1);
        Assert.NotNull(store.Add("a", EntityKind.System, "", 1, 2, [new(ResourceKind.Cpu, 1)]));
        Assert.Null(store.Add("b", EntityKind.System, "", 1, 2, [new(ResourceKind.Cpu, 1)]));
    }

    [Fact]
    public void Open_CorruptFile_MovedAsideAndStartsEmpty()
    {
        File.WriteAllText(Path.Combine(_directory, "events.json"), "{ not json");
        Assert.Equal(0, Open().Count);
        Assert.Single(Directory.GetFiles(_directory, "events.json.unreadable-*"));
    }

    [Fact]
    public void List_PastEvents_HiddenUnlessAsked()
    {
        var store = Open();
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        store.Add("old", EntityKind.System, "", now - 7200_000, now - 3600_000, [new(ResourceKind.Cpu, 1)]);
        Assert.Empty(store.List(includePast: false));
        Assert.Single(store.List(includePast: true));
    }
}
