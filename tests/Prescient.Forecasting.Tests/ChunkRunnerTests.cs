using Prescient.Abstractions.Threading;

namespace Prescient.Forecasting.Tests;

public sealed class ChunkRunnerTests
{
    [Fact]
    public void Run_ManyRuns_EveryChunkOnceAndOneThreadPerLane()
    {
        var runner = new ChunkRunner(helpers: 2);
        var active = new int[runner.Helpers + 1];
        var overlap = 0;
        var lanesSeen = new HashSet<int>();
        for (var run = 0; run < 300; run++)
        {
            var chunks = 1 + (run % 40);
            var counts = new int[chunks];
            runner.Run(chunks, (lane, chunk) =>
            {
                if (Interlocked.Increment(ref active[lane]) != 1)
                {
                    Interlocked.Increment(ref overlap);
                }

                lock (lanesSeen)
                {
                    lanesSeen.Add(lane);
                }

                Interlocked.Increment(ref counts[chunk]);
                Thread.SpinWait(2000);
                Interlocked.Decrement(ref active[lane]);
            });
            Assert.All(counts, c => Assert.Equal(1, c));
        }

        Assert.Equal(0, overlap);
        Assert.Contains(0, lanesSeen);
        Assert.All(lanesSeen, lane => Assert.InRange(lane, 0, runner.Helpers));
    }

    [Fact]
    public void Run_OneChunk_RunsOnTheCaller()
    {
        var runner = new ChunkRunner(helpers: 3);
        var thread = -1;
        var lane = -1;
        runner.Run(1, (l, _) =>
        {
            thread = Environment.CurrentManagedThreadId;
            lane = l;
        });
        Assert.Equal(Environment.CurrentManagedThreadId, thread);
        Assert.Equal(0, lane);
    }

    [Fact]
    public void Run_ChunkThrows_OthersRunThenFailureRethrownAndRunnerStillWorks()
    {
        var runner = new ChunkRunner(helpers: 1);
        var ran = 0;
        var e = Assert.Throws<InvalidOperationException>(() => runner.Run(20, (_, chunk) =>
        {
            Interlocked.Increment(ref ran);
            if (chunk == 7)
            {
                throw new ArithmeticException("chunk 7");
            }
        }));
        Assert.IsType<ArithmeticException>(e.InnerException);
        Assert.Equal(20, ran);
        var after = 0;
        runner.Run(5, (_, _) => Interlocked.Increment(ref after));
        Assert.Equal(5, after);
    }

    [Fact]
    public void Run_Warm_AllocatesNothingOnTheCaller()
    {
        var runner = new ChunkRunner(helpers: 1);
        var sums = new long[16];
        Action<int, int> body = (_, chunk) =>
        {
            for (var i = 0; i < 20_000; i++)
            {
                sums[chunk] += i;
            }
        };
        for (var i = 0; i < 20; i++)
        {
            runner.Run(sums.Length, body);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 50; i++)
        {
            runner.Run(sums.Length, body);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
