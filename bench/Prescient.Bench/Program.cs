using BenchmarkDotNet.Running;
using Prescient.Bench;

// Dispatcher: `cycle` is the orchestrator's percentile harness; `scale` the engine over real gRPC with simulated
// nodes (Scale/ScaleHarness.cs); anything else goes to BenchmarkDotNet.
switch (args.Length > 0 ? args[0] : "")
{
    case "cycle":
        return CycleHarness.Run(args[1..]);
    case "scale":
        return await Prescient.Bench.Scale.ScaleHarness.RunAsync(args[1..]);
    default:
        BenchmarkSwitcher.FromAssembly(typeof(CycleBenchmarks).Assembly).Run(args);
        return 0;
}
