using System.IO.Compression;
using System.Text;
using Prescient.Abstractions.Telemetry;
using Prescient.Forecasting.Traces;

namespace Prescient.Forecasting.Tests;

public sealed class TraceReaderTests : IDisposable
{
    private const string BitbrainsHeader = "Timestamp [ms];\tCPU cores;\tCPU capacity provisioned [MHZ];\tCPU usage [MHZ];\tCPU usage [%];\tMemory capacity provisioned [KB];\tMemory usage [KB];\tDisk read throughput [KB/s];\tDisk write throughput [KB/s];\tNetwork received throughput [KB/s];\tNetwork transmitted throughput [KB/s]";
    private readonly string _dir = Directory.CreateTempSubdirectory("prescient-trace-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    private static string Row(long t, double cpuMhz) => $"{t};\t2;\t4000.0;\t{cpuMhz};\t10.0;\t1000.0;\t500.0;\t1.0;\t2.0;\t3.0;\t4.0";

    [Fact]
    public void BitbrainsRead_QuirkyFile_DedupesGridsAndCounts()
    {
        var lines = new List<string>
        {
            BitbrainsHeader,
            Row(1000, 2000),
            Row(1300, 1000),
            Row(1300, 9999),                 // repeated timestamp: the first row wins
            "1600;\t2;\t4000.0",             // ragged
            "1700;\t0;\t0.0;\t0.0;\t0.0;\t0.0;\t0.0;\t0.0;\t0.0;\t0.0;\t0.0", // not reporting
            Row(2200, 500),                  // after a gap of 2 grid points
        };
        File.WriteAllLines(Path.Combine(_dir, "7.csv"), lines);
        var trace = BitbrainsReader.Read(_dir);
        Assert.Equal(6, trace.Series.Count);
        var cpu = trace.Series.Single(s => s.Key.Resource == ResourceKind.Cpu);
        Assert.Equal("vm-7", cpu.Key.Name);
        Assert.Equal(5, cpu.Values.Length);
        Assert.Equal(1.0f, cpu.Values[0]);  // 2000 MHz / (4000 MHz / 2 cores)
        Assert.Equal(0.5f, cpu.Values[1]);
        Assert.True(float.IsNaN(cpu.Values[2]) && float.IsNaN(cpu.Values[3]));
        Assert.Equal(0.25f, cpu.Values[4]);
        var memory = trace.Series.Single(s => s.Key.Resource == ResourceKind.Memory);
        Assert.Equal(500f * 1024, memory.Values[0]);
        Assert.Equal(2, cpu.Capacity); // the VM's provisioned cores; other resources have none in this format
        Assert.True(double.IsNaN(memory.Capacity));
        Assert.Equal(1, trace.Diagnostics.Count("duplicate-timestamp"));
        Assert.Equal(1, trace.Diagnostics.Count("ragged-row"));
        Assert.Equal(1, trace.Diagnostics.Count("vm-not-reporting"));
        Assert.Contains(trace.Diagnostics.Examples, e => e.Contains("7.csv:5", StringComparison.Ordinal));
    }

    [Fact]
    public void BitbrainsRead_TruncatedGzip_KeepsRowsBeforeAndCounts()
    {
        var text = string.Join('\n', new[] { BitbrainsHeader }.Concat(Enumerable.Range(0, 2000).Select(i => Row(1000 + (i * 300L), 100 + i))));
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Fastest, leaveOpen: true))
        {
            gz.Write(Encoding.UTF8.GetBytes(text));
        }

