namespace Prescient.Forecasting.Synthetic;

/// <summary>
/// The parameters <see cref="SyntheticCalibration.Measure"/> printed for Bitbrains GWA-T-12 Rnd 2013-7 (60 VMs) and
/// KTH-SP2-1996-2.1-cln.swf (28,476 jobs), copied here so the default workload needs no data files.
/// <c>SyntheticCalibrationTests</c> re-measures them when the data is present and checks they still agree.
/// </summary>
internal static class Measured
{
    public static SyntheticParameters Value { get; } = new SyntheticParameters(
        HourOfDayShape: [0.9985, 1.1224, 0.9499, 0.8823, 0.8757, 0.9920, 0.8361, 0.8237, 0.8515, 1.2518, 0.8899, 0.8892, 1.0519, 1.0532, 1.0041, 1.0940, 1.0467, 1.0189, 1.0646, 1.0495, 1.0862, 1.0777, 1.0622, 1.0282],
        WeekdayShape: [0.8155, 1.0050, 1.0436, 0.9603, 0.9182, 1.1868, 1.0706],
        CpuNoiseSigma: 0.526549,
        CpuNoiseAutocorrelation: 0.66038,
        SpikeProbability: 0.0204895,
        SpikeMultiplier: 9.34374,
        SpikeContinuation: 0.696207,
        MemoryNoiseSigma: 0.63462,
        MemoryNoiseAutocorrelation: 0.419485,
        OffVmShare: 0.133333,
        OffShare: 0.0994203,
        OffContinuation: 0.631648,
        CpuMemoryCorrelation: 0.377341,
        CpuNetworkCorrelation: 0.339388,
        CpuDiskCorrelation: 0.332271,
        CpuCoresLog2Mean: 1.8,
        CpuCoresLog2Sd: 1.54919,
        CpuUtilizationLogMean: -3.44521,
        CpuUtilizationLogSd: 2.06367,
        MemoryBytesLogMean: 19.859,
        MemoryBytesLogSd: 1.52122,
        JobsPerUserHourLogMean: -5.6959,
        JobsPerUserHourLogSd: 2.05971,
        ArrivalHourOfDayShape: [0.3381, 0.2116, 0.1113, 0.0632, 0.0776, 0.1905, 0.5429, 1.3000, 1.7722, 1.8143, 1.7131, 1.8143, 2.1111, 2.0816, 2.1389, 1.9121, 1.6474, 0.8203, 0.7495, 0.6239, 0.5666, 0.5876, 0.4333, 0.3785],
        RuntimeLogMean: 6.45631,
        RuntimeLogSd: 2.94702,
        ProcessorsLog2Mean: 1.81418,
        ProcessorsLog2Sd: 1.69138,
        IoToCpuLogRatio: [11.0333, 9.71336, 8.92717, 11.0354],
        IoToCpuLogRatioSd: [1.8708, 2.87805, 3.35649, 3.04557],
        IoZeroShare: [0.430562, 0.200865, 0.830372, 0.0130195],
        IoZeroContinuation: [0.83466, 0.782452, 0.915103, 0.0602228],
        IoNoiseSigma: [1.25838, 0.673387, 1.88226, 0.669467],
        IoNoiseAutocorrelation: [0.292682, 0.297655, 0.0826384, 0.0657828]);
}
