using BenchmarkDotNet.Running;
using Prescient.Bench;

// Dispatcher: `cycle` is the orchestrator's percentile harness; `scale` is reserved for issue 7's scale harness
// (engine over real gRPC); anything else goes to BenchmarkDotNet.
switch (args.Length > 0 ? args[0] : "")
{
    case "cycle":
        return CycleHarness.Run(args[1..]);
    case "scale":
        Console.Error.WriteLine("scale: the gRPC scale harness is issue 7's and is not in this build; use `cycle` for the orchestrator alone.");
        return 2;
    default:
        BenchmarkSwitcher.FromAssembly(typeof(CycleBenchmarks).Assembly).Run(args);
        return 0;
}
