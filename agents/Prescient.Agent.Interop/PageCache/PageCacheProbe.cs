namespace Prescient.Agent.Interop.PageCache;

/// <summary>
/// The capability probe run once at agent start: loads libprescient_native, checks its ABI version
/// and a first call, and otherwise hands out the managed fallback with the reason.
/// </summary>
public static class PageCacheProbe
{
    /// <summary>
    /// Returns the native backend when <paramref name="preferNative"/> and the library loads and
    /// answers with the expected ABI; else the managed fallback. <paramref name="reason"/> says why
    /// the fallback was chosen (null when native).
    /// </summary>
    public static IPageCache Create(bool preferNative, out string? reason)
    {
        if (!preferNative)
        {
            reason = "the native library is disabled by configuration";
            return new ManagedPageCache();
        }

        if (!OperatingSystem.IsLinux())
        {
            reason = "the native library exists for Linux only";
            return new ManagedPageCache();
        }

        try
        {
            var abi = PrescientNative.AbiVersion();
            if (abi != PrescientNative.ExpectedAbiVersion)
            {
                reason = $"lib{PrescientNative.LibraryName}.so has ABI version {abi}, expected {PrescientNative.ExpectedAbiVersion}";
                return new ManagedPageCache();
            }

            var page = PrescientNative.PageSizeBytes();
            reason = null;
            return new NativePageCache(page);
        }
        catch (DllNotFoundException)
        {
            reason = $"lib{PrescientNative.LibraryName}.so was not found next to the agent or on the loader path (built by cmake; see agents/README.md)";
            return new ManagedPageCache();
        }
        catch (Exception ex) when (ex is EntryPointNotFoundException or BadImageFormatException)
        {
            reason = $"lib{PrescientNative.LibraryName}.so could not be loaded ({ex.GetType().Name}: {FirstLine(ex.Message)})";
            return new ManagedPageCache();
        }
    }

    private static string FirstLine(string message)
    {
        var end = message.IndexOf('\n', StringComparison.Ordinal);
        return end < 0 ? message : message[..end].TrimEnd();
    }
}
