namespace Passerelle.Core.Common;

/// <summary>
/// Whether the web host has answered a request since it started, so that start-up work that traffic does not need at
/// once can wait until it has. The first request after a start pays once for the pipeline's and the APIs' first use
/// (about 0.6 s at 2 M projects, ADR 36), and work started beside it on a 2-core machine slows it further: the
/// territory index's build took a restart's first search from 1.82 s to 2.21 s at the median (issue 17).
/// </summary>
public sealed class FirstResponse
{
    private readonly TaskCompletionSource _answered = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool HasAnswered => _answered.Task.IsCompleted;

    /// <summary>Called by the web host once a response has been sent (Passerelle.Web's pipeline).</summary>
    public void Answered() => _answered.TrySetResult();

    /// <summary>
    /// Completes once a response has been sent, or after <paramref name="limit"/>, whichever comes first: an idle host
    /// (or one whose first request is a long download) does not wait for long.
    /// </summary>
    public async Task WaitAsync(TimeSpan limit, TimeProvider clock, CancellationToken ct)
    {
        if (HasAnswered || limit <= TimeSpan.Zero)
        {
            return;
        }

        try
        {
            await _answered.Task.WaitAsync(limit, clock, ct);
        }
        catch (TimeoutException)
        {
            // The quiet moment has passed without a request: go on.
        }
    }
}
