using System.Runtime.CompilerServices;
namespace Prescient.Optimization.Linear;

/// <summary>
/// Approximate minimum degree ordering of a symmetric sparsity pattern (Amestoy, Davis and Duff, 1996),
/// on the quotient graph: eliminated pivots become elements, the external degree of each variable is
/// bounded by |A_i| + |L_p \ i| + Σ_e |L_e \ L_p| (computed with the w(e) counters of the paper), and
/// elements whose pattern is inside the new element are absorbed. Dense rows (degree above
/// 10·√n, at least 16) are taken out first and ordered last, as the paper recommends.
/// </summary>
public static class AmdOrdering
{
    /// <summary>
    /// Orders the symmetric pattern given by adjacency lists (<paramref name="start"/>, <paramref name="adjacency"/>;
    /// self-loops and duplicates allowed, both directions required). Returns <c>perm</c> with <c>perm[k]</c> = the node eliminated k-th.
    /// Deterministic: ties go to the lowest degree bucket's most recently inserted node.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int[] Order(int n, ReadOnlySpan<int> start, ReadOnlySpan<int> adjacency)
    {
        var perm = new int[n];
        if (n == 0)
        {
            return perm;
        }

        var denseThreshold = Math.Max(16, (int)(10 * Math.Sqrt(n)));
        var adj = new List<int>[n];
        var elems = new List<int>[n];
        var elemVars = new int[n][];
        var status = new byte[n]; // 0 variable, 1 element (alive), 2 dead (absorbed element), 3 dense (postponed)
        var mark = new int[n];
        var w = new int[n];
        var wStamp = new int[n];
        var degree = new int[n];
        var head = new int[n + 1];
        var next = new int[n];
        var prev = new int[n];
        Array.Fill(head, -1);
        Array.Fill(next, -1);
        Array.Fill(prev, -1);

        var stamp = 0;
        var denseList = new List<int>();
        for (var i = 0; i < n; i++)
        {
            stamp++;
            mark[i] = stamp;
            var distinct = 0;
            for (var p = start[i]; p < start[i + 1]; p++)
            {
                var j = adjacency[p];
                if (mark[j] != stamp)
                {
                    mark[j] = stamp;
                    distinct++;
                }
            }

            if (distinct > denseThreshold)
            {
                status[i] = 3;
                denseList.Add(i);
            }
        }

        for (var i = 0; i < n; i++)
        {
            if (status[i] == 3)
            {
                continue;
            }

            stamp++;
            mark[i] = stamp;
            var list = new List<int>(start[i + 1] - start[i]);
            for (var p = start[i]; p < start[i + 1]; p++)
            {
                var j = adjacency[p];
                if (mark[j] != stamp && status[j] != 3)
                {
                    mark[j] = stamp;
                    list.Add(j);
                }
            }

            adj[i] = list;
            elems[i] = [];
            degree[i] = list.Count;
            Insert(i, degree[i]);
        }

        var remaining = n - denseList.Count;
        var k = 0;
        var minDegree = 0;
        var lp = new List<int>();
        while (k < remaining)
        {
            while (head[minDegree] < 0)
            {
                minDegree++;
            }

            var pivot = head[minDegree];
            Remove(pivot);
            perm[k++] = pivot;

            // L_p = (A_p ∪ ⋃_{e ∈ E_p} L_e) \ {p}; the elements of E_p are absorbed into p.
            stamp++;
            mark[pivot] = stamp;
            lp.Clear();
            foreach (var v in adj[pivot])
            {
                if (status[v] == 0 && mark[v] != stamp)
                {
                    mark[v] = stamp;
                    lp.Add(v);
                }
            }

            foreach (var e in elems[pivot])
            {
                if (status[e] != 1)
                {
                    continue;
                }

                foreach (var v in elemVars[e])
                {
                    if (status[v] == 0 && mark[v] != stamp)
                    {
                        mark[v] = stamp;
                        lp.Add(v);
                    }
                }

                status[e] = 2;
                elemVars[e] = [];
            }

            status[pivot] = 1;
            elemVars[pivot] = [.. lp];
            adj[pivot] = [];
            elems[pivot] = [];
            var lpStamp = stamp;

            // Update the lists of every variable in L_p and count |L_e ∩ L_p| into w(e).
            stamp++;
            var wRound = stamp;
            foreach (var i in lp)
            {
                Remove(i);
                var el = elems[i];
                var write = 0;
                for (var t = 0; t < el.Count; t++)
                {
                    var e = el[t];
                    if (status[e] != 1)
                    {
                        continue;
                    }

                    el[write++] = e;
                    if (wStamp[e] != wRound)
                    {
                        wStamp[e] = wRound;
                        w[e] = elemVars[e].Length;
                    }

                    w[e]--;
                }

                el.RemoveRange(write, el.Count - write);
                el.Add(pivot);

                var al = adj[i];
                write = 0;
                for (var t = 0; t < al.Count; t++)
                {
                    var v = al[t];
                    if (status[v] == 0 && mark[v] != lpStamp)
                    {
                        al[write++] = v;
                    }
                }

                al.RemoveRange(write, al.Count - write);
            }

            // Approximate external degrees; absorb elements whose pattern lies inside L_p.
            var limit = remaining - k;
            foreach (var i in lp)
            {
                var d = adj[i].Count + lp.Count - 1;
                var el = elems[i];
                var write = 0;
                for (var t = 0; t < el.Count; t++)
                {
                    var e = el[t];
                    if (e == pivot)
                    {
                        el[write++] = e;
                        continue;
                    }

                    if (status[e] != 1)
                    {
                        continue;
                    }

                    var outside = wStamp[e] == wRound ? w[e] : elemVars[e].Length;
                    if (outside <= 0)
                    {
                        status[e] = 2;
                        elemVars[e] = [];
                        continue;
                    }

                    d += outside;
                    el[write++] = e;
                }

                el.RemoveRange(write, el.Count - write);
                degree[i] = Math.Max(0, Math.Min(d, limit - 1));
                Insert(i, degree[i]);
                if (degree[i] < minDegree)
                {
                    minDegree = degree[i];
                }
            }
        }

        // Dense nodes last, in increasing order of their original degree (ties by index).
        var denseKeys = new long[denseList.Count];
        var denseNodes = denseList.ToArray();
        for (var t = 0; t < denseNodes.Length; t++)
        {
            denseKeys[t] = ((long)(start[denseNodes[t] + 1] - start[denseNodes[t]]) << 32) | (uint)denseNodes[t];
        }

        Array.Sort(denseKeys, denseNodes);
        foreach (var i in denseNodes)
        {
            perm[k++] = i;
        }

        return perm;

        void Insert(int i, int d)
        {
            next[i] = head[d];
            prev[i] = -1;
            if (head[d] >= 0)
            {
                prev[head[d]] = i;
            }

            head[d] = i;
            degree[i] = d;
        }

        void Remove(int i)
        {
            var d = degree[i];
            if (prev[i] >= 0)
            {
                next[prev[i]] = next[i];
            }
            else if (head[d] == i)
            {
                head[d] = next[i];
            }
            else
            {
                return;
            }

            if (next[i] >= 0)
            {
                prev[next[i]] = prev[i];
            }

            prev[i] = -1;
            next[i] = -1;
        }
    }
}
