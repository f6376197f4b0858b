using BenchmarkDotNet.Attributes;

namespace Prescient.Bench.Forecasting;

/// <summary>
/// One cycle of forecasting for N series: <c>Serve</c> is <see cref="Prescient.Abstractions.Forecasting.IForecaster.Forecast"/>
/// over every series (what the orchestrator calls each cycle); <c>StepAndServe</c> adds the one-step update with a
/// new observation per series. Target (issue 5): ≤ 50 ms for 50,000 series. Correctness is asserted in setup.
/// </summary>
[MemoryDiagnoser]
public class InferenceBenchmarks
{
    private Workload _w = null!;

    [Params("persistence", "bayes-dlm", "lstm", "ensemble")]
    public string Model { get; set; } = "persistence";

    [Params(5_000, 50_000)]
    public int Series { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _w = new Workload(Model, Series, 30);
        _w.Check();
    }

    [Benchmark]
    public void Serve() => _w.Serve();

    [Benchmark]
    public void StepAndServe()
    {
        _w.Step();
        _w.Serve();
    }
}
