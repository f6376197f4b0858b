namespace Prescient.Agent.Tests.Support;

/// <summary>
/// A test that needs something of the machine (root, cgroupfs, the native library) skips without
/// it — except under CI=true, where a missing prerequisite is a failure, so CI cannot pass by skipping.
/// </summary>
internal static class Prerequisite
{
    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.Ordinal);

    public static void Require(bool present, string what)
    {
        if (present)
        {
            return;
        }

        if (IsCi)
        {
            Assert.Fail($"prerequisite missing under CI=true: {what}");
        }

        Assert.Skip($"prerequisite missing: {what}");
    }

    public static bool IsRoot => Environment.UserName == "root" || Environment.GetEnvironmentVariable("USER") == "root" || GetEuidIsZero();

    private static bool GetEuidIsZero()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
            {
                if (line.StartsWith("Uid:", StringComparison.Ordinal))
                {
                    var fields = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
                    return fields.Length > 2 && fields[2] == "0";
                }
            }
        }
        catch (IOException)
        {
        }

        return false;
    }
}
