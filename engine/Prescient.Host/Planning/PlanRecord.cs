using MessagePack;
using Prescient.Host.State;
using Prescient.Orchestration.Persistence;

namespace Prescient.Host.Planning;

/// <summary>A published plan as stored in the snapshot and the journal.</summary>
[MessagePackObject]
public sealed class PlanRecord
{
    [Key(0)] public ulong Cycle { get; set; }
    [Key(1)] public long CreatedUnixMilliseconds { get; set; }
    [Key(2)] public string SolverStatus { get; set; } = "";
    [Key(3)] public double CycleMilliseconds { get; set; }
    [Key(4)] public PlannedActionRecord[] Actions { get; set; } = [];

    public static PlanRecord From(PlanInfo plan) => new()
    {
        Cycle = plan.Cycle,
        CreatedUnixMilliseconds = plan.CreatedUnixMilliseconds,
        SolverStatus = plan.SolverStatus,
        CycleMilliseconds = plan.CycleMilliseconds,
        Actions = [.. plan.Actions.Select(PlannedActionRecord.From)],
    };

    public PlanInfo ToInfo() => new(Cycle, CreatedUnixMilliseconds, [.. Actions.Select(a => a.ToInfo())], SolverStatus, CycleMilliseconds);
}
