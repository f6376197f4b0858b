namespace Prescient.Bench;

/// <summary>The same cycle as <see cref="CycleBenchmarks"/> with the interior-point iteration on the whole LP (<c>Solver = ipm-whole</c>: no presolve).</summary>
public class WholeLpCycleBenchmarks : CycleBenchmarks
{
    protected override string Solver => "ipm-whole";
}
