namespace Prescient.Forecasting.Load;

/// <summary>A job running now: its allocation in processors (cores), when it started and its time limit.</summary>
/// <param name="JobId">Scheduler job id.</param>
/// <param name="User">Owner.</param>
/// <param name="Group">Owner's group (account).</param>
/// <param name="Processors">Processors (cores) allocated.</param>
/// <param name="StartSeconds">Unix start time.</param>
/// <param name="RequestedSeconds">Time limit in seconds; 0 or less when unknown.</param>
public sealed record RunningJob(string JobId, string User, string Group, int Processors, long StartSeconds, long RequestedSeconds);

/// <summary>A job waiting in the scheduler's queue.</summary>
/// <param name="JobId">Scheduler job id.</param>
/// <param name="User">Owner.</param>
/// <param name="Group">Owner's group.</param>
/// <param name="Processors">Processors requested.</param>
/// <param name="SubmitSeconds">Unix submit time.</param>
/// <param name="ExpectedStartSeconds">The scheduler's expected start (Slurm's <c>StartTime</c>), or null when it gives none (then the learned typical wait is used).</param>
/// <param name="RequestedSeconds">Time limit; 0 or less when unknown.</param>
public sealed record PendingJob(string JobId, string User, string Group, int Processors, long SubmitSeconds, long? ExpectedStartSeconds, long RequestedSeconds);

/// <summary>A registered event (from the API): extra demand of a resource over a window, e.g. a conference deadline.</summary>
/// <param name="Name">Event name.</param>
/// <param name="StartSeconds">Window start, Unix seconds.</param>
/// <param name="EndSeconds">Window end (exclusive).</param>
/// <param name="ExtraProcessors">Extra processors (cores) in use during the window.</param>
public sealed record RegisteredEvent(string Name, long StartSeconds, long EndSeconds, double ExtraProcessors);

/// <summary>A scheduled task (cron-like): a fixed demand for a duration, once or repeating.</summary>
/// <param name="Name">Task name.</param>
/// <param name="FirstStartSeconds">First run, Unix seconds.</param>
/// <param name="DurationSeconds">How long each run lasts.</param>
/// <param name="Processors">Processors (cores) each run uses.</param>
/// <param name="RepeatEverySeconds">Period; 0 = runs once.</param>
public sealed record ScheduledTask(string Name, long FirstStartSeconds, long DurationSeconds, double Processors, long RepeatEverySeconds);
