namespace Prescient.Host.Planning;

/// <summary>
/// How the engine plans, bound from <c>Prescient:Planner</c> (the predictive orchestrator's own settings are under
/// <c>Prescient:Orchestrator</c>, see <c>OrchestratorOptions</c>). Validated at start-up.
/// </summary>
public sealed class PlannerOptions
{
    public const string SectionName = "Prescient:Planner";

    /// <summary><c>predictive</c> (the orchestrator; the default) or <c>reactive</c> (limits follow usage with headroom).</summary>
    public string Mode { get; set; } = "predictive";

    /// <summary>
    /// Priority weights (&gt; 0) by <c>qos:NAME</c>, <c>partition:NAME</c>, <c>user:NAME</c> or <c>job:ID</c>; a job gets
    /// the largest weight that matches it, 1 when none does.
    /// </summary>
    public Dictionary<string, double> Priorities { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The planner's state and plan are snapshotted atomically every this many cycles (the journal covers those between), 1..100000.</summary>
    public int SnapshotEveryCycles { get; set; } = 30;

    /// <summary>
    /// The forecasting model's per-job calibration (member weights, conformal offsets, scales) is snapshotted atomically
    /// every this many cycles and at shutdown, 1..1000000 (default 300: 5 minutes at the default 1 s cadence; at
    /// 10,000 nodes the file is about 100 MB, so not every cycle).
    /// </summary>
    public int CalibrationSnapshotEveryCycles { get; set; } = 300;

    /// <summary>Throws <see cref="ArgumentException"/> naming the setting.</summary>
    public void Validate()
    {
        if (Mode is not ("predictive" or "reactive"))
        {
            throw new ArgumentException($"{SectionName}:Mode = '{Mode}' must be 'predictive' or 'reactive'", nameof(Mode));
        }

        foreach (var (key, weight) in Priorities)
        {
            if (!(weight > 0) || double.IsInfinity(weight) || !(key.StartsWith("qos:", StringComparison.Ordinal) || key.StartsWith("partition:", StringComparison.Ordinal)
                || key.StartsWith("user:", StringComparison.Ordinal) || key.StartsWith("job:", StringComparison.Ordinal)))
            {
                throw new ArgumentException($"{SectionName}:Priorities:{key} = {weight}: keys are qos:/partition:/user:/job: names and weights finite and > 0", nameof(Priorities));
            }
        }

        if (CalibrationSnapshotEveryCycles is < 1 or > 1_000_000)
        {
            throw new ArgumentException($"{SectionName}:CalibrationSnapshotEveryCycles = {CalibrationSnapshotEveryCycles} must be between 1 and 1000000", nameof(CalibrationSnapshotEveryCycles));
        }

        if (SnapshotEveryCycles is < 1 or > 100_000)
        {
            throw new ArgumentException($"{SectionName}:SnapshotEveryCycles = {SnapshotEveryCycles} must be between 1 and 100000", nameof(SnapshotEveryCycles));
        }
    }
}
