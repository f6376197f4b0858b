using Prescient.Abstractions.Forecasting;
using Prescient.Abstractions.Telemetry;
using Prescient.Forecasting.Training;
using Prescient.Forecasting.Traces;
using Microsoft.Extensions.DependencyInjection;
using Prescient.Protos.V1;

namespace Prescient.Host.Tests;

public sealed class LstmEngineTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("prescient-lstm-engine-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Serve_WithLstmModelPath_StatusReportsTheMemberAndItsFineTuning()
    {
        var shape = ForecastShape.ForStep(60, [60, 300, 3600], [0.5, 0.9, 0.99]);
        var series = new[] { new TraceSeries(new SeriesKey(EntityKind.Job, "t", ResourceKind.Cpu), "g", 1_700_000_000, 60,
            Enumerable.Range(0, 400).Select(t => (float)(3 + Math.Sin(t / 20.0))).ToArray()) };
        var model = LstmTrainer.Train(series, 60, shape.HorizonSteps, shape.Quantiles,
            new LstmTrainingOptions { HiddenSize = 5, Iterations = 3, BatchSize = 2, WindowSteps = 48, BurnInSteps = 12, Threads = 1 });
        var path = Path.Combine(_directory, "engine.model");
        model.Save(path);

        await using var server = await EngineServer.StartAsync(new()
        {
            ["Prescient:Orchestrator:LstmModelPath"] = path,
            ["Prescient:Orchestrator:FineTuneEveryMinutes"] = "30",
        });
        var status = await new Admin.AdminClient(server.Channel).GetStatusAsync(new GetStatusRequest(), cancellationToken: TestContext.Current.CancellationToken);
        var tuning = status.Models.Single(m => m.Name == "fine-tuning");
        Assert.Equal("waiting", tuning.State);
        Assert.Contains("lstm 5 hidden", tuning.Detail, StringComparison.Ordinal);
        Assert.Contains("every 30 min", tuning.Detail, StringComparison.Ordinal);

        // After a cycle the fine-tuning counters are on /metrics (no round has finished yet).
        server.Services.GetRequiredService<Prescient.Host.Planning.PlanningService>().RunCycle();
        var metrics = server.Services.GetRequiredService<Prescient.Host.Metrics.PlanningMetrics>().Render();
        Assert.Contains("prescient_lstm_finetune_rounds_total 0", metrics, StringComparison.Ordinal);
        Assert.Contains("prescient_lstm_finetune_accepted_total 0", metrics, StringComparison.Ordinal);
        Assert.Contains("prescient_lstm_finetune_heldout_pinball{model=\"before\"} NaN", metrics, StringComparison.Ordinal);
    }
}
