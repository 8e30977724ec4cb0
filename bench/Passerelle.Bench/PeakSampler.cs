using System.Diagnostics;

namespace Passerelle.Bench;

/// <summary>Samples the process working set every 5 ms; the peak of the run (the process-wide peak would include set-up).</summary>
internal sealed class PeakSampler : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _task;
    private long _peak;

    public PeakSampler()
    {
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
        _stop.Cancel();
        _task.Wait();
        return _peak;
    }

    public void Dispose() => _stop.Dispose();
}
