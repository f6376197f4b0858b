namespace Prescient.Agent.Actuators.Policy;

/// <summary>What a command asks for (mirrors prescient.v1.CommandKind).</summary>
public enum ActuationKind
{
    /// <summary>cpu quota and weight, memory high and max; the four fields are set as given (0 = remove).</summary>
    SetLimits,

    /// <summary>cpuset cpus and mems (NUMA placement).</summary>
    SetCpuset,

    /// <summary>tc HTB class for the job (0 bits/s = remove the class).</summary>
    ReserveBandwidth,

    /// <summary>Read files into the page cache.</summary>
    Prefetch,

    /// <summary>Drop every limit and reservation Prescient set for the job.</summary>
    ReleaseJob,
}
