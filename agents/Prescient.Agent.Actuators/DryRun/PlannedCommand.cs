namespace Prescient.Agent.Actuators.DryRun;

/// <summary>An external tool that would be run, with its argument list (never through a shell).</summary>
public sealed record PlannedCommand(string Program, IReadOnlyList<string> Arguments)
{
    /// <inheritdoc />
    public override string ToString() => Program + " " + string.Join(' ', Arguments);
}
