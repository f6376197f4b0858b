using Prescient.Abstractions.Telemetry;

namespace Prescient.Abstractions.Forecasting;

/// <summary>
/// Identifies one usage series: an entity (a job, user, group, program, node or the whole system) and one of its
/// resources. Equality is ordinal on <see cref="Name"/>. Written as <c>user/alice/cpu</c> by <see cref="ToString"/>.
/// </summary>
/// <param name="Entity">What kind of entity the series describes.</param>
/// <param name="Name">The entity's name within its kind (job id, user name, node name; <c>cluster</c> for the system).</param>
/// <param name="Resource">Which resource; the value's unit is the resource's unit (see <see cref="ResourceKind"/>).</param>
public readonly record struct SeriesKey(EntityKind Entity, string Name, ResourceKind Resource)
{
    /// <summary>The key as <c>kind/name/resource</c>, e.g. <c>node/vm-12/memory</c>.</summary>
    public override string ToString() => $"{Entity.ToString().ToLowerInvariant()}/{Name}/{Resource.Name()}";
}
