namespace Prescient.Forecasting.Traces;

/// <summary>One job of a job log (SWF): times in Unix seconds, resources as requested and used. Unknown = -1.</summary>
/// <param name="JobId">The log's job number.</param>
/// <param name="SubmitSeconds">Submit time.</param>
/// <param name="StartSeconds">Start time (submit + wait).</param>
/// <param name="RunSeconds">Run time.</param>
/// <param name="Processors">Processors allocated (or requested when allocation is unknown).</param>
/// <param name="MemoryBytesPerProcessor">Used memory per processor, -1 when unknown.</param>
/// <param name="User">User id as text.</param>
/// <param name="Group">Group id as text.</param>
/// <param name="Program">Executable id as text.</param>
/// <param name="RequestedSeconds">Requested time limit, -1 when unknown.</param>
public readonly record struct JobRecord(long JobId, long SubmitSeconds, long StartSeconds, long RunSeconds, int Processors, double MemoryBytesPerProcessor, string User, string Group, string Program, long RequestedSeconds = -1);
