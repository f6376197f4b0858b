namespace Prescient.Agent.Collectors;

/// <summary>Parses /proc/diskstats: per block device, bytes read and written.</summary>
public static class DiskstatsParser
{
    /// <summary>diskstats counts in 512-byte sectors whatever the device's sector size.</summary>
    public const ulong SectorBytes = 512;

    /// <summary>
    /// Fields: major minor name reads merged sectors_read ms writes merged sectors_written ...
    /// (14 fields on old kernels, 18 with discards, 20 with flushes).
    /// </summary>
    public static bool TryParse(string text, out List<DeviceCounters> devices, out string? error)
    {
        devices = [];
        foreach (var line in ParseText.Lines(text))
        {
            var fields = ParseText.Fields(line);
            if (fields.Length < 14)
            {
                error = $"line '{line}' has {fields.Length} fields, expected at least 14";
                return false;
            }

            if (!ParseText.TryUnsigned(fields[5], out var sectorsRead) || !ParseText.TryUnsigned(fields[9], out var sectorsWritten))
            {
                error = $"device '{fields[2]}' has a non-numeric sector counter";
                return false;
            }

            devices.Add(new DeviceCounters(fields[2], sectorsRead * SectorBytes, sectorsWritten * SectorBytes));
        }

        error = null;
        return true;
    }
}
