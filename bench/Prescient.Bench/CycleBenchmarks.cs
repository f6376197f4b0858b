using BenchmarkDotNet.Attributes;
using Prescient.Orchestration.Cycle;

namespace Prescient.Bench;

/// <summary>
/// The orchestrator's full cycle (issue 6 §8) at 1k/5k/10k nodes, 5 jobs per node, 4 resources, 3 horizons, at a 1 s
/// cadence with a 60 s forecast step (one cohort of series stepped per cycle) and telemetry every 5 s, with the
/// interior-point solver (<c>Solver = ipm</c>). Correctness (capacity and memory floors) is checked on every plan of
/// the warm-up in <see cref="Setup"/> before anything is timed; the <see cref="MemoryDiagnoserAttribute"/> column
/// shows the bytes allocated per cycle in steady state.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 10)]
public class CycleBenchmarks
{
    private SyntheticOrchestratorCluster _cluster = null!;
    private Orchestrator _orchestrator = null!;

    [Params(1_000, 5_000, 10_000)]
    public int Nodes { get; set; }

    [Params("bayes-dlm")]
    public string Model { get; set; } = "bayes-dlm";

    protected virtual string Solver => "ipm";

    [GlobalSetup]
    public void Setup()
    {
        (_cluster, _orchestrator) = CycleHarness.Create(Nodes, 5, Model, Solver, seed: 42);
        CycleHarness.Warm(_cluster, _orchestrator);
    }

    [Benchmark]
    public int Cycle()
    {
        _cluster.Advance();
        var result = _orchestrator.Run(_cluster.Snapshot);
        _cluster.Apply(result);
        return result.ChangeCount;
    }
}
