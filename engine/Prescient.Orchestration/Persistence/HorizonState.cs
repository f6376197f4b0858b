using MessagePack;

namespace Prescient.Orchestration.Persistence;

/// <summary>Per-horizon error sums of the feedback loop.</summary>
[MessagePackObject]
public sealed class HorizonState
{
    [Key(0)] public long Scored { get; set; }
    [Key(1)] public double AbsoluteErrorSum { get; set; }
    [Key(2)] public double PinballSum { get; set; }
    [Key(3)] public long Within90 { get; set; }
    [Key(4)] public long Within99 { get; set; }
}
