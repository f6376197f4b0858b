namespace Prescient.Bench.Solvers;

public static class CompareHarness
{
    public static int Run(string[] args) => 0;
}
