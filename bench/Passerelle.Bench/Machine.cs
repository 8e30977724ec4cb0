namespace Passerelle.Bench;

/// <summary>What every benchmark's report says of the machine it ran on.</summary>
internal static class Machine
{
    /// <summary>The 1, 5 and 15 minute load averages (Linux), or "n/a" elsewhere: figures from a loaded machine are read with it.</summary>
    public static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";
}
