namespace Prescient.Forecasting.Training;

/// <summary>Settings of <see cref="LstmTrainer"/>.</summary>
public sealed class LstmTrainingOptions
{
    /// <summary>Hidden units. Default 32.</summary>
    public int HiddenSize { get; set; } = 32;

    /// <summary>Steps per training window (truncated BPTT length). Default 96 (8 h of 5-min steps).</summary>
    public int WindowSteps { get; set; } = 96;

    /// <summary>Leading steps of each window that only build state and are not scored. Default 24.</summary>
    public int BurnInSteps { get; set; } = 24;

    /// <summary>Windows per Adam step. Default 32.</summary>
    public int BatchSize { get; set; } = 32;

    /// <summary>Adam steps at most. Default 1,500.</summary>
    public int Iterations { get; set; } = 1500;

    /// <summary>Wall-clock cap in seconds; training stops early when reached. Default 600.</summary>
    public double MaxSeconds { get; set; } = 600;

    /// <summary>Peak Adam learning rate (cosine-decayed to a tenth). Default 0.003.</summary>
    public double LearningRate { get; set; } = 0.003;

    /// <summary>Global gradient-norm clip. Default 1.</summary>
    public double GradientClip { get; set; } = 1.0;

    /// <summary>Seed of window sampling and initialization.</summary>
    public int Seed { get; set; } = 1;

    /// <summary>Worker threads computing gradients of a batch in parallel. Default 2.</summary>
    public int Threads { get; set; } = 2;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> on an invalid setting.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(HiddenSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(WindowSteps, 2);
        ArgumentOutOfRangeException.ThrowIfNegative(BurnInSteps);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(BurnInSteps, WindowSteps);
        ArgumentOutOfRangeException.ThrowIfLessThan(BatchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(Iterations, 1);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxSeconds);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(LearningRate);
        ArgumentOutOfRangeException.ThrowIfLessThan(Threads, 1);
    }
}
