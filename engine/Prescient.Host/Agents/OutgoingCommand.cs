using Prescient.Host.State;

namespace Prescient.Host.Agents;

/// <summary>A command on its way to one agent; mapped to the wire message by the gateway.</summary>
public sealed record OutgoingCommand(
    string CommandId,
    ulong Sequence,
    string JobId,
    CommandKindInfo Kind,
    LimitsInfo Limits,
    IReadOnlyList<string> PrefetchPaths,
    long NotBeforeUnixMilliseconds,
    long DeadlineUnixMilliseconds,
    string Reason);
