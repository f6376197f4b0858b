namespace Prescient.Optimization.Mps;

/// <summary>MPS dialect. <see cref="Auto"/> reads both: fields split on white space, falling back to the fixed columns of the classic format when a line only makes sense that way.</summary>
public enum MpsFormat
{
    Auto = 0,
    Fixed = 1,
    Free = 2,
}
