namespace Prescient.Optimization.Linear;

/// <summary>
/// A block-angular partition of the rows of a matrix: every column touches rows of at most one block
/// plus any number of linking rows. Found automatically: rows much denser than the average become
/// linking rows; the rest fall into blocks as the connected components of the row-column graph.
/// </summary>
internal sealed class BlockStructure
{
    /// <summary>Largest block the structured path accepts (dense Cholesky per block).</summary>
    public const int MaxBlockRows = 32;

    /// <summary>Most linking rows the structured path accepts (dense Schur complement).</summary>
    public const int MaxLinkingRows = 64;

    private BlockStructure(int[] blockStart, int[] blockRows, int[] linkingRows, int[] blockOf, int[] localIndex)
    {
        BlockStart = blockStart;
        BlockRows = blockRows;
        LinkingRows = linkingRows;
        BlockOf = blockOf;
        LocalIndex = localIndex;
    }

    /// <summary>Rows of block b are <c>BlockRows[BlockStart[b] .. BlockStart[b+1])</c>.</summary>
    public int[] BlockStart { get; }

    public int[] BlockRows { get; }

    public int[] LinkingRows { get; }

    public int BlockCount => BlockStart.Length - 1;

    /// <summary>Per row: its block, or -1 for a linking row.</summary>
    public int[] BlockOf { get; }

    /// <summary>Per row: index inside its block, or inside <see cref="LinkingRows"/> for a linking row.</summary>
    public int[] LocalIndex { get; }

    /// <summary>
    /// The structure of <paramref name="a"/>, or null when it is not block-angular with small blocks. The linking rows
    /// are <paramref name="linkingRows"/> when the caller knows them (the allocation LP's budgets), else the rows denser
    /// than max(64, 8× the mean).
    /// </summary>
    public static BlockStructure? Detect(SparseMatrix a, bool[]? linkingRows = null)
    {
        var m = a.RowCount;
        if (m == 0)
        {
            return null;
        }

        var rowCount = new int[m];
        for (var p = 0; p < a.NonZeroCount; p++)
        {
            rowCount[a.RowIndex[p]]++;
        }

        var threshold = Math.Max(64, 8.0 * a.NonZeroCount / m);
        var isLinking = new bool[m];
        var linking = new List<int>();
        for (var i = 0; i < m; i++)
        {
            if (linkingRows is not null ? linkingRows[i] : rowCount[i] > threshold)
            {
                isLinking[i] = true;
                linking.Add(i);
            }
        }

        if (linking.Count > MaxLinkingRows)
        {
            return null;
        }

        // Union-find over non-linking rows sharing a column.
        var parent = new int[m];
        for (var i = 0; i < m; i++)
        {
            parent[i] = i;
        }

        for (var j = 0; j < a.ColumnCount; j++)
        {
            var first = -1;
            for (var p = a.ColumnStart[j]; p < a.ColumnStart[j + 1]; p++)
            {
                var i = a.RowIndex[p];
                if (isLinking[i])
                {
                    continue;
                }

                if (first < 0)
                {
                    first = Find(parent, i);
                }
                else
                {
                    var root = Find(parent, i);
                    if (root != first)
                    {
                        parent[root] = first;
                    }
                }
            }
        }

        var blockIdOfRoot = new int[m];
        Array.Fill(blockIdOfRoot, -1);
        var blockOf = new int[m];
        var sizes = new List<int>();
        for (var i = 0; i < m; i++)
        {
            if (isLinking[i])
            {
                blockOf[i] = -1;
                continue;
            }

            var root = Find(parent, i);
            if (blockIdOfRoot[root] < 0)
            {
                blockIdOfRoot[root] = sizes.Count;
                sizes.Add(0);
            }

            var b = blockIdOfRoot[root];
            blockOf[i] = b;
            sizes[b]++;
            if (sizes[b] > MaxBlockRows)
            {
                return null;
            }
        }

        var blockStart = new int[sizes.Count + 1];
        for (var b = 0; b < sizes.Count; b++)
        {
            blockStart[b + 1] = blockStart[b] + sizes[b];
        }

        var fill = (int[])blockStart.Clone();
        var blockRows = new int[blockStart[^1]];
        var localIndex = new int[m];
        for (var i = 0; i < m; i++)
        {
            var b = blockOf[i];
            if (b < 0)
            {
                continue;
            }

            localIndex[i] = fill[b] - blockStart[b];
            blockRows[fill[b]++] = i;
        }

        for (var l = 0; l < linking.Count; l++)
        {
            localIndex[linking[l]] = l;
        }

        return new BlockStructure(blockStart, blockRows, [.. linking], blockOf, localIndex);
    }

    private static int Find(int[] parent, int i)
    {
        while (parent[i] != i)
        {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }

        return i;
    }
}
