using MessagePack;
using Prescient.Host.State;
using Prescient.Orchestration.Persistence;

namespace Prescient.Host.Planning;

/// <summary>The planner snapshot file: format version, orchestrator state and the plan.</summary>
[MessagePackObject]
public sealed class PlannerFile
{
    [Key(0)] public int FormatVersion { get; set; }
    [Key(1)] public OrchestratorStateSnapshot? State { get; set; }
    [Key(2)] public PlanRecord? Plan { get; set; }
}
