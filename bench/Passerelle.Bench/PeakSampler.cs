using System.Diagnostics;
using System.Globalization;

namespace Passerelle.Bench;

/// <summary>
/// The peak working set of the run (the process-wide peak would include set-up). On Linux the kernel keeps it: the
/// peak is reset when the run begins (`5` written to /proc/self/clear_refs) and read when it ends (VmHWM), so the
/// benchmark measures nothing of its own. Elsewhere the working set is sampled every 5 ms, which costs CPU beside the
/// measured work: polling /proc that often took about 3 % of an import's samples (`perf`) and its `openat` and `flock`
/// calls (`strace`, ADR 30).
/// </summary>
internal sealed class PeakSampler : IDisposable
{
    private const string ClearRefs = "/proc/self/clear_refs";
    private const string Status = "/proc/self/status";

    private readonly CancellationTokenSource _stop = new();
    private readonly Task? _task;
    private long _peak;

    public PeakSampler()
    {
        if (ResetKernelPeak())
        {
            return;
        }

        _task = Task.Run(async () =>
        {
            using var process = Process.GetCurrentProcess();
            while (!_stop.IsCancellationRequested)
            {
                process.Refresh();
                _peak = Math.Max(_peak, process.WorkingSet64);
                try
                {
                    await Task.Delay(5, _stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        });
    }

    public long Stop()
    {
        if (_task is null)
        {
            return KernelPeak() ?? 0;
        }

        _stop.Cancel();
        _task.Wait();
        return _peak;
    }

    public void Dispose() => _stop.Dispose();

    private static bool ResetKernelPeak()
    {
        try
        {
            File.WriteAllText(ClearRefs, "5");
            return KernelPeak() is not null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>VmHWM, the resident set's peak since the last reset, in bytes.</summary>
    private static long? KernelPeak()
    {
        foreach (var line in File.ReadLines(Status))
        {
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                var kb = line["VmHWM:".Length..].Trim().Split(' ')[0];
                return long.Parse(kb, CultureInfo.InvariantCulture) * 1024;
            }
        }

        return null;
    }
}
