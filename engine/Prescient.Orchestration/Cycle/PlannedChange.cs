namespace Prescient.Orchestration.Cycle;

/// <summary>What a planned change does. The first four go to agents as commands; the others are recommendations for the scheduler.</summary>
public enum ChangeKind : byte
{
    /// <summary>CPU quota and weight, memory.high and memory.max of a running job.</summary>
    SetLimits = 0,

    /// <summary>cpuset/NUMA placement of a running job (<see cref="PlannedChange.NumaMask"/>).</summary>
    SetCpuset = 1,

    /// <summary>A network bandwidth reservation for a running job's predicted transfers.</summary>
    ReserveBandwidth = 2,

    /// <summary>Read a pending job's datasets into the page cache of a node before the job starts.</summary>
    Prefetch = 3,

    /// <summary>Recommendation: run more instances of a long-running service (<see cref="PlannedChange.Instances"/>).</summary>
    ScaleOut = 4,

    /// <summary>Recommendation: move a job to <see cref="PlannedChange.TargetNode"/> (never by killing it).</summary>
    Migrate = 5,

    /// <summary>Recommendation: the job's node is lost or silent; re-plan it on <see cref="PlannedChange.TargetNode"/>.</summary>
    Replan = 6,
}

/// <summary>Why a change was planned.</summary>
public enum ChangeReason : byte
{
    /// <summary>The forecast at <see cref="PlannedChange.Horizon"/> calls for more.</summary>
    ForecastRaise = 0,

    /// <summary>The forecast at every horizon in the lookahead calls for less.</summary>
    ForecastLower = 1,

    /// <summary>Usage jumped past the forecast: the reactive path raised the limit within the cycle.</summary>
    Spike = 2,

    /// <summary>The series' forecasts are unreliable (error over threshold): reactive limits with widened margins.</summary>
    ForecastFallback = 3,

    /// <summary>No forecast yet (new series): reactive limits.</summary>
    ColdStart = 4,

    /// <summary>The predicted footprint crosses a NUMA node.</summary>
    NumaFootprint = 5,

    /// <summary>Predicted load of a service exceeds what its instances were sized for.</summary>
    PredictedLoad = 6,

    /// <summary>The node's predicted total exceeds its capacity.</summary>
    NodeOvercommit = 7,

    /// <summary>The node's agent is silent or the node is lost (limits kept as they are).</summary>
    NodeLost = 8,

    /// <summary>A pending job is expected to start soon.</summary>
    PendingStart = 9,

    /// <summary>Predicted network transfers.</summary>
    PredictedTransfer = 10,
}

/// <summary>The constraint of the allocation LP that bound the planned value, if any.</summary>
public enum BindingConstraint : byte
{
    None = 0,
    NodeCapacity = 1,
    Floor = 2,
    Ceiling = 3,
    ChangeLimit = 4,
}

/// <summary>
/// One change of the plan. Values are in the units of <see cref="OrchestratedResource"/>; a field that does not
/// apply to <see cref="Kind"/> is 0 (or -1 for indices). <see cref="Job"/> indexes the snapshot's running jobs, or its
/// pending jobs for <see cref="ChangeKind.Prefetch"/>.
/// </summary>
public struct PlannedChange
{
    public ChangeKind Kind;
    public ChangeReason Reason;
    public BindingConstraint Constraint;

    /// <summary>Resource whose forecast drove the change (-1 when none).</summary>
    public sbyte Resource;

    /// <summary>Horizon index whose forecast drove the change (-1 when none).</summary>
    public sbyte Horizon;

    public int Job;
    public int Node;

    /// <summary>Destination node of a migration or re-plan; -1 otherwise.</summary>
    public int TargetNode;

    /// <summary>Seconds from now before which the change must not be applied (the lead time before the predicted change).</summary>
    public int NotBeforeSeconds;

    public double CpuQuotaCores;
    public uint CpuWeight;
    public double MemoryHighGibibytes;
    public double MemoryMaxGibibytes;
    public double BandwidthGigabits;
    public ulong NumaMask;
    public int Instances;

    /// <summary>The forecast value behind the change (the driving quantile at the driving horizon), in the resource's unit.</summary>
    public double Forecast;

    /// <summary>The value in force before the change, in the resource's unit.</summary>
    public double Previous;
}
