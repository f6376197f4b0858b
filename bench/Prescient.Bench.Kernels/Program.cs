using BenchmarkDotNet.Running;

namespace Prescient.Bench.Kernels;

public static class Program
{
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
