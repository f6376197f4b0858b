using Prescient.Abstractions.Telemetry;

namespace Prescient.Forecasting.Synthetic;

/// <summary>
/// Parameters of the synthetic workload, as measured on the real traces by <see cref="SyntheticCalibration"/>.
/// Usage: each VM has provisioned cores, 2^N with N normal across VMs (<see cref="CpuCoresLog2Mean"/>,
/// <see cref="CpuCoresLog2Sd"/>), and a mean utilization of them that is log-normal across VMs
/// (<see cref="CpuUtilizationLogMean"/>, <see cref="CpuUtilizationLogSd"/>, at most 1); its memory level (bytes) is
/// log-normal across VMs; CPU over time is level × hour-of-day shape × weekday shape × log-normal noise (σ = <see cref="CpuNoiseSigma"/>, AR(1) with
/// <see cref="CpuNoiseAutocorrelation"/>) × occasional spikes (a share <see cref="SpikeProbability"/> of the steps,
/// × <see cref="SpikeMultiplier"/>, in bursts: a spike step is followed by another with probability
/// <see cref="SpikeContinuation"/>), never above the provisioned cores; memory over time is its level × log-normal noise of its own (σ
/// <see cref="MemoryNoiseSigma"/>, autocorrelation <see cref="MemoryNoiseAutocorrelation"/>); memory, network and disk
/// follow CPU with the measured correlations. Network received and transmitted and disk read and written (the
/// <c>Io…</c> arrays, in <see cref="IoResources"/> order) each have, per VM, a level whose log ratio to the VM's mean CPU
/// is normal across VMs (<see cref="IoToCpuLogRatio"/>, <see cref="IoToCpuLogRatioSd"/>), runs of zeros (a share
/// <see cref="IoZeroShare"/> of a reporting VM's steps, a zero followed by another with probability
/// <see cref="IoZeroContinuation"/>: on Bitbrains most VMs read nothing from disk most of the time) and a log-noise of
/// their own (<see cref="IoNoiseSigma"/>, <see cref="IoNoiseAutocorrelation"/>, measured as CPU's is). A share <see cref="OffVmShare"/> of the VMs switch off at times (every
/// resource 0): off for a share <see cref="OffShare"/> of their steps, an off step followed by another with probability
/// <see cref="OffContinuation"/>. The noise and spike figures are statistics of the trace; the
/// generator's settings that reproduce them are <see cref="SyntheticDynamics"/>. Jobs: per-user submission rates are
/// log-normal across users, shaped by hour of day; runtimes are log-normal; processors are 2^N with N normal.
/// </summary>
public sealed record SyntheticParameters(
    double[] HourOfDayShape,
    double[] WeekdayShape,
    double CpuNoiseSigma,
    double CpuNoiseAutocorrelation,
    double SpikeProbability,
    double SpikeMultiplier,
    double SpikeContinuation,
    double MemoryNoiseSigma,
    double MemoryNoiseAutocorrelation,
    double OffVmShare,
    double OffShare,
    double OffContinuation,
    double CpuMemoryCorrelation,
    double CpuNetworkCorrelation,
    double CpuDiskCorrelation,
    double CpuCoresLog2Mean,
    double CpuCoresLog2Sd,
    double CpuUtilizationLogMean,
    double CpuUtilizationLogSd,
    double MemoryBytesLogMean,
    double MemoryBytesLogSd,
    double JobsPerUserHourLogMean,
    double JobsPerUserHourLogSd,
    double[] ArrivalHourOfDayShape,
    double RuntimeLogMean,
    double RuntimeLogSd,
    double ProcessorsLog2Mean,
    double ProcessorsLog2Sd,
    double[] IoToCpuLogRatio,
    double[] IoToCpuLogRatioSd,
    double[] IoZeroShare,
    double[] IoZeroContinuation,
    double[] IoNoiseSigma,
    double[] IoNoiseAutocorrelation)
{
    /// <summary>The I/O resources of the <c>Io…</c> arrays, in their order.</summary>
    public static readonly ResourceKind[] IoResources = [ResourceKind.NetRx, ResourceKind.NetTx, ResourceKind.DiskRead, ResourceKind.DiskWrite];

    /// <summary>
    /// The embedded default, measured by <see cref="SyntheticCalibration.Measure"/> on Bitbrains GWA-T-12 Rnd 2013-7
    /// (60 VMs) and the KTH SP2 SWF log (see docs/models/forecasting.md for the command and the method).
    /// </summary>
    public static SyntheticParameters Default => Measured.Value;

}
