using BenchmarkDotNet.Running;

namespace Prescient.Bench.Solvers;

/// <summary>
/// <c>compare [--netlib DIR] [--allocation 1000,10000] [--json]</c> runs the side-by-side harness against
/// OR-Tools; <c>profile --netlib DIR</c> breaks our solve into phases; <c>cycle --nodes N</c> times the structured planning-cycle solve; anything else goes to BenchmarkDotNet.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "compare")
        {
            return CompareHarness.Run(args[1..]);
        }

        if (args.Length > 0 && args[0] == "profile")
        {
            return ProfileHarness.Run(args[1..]);
        }

        if (args.Length > 0 && args[0] == "cycle")
        {
            return CycleHarness.Run(args[1..]);
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
