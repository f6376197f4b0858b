namespace Prescient.Kernels.Tests;

/// <summary>
/// Tests that count process-wide allocated bytes; they run alone so other tests' allocations do not leak into
/// the count.
/// </summary>
[CollectionDefinition(nameof(AllocationSensitiveCollection), DisableParallelization = true)]
public sealed class AllocationSensitiveCollection
{
}
