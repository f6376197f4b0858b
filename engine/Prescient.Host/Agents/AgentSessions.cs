using System.Collections.Concurrent;
using System.Threading.Channels;
using Prescient.Host.State;

namespace Prescient.Host.Agents;

/// <summary>
/// The outbound queues of the connected agents, one per node. The planner hands commands here; each
/// agent's stream drains its own queue, so a slow agent never blocks the cycle. Queues are bounded:
/// when one is full the command is not sent (and the caller tries again next cycle) rather than
/// growing memory without limit. Thread-safe.
/// </summary>
public sealed class AgentSessions(ClusterState state, CommandLog commands, TimeProvider time)
{
    /// <summary>Commands waiting for one agent at most.</summary>
    public const int QueueCapacity = 1024;

    private readonly ConcurrentDictionary<string, Session> _sessions = new(StringComparer.Ordinal);
    private long _commandCounter;

    /// <summary>Opens the queue of a freshly registered agent stream, replacing any stale one.</summary>
    public ChannelReader<OutgoingCommand> Attach(string nodeName, long sessionId)
    {
        var channel = Channel.CreateBounded<OutgoingCommand>(new BoundedChannelOptions(QueueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        var session = new Session(sessionId, channel);
        _sessions.AddOrUpdate(nodeName, session, (_, old) =>
        {
            old.Channel.Writer.TryComplete();
            return session;
        });
        return channel.Reader;
    }

    /// <summary>Closes the queue if it still belongs to this stream.</summary>
    public void Detach(string nodeName, long sessionId)
    {
        if (_sessions.TryGetValue(nodeName, out var session) && session.SessionId == sessionId
            && _sessions.TryRemove(new KeyValuePair<string, Session>(nodeName, session)))
        {
            session.Channel.Writer.TryComplete();
        }
    }

    /// <summary>Whether a live stream is attached for the node.</summary>
    public bool IsConnected(string nodeName) => _sessions.ContainsKey(nodeName);

    /// <summary>
    /// Queues a command for a node's agent with the next sequence number and a fresh id, and records it
    /// in the command log. Returns the command, or null when no agent is connected or its queue is full.
    /// </summary>
    public OutgoingCommand? TrySend(string nodeName, string jobId, CommandKindInfo kind, LimitsInfo limits, IReadOnlyList<string> prefetchPaths, TimeSpan leadTime, TimeSpan validFor, string reason)
    {
        if (!_sessions.TryGetValue(nodeName, out var session))
        {
            return null;
        }

        var sequence = state.NextCommandSequence(nodeName);
        if (sequence == 0)
        {
            return null;
        }

        var now = time.GetUtcNow();
        var id = $"c{now.ToUnixTimeMilliseconds():x}-{Interlocked.Increment(ref _commandCounter):x}";
        var command = new OutgoingCommand(id, sequence, jobId, kind, limits, prefetchPaths,
            (now + leadTime).ToUnixTimeMilliseconds(), (now + leadTime + validFor).ToUnixTimeMilliseconds(), reason);
        // Recorded before it is queued: the stream's pump may send it and the agent answer before this thread runs again.
        commands.Sent(id, nodeName, jobId, kind, reason);
        if (!session.Channel.Writer.TryWrite(command))
        {
            commands.Withdraw(id);
            return null;
        }

        return command;
    }

    private sealed record Session(long SessionId, Channel<OutgoingCommand> Channel);
}
