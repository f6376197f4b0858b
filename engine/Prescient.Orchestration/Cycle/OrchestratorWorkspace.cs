namespace Prescient.Orchestration.Cycle;

/// <summary>
/// Every buffer the cycle uses, sized once for the cluster's shape and reused; it grows (doubling) only when the
/// cluster grows, so a steady cluster's cycles allocate nothing. Indexing: per job <c>j</c>; per pair <c>j * R + r</c>
/// (the reserve pseudo-job of node n is job <c>JobCount + n</c>); per (node, resource) <c>n * R + r</c>; per series slot
/// <c>s</c> (R consecutive slots per job, <c>s / R</c> is the job's slot group). Not thread-safe.
/// </summary>
public sealed class OrchestratorWorkspace
{
    private const int R = OrchestratedResources.Count;

    /// <summary>(Job, resource) pairs of the last snapshot (without the reserve pseudo-jobs).</summary>
    public int Pairs { get; internal set; }

    internal int[] JobSlot = [];
    internal double[] Demand = [];
    internal sbyte[] DemandHorizon = [];
    internal byte[] PairReason = [];
    internal bool[] PairSpike = [];
    internal double[] Floor = [];
    internal double[] Margin = [];
    internal double[] Allocation = [];
    internal double[] Current = [];
    internal double[] Predicted = [];
    internal int[] ObserveSeries = [];
    internal double[] ObserveValues = [];
    internal double[] ObserveScore = [];
    internal double[] ForecastOutput = [];
    internal bool[] FailStatic = [];
    internal double[] NodeFloorBase = [];
    internal double[] NodeMarginSum = [];
    internal double[] NodeLowSum = [];
    internal double[] NodeAllocSum = [];
    internal double[] NodeFloorSum = [];
    internal double[] NodePredicted = [];
    internal double[] NodeCapacityLp = [];
    internal double[] ReserveDemand = [];
    internal double[] ReserveAllocation = [];
    internal bool[] NodeUnbounded = [];
    internal int[] NodeJobStart = [];
    internal int[] NodeJobs = [];
    internal int[] NumaOffset = [];
    internal double[] NumaLoad = [];
    internal readonly double[] SystemDemand = new double[R];
    internal readonly double[] SystemCapacity = new double[R];
    internal readonly double[] LinkLow = new double[2];

    // Per series slot and per slot group; they grow with the forecasters' slots.
    internal long[] SlotSeen = [];
    internal long[] LastSampleSeconds = [];
    internal ulong[] CommandCycle = [];
    internal double[] CommandedCpu = [];
    internal double[] CommandedMemory = [];
    internal double[] AccumulatedSum = [];
    internal int[] AccumulatedCount = [];
    internal int[] History = [];
    internal double[] SlotForecast = [];
    internal double[] SlotFallbackForecast = [];

    // The trailing usage peak per series slot: PeakBuckets sub-window maxima, the epoch of the newest and the slot's
    // step count when it was written (see Orchestrator.TrailingPeak).
    internal const int PeakBuckets = 8;
    internal double[] PeakBucket = [];
    internal long[] PeakEpoch = [];
    internal int[] PeakHistory = [];

    internal void Ensure(ClusterSnapshot s, int width)
    {
        var jobs = s.JobCount;
        var nodes = s.NodeCount;
        Pairs = jobs * R;
        var lpPairs = (jobs + nodes) * R;
        if (JobSlot.Length < jobs)
        {
            var c = Math.Max(jobs, JobSlot.Length * 2);
            JobSlot = new int[c];
            NodeJobs = new int[c];
            ObserveSeries = new int[c * R];
            ObserveValues = new double[c * R];
            ObserveScore = new double[c * R];
            ForecastOutput = new double[c * R * width];
        }

        if (Floor.Length < lpPairs)
        {
            var c = Math.Max(lpPairs, Floor.Length * 2);
            Demand = new double[c * 3];
            DemandHorizon = new sbyte[c];
            PairReason = new byte[c];
            PairSpike = new bool[c];
            Floor = new double[c];
            Margin = new double[c];
            Allocation = new double[c];
            Current = new double[c];
            Predicted = new double[c];
        }

        if (FailStatic.Length < nodes)
        {
            var c = Math.Max(nodes, FailStatic.Length * 2);
            FailStatic = new bool[c];
            NodeUnbounded = new bool[c * R];
            NodeFloorBase = new double[c * R];
            NodeMarginSum = new double[c * R];
            NodeLowSum = new double[c * R];
            NodeAllocSum = new double[c * R];
            NodeFloorSum = new double[c * R];
            NodePredicted = new double[c * R];
            NodeCapacityLp = new double[c * R];
            ReserveDemand = new double[c * R];
            var reserve = new double[c * R];
            ReserveAllocation.AsSpan().CopyTo(reserve);
            ReserveAllocation = reserve;
            NodeJobStart = new int[c + 1];
            NumaOffset = new int[c + 1];
        }
    }

    internal void EnsureSlots(int slots, int width)
    {
        if (AccumulatedSum.Length >= slots)
        {
            return;
        }

        var c = Math.Max(slots, AccumulatedSum.Length * 2);
        var groups = (c + R - 1) / R;
        Array.Resize(ref SlotSeen, groups);
        Array.Resize(ref LastSampleSeconds, groups);
        Array.Resize(ref CommandCycle, groups);
        Array.Resize(ref CommandedCpu, groups);
        Array.Resize(ref CommandedMemory, groups);
        Array.Resize(ref AccumulatedSum, c);
        Array.Resize(ref AccumulatedCount, c);
        Array.Resize(ref History, c);
        Array.Resize(ref SlotForecast, c * width);
        Array.Resize(ref SlotFallbackForecast, c * width);
        var first = PeakEpoch.Length;
        Array.Resize(ref PeakBucket, c * PeakBuckets);
        Array.Resize(ref PeakEpoch, c);
        Array.Resize(ref PeakHistory, c);
        PeakEpoch.AsSpan(first).Fill(long.MinValue / 2);
    }

    internal void EnsureNuma(int total)
    {
        if (NumaLoad.Length < total)
        {
            NumaLoad = new double[Math.Max(total, NumaLoad.Length * 2)];
        }
    }
}
