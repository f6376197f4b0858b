using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("Prescient.Optimization.Tests")]
[assembly: InternalsVisibleTo("Prescient.Bench.Solvers")]
