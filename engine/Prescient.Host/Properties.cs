using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("Prescient.Host.Tests")]