        var bytes = ms.ToArray();
        File.WriteAllBytes(Path.Combine(_dir, "3.csv.gz"), bytes[..(bytes.Length / 2)]);
        var trace = TraceReader.Read(_dir);
        Assert.Equal("bitbrains", trace.Format);
        Assert.Equal(1, trace.Diagnostics.Count("truncated-file"));
        Assert.InRange(trace.Series[0].ValidCount, 1, 1999);
    }

    [Fact]
    public void SwfRead_Jobs_BuildsProcessorsInUse()
    {
        var path = Path.Combine(_dir, "log.swf");
        File.WriteAllLines(path,
        [
            "; UnixStartTime: 1000000200",
            "1 0 0 600 4 -1 -1 4 600 -1 1 7 3 1 1 1 -1 -1",
            "2 300 0 300 2 -1 -1 2 300 -1 1 8 3 1 1 1 -1 -1",
            "3 0 0 0 2 -1 -1 2 300 -1 0 8 3 1 1 1 -1 -1",
            "broken line",
        ]);
        var trace = TraceReader.Read(path, "auto");
        Assert.Equal("swf", trace.Format);
        var system = trace.Series.Single(s => s.Key.Entity == EntityKind.System);
        Assert.Equal(4f, system.Values[0]);
        Assert.Equal(6f, system.Values[1]);
        var u7 = trace.Series.Single(s => s.Key.Name == "u7");
        Assert.Equal("g3", u7.Group);
        Assert.Equal(1, trace.Diagnostics.Count("ragged-row"));
        Assert.Equal(1, trace.Diagnostics.Count("job-without-runtime-or-processors"));
        Assert.Equal(2, trace.Jobs.Count);
    }

    [Fact]
    public void PrescientCsv_WriteThenRead_RoundTrips()
    {
        var path = Path.Combine(_dir, "t.csv");
        File.WriteAllText(path, "# prescient-csv v1\n# step=60\ntimestamp,entity_kind,entity,resource,value,group\n" +
            "600,user,alice,cpu,1.5,physics\n660,user,alice,cpu,2.5,physics\n720,user,alice,cpu,NaN,physics\n" +
            "720,user,alice,cpu,-3,physics\n780,user,alice,memory,100,physics\n780,nobody,x,cpu,1,\n");
        var trace = TraceReader.Read(path);
        Assert.Equal("prescient-csv", trace.Format);
        Assert.Equal(60, trace.StepSeconds);
        var cpu = trace.Series.Single(s => s.Key.Resource == ResourceKind.Cpu);
        Assert.Equal([1.5f, 2.5f], cpu.Values);
        Assert.Equal("physics", cpu.Group);
        Assert.Equal(1, trace.Diagnostics.Count("non-finite-value"));
        Assert.Equal(1, trace.Diagnostics.Count("negative-value"));
        Assert.Equal(1, trace.Diagnostics.Count("unknown-entity-kind"));

        var copy = Path.Combine(_dir, "copy.csv");
        using (var w = new StreamWriter(copy))
        {
            PrescientCsvReader.Write(w, trace.Series, trace.StepSeconds);
        }

        var again = TraceReader.Read(copy);
        Assert.Equal(cpu.Values, again.Series.Single(s => s.Key.Resource == ResourceKind.Cpu).Values);
    }

    [Fact]
    public void Read_UnknownContent_ErrorNamesFile()
    {
        var path = Path.Combine(_dir, "mystery.txt");
        File.WriteAllText(path, "hello world\n");
        var e = Assert.Throws<TraceFormatException>(() => TraceReader.Read(path));
        Assert.Contains("mystery.txt", e.Message, StringComparison.Ordinal);
        var f = Assert.Throws<TraceFormatException>(() => TraceReader.Read(path, "parquet"));
        Assert.Contains("unknown format", f.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PrescientCsv_MissingHeader_ErrorNamesFileAndLine()
    {
        var path = Path.Combine(_dir, "bad.csv");
        File.WriteAllText(path, "# prescient-csv v1\n1,2,3\n");
        var e = Assert.Throws<TraceFormatException>(() => PrescientCsvReader.Read(path));
        Assert.Contains("bad.csv:2", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BitbrainsRead_RealTrace_SixtyVmsOnGrid()
    {
        var dir = TestData.RequireDirectory("bitbrains-rnd/2013-7");
        var trace = TraceReader.Read(dir, "auto", 0, 3);
        Assert.Equal("bitbrains", trace.Format);
        Assert.Equal(18, trace.Series.Count);
        Assert.All(trace.Series, s => Assert.InRange(s.Values.Length, 8000, 9000));
    }
}
