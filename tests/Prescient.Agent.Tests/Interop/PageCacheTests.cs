using Prescient.Agent.Interop.PageCache;
using Prescient.Agent.Tests.Support;

namespace Prescient.Agent.Tests.Interop;

public sealed class PageCacheTests : IDisposable
{
    private readonly string _file = Path.Combine(Path.GetTempPath(), $"prescient-test-{Guid.NewGuid():N}");

    public PageCacheTests() => File.WriteAllBytes(_file, new byte[100_000]);

    public void Dispose() => File.Delete(_file);

    private static IPageCache Native()
    {
        var cache = PageCacheProbe.Create(preferNative: true, out var reason);
        Prerequisite.Require(cache.Name == "native", $"libprescient_native.so next to the tests ({reason}); build with cmake on PATH");
        return cache;
    }

    [Fact]
    public void Probe_Disabled_ManagedFallbackWithReason()
    {
        var cache = PageCacheProbe.Create(preferNative: false, out var reason);
        Assert.Equal("managed-fallback", cache.Name);
        Assert.False(cache.CanMeasureResidency);
        Assert.Contains("disabled", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Native_JustWrittenFile_FullyResident()
    {
        var cache = Native();
        Assert.True(cache.TryGetResidency(_file, out var residency, out var error), error);
        Assert.True(residency.IsKnown);
        Assert.Equal(100_000UL, residency.TotalBytes);
        // Dirty or just-written pages are in the page cache; the partial last page is capped at the file size.
        Assert.Equal(100_000UL, residency.ResidentBytes);
        Assert.Equal(0UL, residency.MissingBytes);
    }

    [Fact]
    public void Native_Prefetch_Succeeds()
    {
        Assert.True(Native().TryPrefetch(_file, CancellationToken.None, out var error), error);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void TryGetResidency_MissingDirectoryRelative_FalseWithReason(bool preferNative)
    {
        var cache = preferNative ? Native() : PageCacheProbe.Create(false, out _);
        Assert.False(cache.TryGetResidency("/nonexistent/prescient/x", out _, out var missing));
        Assert.Contains("/nonexistent/prescient/x", missing, StringComparison.Ordinal);
        Assert.False(cache.TryGetResidency(Path.GetTempPath(), out _, out var directory));
        Assert.Contains("directory", directory, StringComparison.Ordinal);
        Assert.False(cache.TryGetResidency("relative/file", out _, out var relative));
        Assert.Contains("not an absolute path", relative, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task TryGetResidency_Fifo_RefusedWithoutBlocking(bool preferNative)
    {
        var cache = preferNative ? Native() : PageCacheProbe.Create(false, out _);
        var fifo = _file + ".fifo";
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", [fifo]))
        {
            mkfifo.WaitForExit();
            Prerequisite.Require(mkfifo.ExitCode == 0, "mkfifo");
        }

        try
        {
            // Opening a FIFO for reading would wait for a writer; the probe must answer at once.
            var token = TestContext.Current.CancellationToken;
            var (measured, error, prefetched) = await Task.Run(
                () => (cache.TryGetResidency(fifo, out _, out var e), e, cache.TryPrefetch(fifo, token, out _)), token)
                .WaitAsync(TimeSpan.FromSeconds(10), token);
            Assert.False(measured);
            Assert.Contains("not a regular file", error, StringComparison.Ordinal);
            Assert.False(prefetched);
        }
        finally
        {
            File.Delete(fifo);
        }
    }

    [Fact]
    public void Fallback_ResidencyUnknownPrefetchReadsThrough()
    {
        var cache = PageCacheProbe.Create(false, out _);
        Assert.True(cache.TryGetResidency(_file, out var residency, out _));
        Assert.False(residency.IsKnown);
        Assert.Equal(100_000UL, residency.MissingBytes);
        Assert.True(cache.TryPrefetch(_file, CancellationToken.None, out var error), error);
    }
}
