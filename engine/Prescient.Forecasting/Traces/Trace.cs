namespace Prescient.Forecasting.Traces;

/// <summary>A trace read into regular series, with what the reader dropped.</summary>
/// <param name="Source">The path read.</param>
/// <param name="Format">The format it was read as (<c>bitbrains</c>, <c>swf</c>, <c>prescient-csv</c>, <c>cluster-csv</c>).</param>
/// <param name="StepSeconds">The grid step shared by every series.</param>
/// <param name="Series">The series, in a deterministic order (entity, then resource).</param>
/// <param name="Diagnostics">Dropped and repaired samples by reason.</param>
/// <param name="Jobs">The job records for SWF traces (input of the arrivals model); empty for usage traces.</param>
public sealed record Trace(string Source, string Format, int StepSeconds, IReadOnlyList<TraceSeries> Series, TraceDiagnostics Diagnostics, IReadOnlyList<JobRecord> Jobs);
