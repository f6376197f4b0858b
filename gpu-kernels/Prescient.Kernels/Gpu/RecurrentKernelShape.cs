namespace Prescient.Kernels.Gpu;

/// <summary>Scalar arguments of <see cref="RecurrentKernels.Rollout"/>, passed by value to the device.</summary>
internal struct RecurrentKernelShape
{
    public int InputSize;
    public int HiddenSize;
    public int OutputSize;
    public int SeriesPerGroup;
    public int BatchSeries;
    public int Steps;
    public int IsLstm;
}
