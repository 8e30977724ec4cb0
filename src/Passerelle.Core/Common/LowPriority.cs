using System.Runtime.InteropServices;

namespace Passerelle.Core.Common;

/// <summary>
/// Work that must not take a core from requests (the territory index's build, ADR 36; the registry's values, ADR 33):
/// it runs on a thread of its own whose scheduling priority is the lowest (Linux's nice 19), so that the kernel gives
/// it a core only when no request's thread wants one, and all of an idle machine otherwise. .NET's
/// <see cref="Thread.Priority"/> does nothing on Linux, hence the system call; a thread can always lower its own
/// priority, with no privilege. Elsewhere the work runs at normal priority. The work should be synchronous: an
/// <c>await</c> that does not complete at once resumes on the thread pool, at normal priority.
/// </summary>
public static partial class LowPriority
{
    /// <summary>The nice value the work runs at (the lowest priority: a weight of 15 against 1,024 for normal work).</summary>
    public const int Nice = 19;

    /// <summary>Runs <paramref name="work"/> on a new low-priority thread; the task ends with its result or exception.</summary>
    public static Task<T> RunAsync<T>(string name, Func<T> work)
    {
        // A thread of our own, not the pool's nor a LongRunning task's: a thread cannot raise its priority back without
        // privilege, so the one lowered must be one that ends with the work, never one handed to other work after it.
        var result = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            Lower();
            try
            {
                result.SetResult(work());
            }
            catch (OperationCanceledException e)
            {
                result.SetCanceled(e.CancellationToken);
            }
            catch (Exception e)
            {
                result.SetException(e);
            }
        })
        {
            IsBackground = true,
            Name = name,
        };
        thread.Start();
        return result.Task;
    }

    /// <summary>
    /// Lowers the calling thread's own priority for the rest of its life: only for a thread that ends with the work
    /// (the search index's merge threads, which Lucene starts per merge and ends when no merge is left).
    /// </summary>
    internal static void LowerCurrentThread() => Lower();

    private static void Lower()
    {
        if (OperatingSystem.IsLinux())
        {
            // PRIO_PROCESS with a thread's id sets that thread's nice value alone (setpriority(2), "BUGS" on Linux).
            // A failure leaves the thread at normal priority, which is only slower for requests, never wrong.
            _ = SetPriority(0, GetThreadId(), Nice);
        }
    }

    [LibraryImport("libc", EntryPoint = "setpriority")]
    private static partial int SetPriority(int which, int who, int priority);

    [LibraryImport("libc", EntryPoint = "gettid")]
    private static partial int GetThreadId();
}
