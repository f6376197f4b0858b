using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("Prescient.Optimization.Tests")]
