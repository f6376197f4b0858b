using System.Text.Json;
using Prescient.Optimization.Model;

namespace Prescient.Optimization.Ipm;

/// <summary>
/// The JSON form of a solve, shared by <c>prescient lp solve --json</c> and the benchmark harness:
/// <c>status</c> (optimal | infeasible | unbounded | iteration_limit | time_limit | numerical_error), <c>objective</c>
/// (model's own sense, constant included; null when not finite), <c>iterations</c>, <c>seconds</c> (solve only),
/// <c>primal_residual</c>, <c>dual_residual</c>, <c>relative_gap</c>, <c>path</c>, <c>reason</c>, the model's
/// <c>rows</c>, <c>columns</c>, <c>nonzeros</c> and what presolve removed.
/// </summary>
public static class LpResultJson
{
    public static void Write(Utf8JsonWriter writer, LpResult result, LinearProgram model, string? file)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(model);
        writer.WriteStartObject();
        if (file is not null)
        {
            writer.WriteString("file", file);
        }

        writer.WriteString("status", result.Status.Name());
        Number(writer, "objective", result.Objective);
        writer.WriteNumber("iterations", result.Iterations);
        writer.WriteNumber("seconds", result.Seconds);
        Number(writer, "primal_residual", result.PrimalResidual);
        Number(writer, "dual_residual", result.DualResidual);
        Number(writer, "relative_gap", result.RelativeGap);
        writer.WriteString("path", result.Path);
        writer.WriteString("reason", result.Reason);
        writer.WriteNumber("rows", model.RowCount);
        writer.WriteNumber("columns", model.ColumnCount);
        writer.WriteNumber("nonzeros", model.NonZeroCount);
        writer.WriteNumber("presolve_removed_rows", result.PresolveRemovedRows);
        writer.WriteNumber("presolve_removed_columns", result.PresolveRemovedColumns);
        writer.WriteEndObject();
    }

    private static void Number(Utf8JsonWriter writer, string name, double value)
    {
        if (double.IsFinite(value))
        {
            writer.WriteNumber(name, value);
        }
        else
        {
            writer.WriteNull(name);
        }
    }
}
