namespace Prescient.Bench;

/// <summary>The same cycle as <see cref="CycleBenchmarks"/> with the exact decomposed solver (<c>Solver = decomposed</c>).</summary>
public class DecomposedCycleBenchmarks : CycleBenchmarks
{
    protected override string Solver => "decomposed";
}
