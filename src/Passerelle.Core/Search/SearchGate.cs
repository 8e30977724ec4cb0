namespace Passerelle.Core.Search;

/// <summary>
/// At most <c>slots</c> searches at once, the others served in the order they came. Not a SemaphoreSlim: its waiters
/// are not queued in order and a thread releasing a slot can take it straight back, so under 16 clients on 2 cores a
/// few searches waited seconds while others went round again (measured: p99 1.7-1.9 s against 0.66-0.85 s without a
/// gate; ADR 7). Here a released slot goes to the longest waiter; a waiter whose request is cancelled leaves the queue.
/// </summary>
internal sealed class SearchGate(int slots)
{
    private readonly System.Threading.Lock _lock = new();
    private readonly LinkedList<TaskCompletionSource> _waiters = new();
    private int _free = slots;

    /// <summary>Slots free now.</summary>
    public int Free
    {
        get
        {
            lock (_lock)
            {
                return _free;
            }
        }
    }

    /// <summary>Takes a slot, waiting behind earlier callers; cancelled with <paramref name="ct"/> while it waits.</summary>
    public Task WaitAsync(CancellationToken ct)
    {
        LinkedListNode<TaskCompletionSource> node;
        lock (_lock)
        {
            if (_free > 0 && _waiters.Count == 0)
            {
                _free--;
                return Task.CompletedTask;
            }

            ct.ThrowIfCancellationRequested();
            node = _waiters.AddLast(new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        }

        return ct.CanBeCanceled ? WaitCancellableAsync(node, ct) : node.Value.Task;
    }

    /// <summary>
    /// Takes a slot only if one is free now and nobody waits for one: a caller already holding a slot borrows a second
    /// core for its own work (<see cref="Release"/> it after), never ahead of a waiting search.
    /// </summary>
    public bool TryTake()
    {
        lock (_lock)
        {
            if (_free > 0 && _waiters.Count == 0)
            {
                _free--;
                return true;
            }

            return false;
        }
    }

    /// <summary>Takes a slot, blocking the thread (callers without a request to cancel).</summary>
    public void Wait() => WaitAsync(CancellationToken.None).GetAwaiter().GetResult();

    private async Task WaitCancellableAsync(LinkedListNode<TaskCompletionSource> node, CancellationToken ct)
    {
        await using (ct.Register(() =>
        {
            lock (_lock)
            {
                // Still queued: leave. Already handed a slot by Release: keep it (the caller runs and releases it).
                if (node.List is not null)
                {
                    _waiters.Remove(node);
                    node.Value.TrySetCanceled(ct);
                }
            }
        }))
        {
            await node.Value.Task.ConfigureAwait(false);
        }
    }

    /// <summary>Gives the slot to the longest waiter, or frees it.</summary>
    public void Release()
    {
        TaskCompletionSource? next = null;
        lock (_lock)
        {
            if (_waiters.First is { } first)
            {
                _waiters.RemoveFirst();
                next = first.Value;
            }
            else
            {
                _free++;
            }
        }

        next?.TrySetResult();
    }
}
