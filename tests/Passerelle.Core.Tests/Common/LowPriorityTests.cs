using Passerelle.Core.Common;

namespace Passerelle.Core.Tests.Common;

public sealed class LowPriorityTests
{
    [Fact]
    public async Task RunAsync_OnLinux_RunsTheWorkAtTheLowestPriorityAndLeavesTheCallerAlone()
    {
        var before = NiceOfThisThread();

        var (nice, threadName) = await LowPriority.RunAsync("low", () => (NiceOfThisThread(), Thread.CurrentThread.Name));

        Assert.Equal(LowPriority.Nice, nice);
        Assert.Equal("low", threadName);
        Assert.Equal(before, NiceOfThisThread());
    }

    [Fact]
    public async Task RunAsync_WorkThrows_TheTaskFaultsWithItsException()
    {
        var thrown = await Assert.ThrowsAsync<InvalidDataException>(() =>
            LowPriority.RunAsync<int>("low", () => throw new InvalidDataException("bad outline")));
        Assert.Equal("bad outline", thrown.Message);
    }

    [Fact]
    public async Task RunAsync_WorkCancelled_TheTaskIsCancelled()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        var task = LowPriority.RunAsync("low", () =>
        {
            cancelled.Token.ThrowIfCancellationRequested();
            return 1;
        });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => task);
        Assert.True(task.IsCanceled);
    }

    /// <summary>The calling thread's nice value: field 19 of /proc/thread-self/stat (proc(5)), after the command's ")".</summary>
    private static int NiceOfThisThread()
    {
        var stat = File.ReadAllText("/proc/thread-self/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return int.Parse(fields[19 - 3], System.Globalization.CultureInfo.InvariantCulture);
    }
}
