using Prescient.Abstractions.Forecasting;

namespace Prescient.Forecasting.Traces;

/// <summary>
/// One regular series of a trace: <see cref="Values"/>[i] is the mean value over the step ending at
/// <c>StartSeconds + i * StepSeconds</c>, in the resource's unit, or NaN where the trace has no valid sample.
/// </summary>
/// <param name="Key">Entity and resource.</param>
/// <param name="Group">The entity's group for the hierarchical cold-start prior (a user's account, a VM's trace); never null.</param>
/// <param name="StartSeconds">Unix seconds of the first value.</param>
/// <param name="StepSeconds">Seconds between values.</param>
/// <param name="Values">The values on the grid, NaN for gaps.</param>
public sealed record TraceSeries(SeriesKey Key, string Group, long StartSeconds, int StepSeconds, float[] Values)
{
    /// <summary>
    /// What the entity was provisioned with for this resource, in the series' unit, where the trace says (a Bitbrains
    /// VM's CPU cores; the synthetic workload's); NaN where it does not.
    /// </summary>
    public double Capacity { get; init; } = double.NaN;

    /// <summary>Number of non-NaN values.</summary>
    public int ValidCount
    {
        get
        {
            var n = 0;
            foreach (var v in Values)
            {
                if (!float.IsNaN(v))
                {
                    n++;
                }
            }

            return n;
        }
    }
}
