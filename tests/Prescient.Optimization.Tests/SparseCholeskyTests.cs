using Prescient.Optimization.Linear;

namespace Prescient.Optimization.Tests;

public sealed class SparseCholeskyTests
{
    [Theory]
    [InlineData(1, 5)]
    [InlineData(2, 40)]
    [InlineData(3, 200)]
    public void Factorize_RandomSparsePositiveDefinite_SolvesWithSmallResidual(int seed, int n)
    {
        var random = new Random(seed);
        var dense = new double[n, n];
        for (var i = 0; i < n; i++)
        {
            for (var k = 0; k < 3; k++)
            {
                var j = random.Next(n);
                if (j == i)
                {
                    continue;
                }

                var v = random.NextDouble() - 0.5;
                dense[i, j] += v;
                dense[j, i] += v;
            }
        }

        for (var i = 0; i < n; i++)
        {
            var sum = 0.0;
            for (var j = 0; j < n; j++)
            {
                sum += Math.Abs(dense[i, j]);
            }

            dense[i, i] = sum + 1;
        }

        // Adjacency and ordering.
        var start = new int[n + 1];
        var adjacency = new List<int>();
        for (var i = 0; i < n; i++)
        {
            start[i] = adjacency.Count;
            for (var j = 0; j < n; j++)
            {
                if (j != i && dense[i, j] != 0)
                {
                    adjacency.Add(j);
                }
            }
        }

        start[n] = adjacency.Count;
        var perm = AmdOrdering.Order(n, start, adjacency.ToArray());
        Assert.Equal(Enumerable.Range(0, n), perm.Order());
        var inverse = new int[n];
        for (var k = 0; k < n; k++)
        {
            inverse[perm[k]] = k;
        }

        var upperStart = new int[n + 1];
        var upperRows = new List<int>();
        var upperValues = new List<double>();
        for (var k = 0; k < n; k++)
        {
            upperStart[k] = upperRows.Count;
            var entries = new List<(int Row, double Value)>();
            for (var i = 0; i < n; i++)
            {
                var pi = inverse[i];
                if (pi <= k && dense[i, perm[k]] != 0)
                {
                    entries.Add((pi, dense[i, perm[k]]));
                }
            }

            foreach (var (row, value) in entries.OrderBy(e => e.Row))
            {
                upperRows.Add(row);
                upperValues.Add(value);
            }
        }

        upperStart[n] = upperRows.Count;
        var cholesky = new SparseCholesky(n, upperStart, [.. upperRows]);
        upperValues.CopyTo(cholesky.Values);
        Assert.True(cholesky.Factorize());
        Assert.Equal(0, cholesky.ReplacedPivots);

        var b = new double[n];
        for (var i = 0; i < n; i++)
        {
            b[i] = random.NextDouble();
        }

        var permuted = new double[n];
        for (var k = 0; k < n; k++)
        {
            permuted[k] = b[perm[k]];
        }

        cholesky.Solve(permuted);
        var x = new double[n];
        for (var k = 0; k < n; k++)
        {
            x[perm[k]] = permuted[k];
        }

        for (var i = 0; i < n; i++)
        {
            var r = -b[i];
            for (var j = 0; j < n; j++)
            {
                r += dense[i, j] * x[j];
            }

            Assert.True(Math.Abs(r) < 1e-10, $"row {i}: residual {r}");
        }
    }
}
