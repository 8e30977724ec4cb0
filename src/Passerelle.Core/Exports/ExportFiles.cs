using System.Globalization;
using System.Text.Json;

using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

using Passerelle.Core.Common;
using Passerelle.Core.Data;

namespace Passerelle.Core.Exports;

/// <summary>Where the published export files are kept (ADR 34).</summary>
public sealed class ExportFilesOptions
{
    public const string Section = "Exports";

    /// <summary>
    /// The folder of the published files of the full exports, relative to the content root; empty turns them off (every
    /// download is then written from the database as it streams). Each database gets a subfolder named by its id.
    /// </summary>
    public string? FilesPath { get; set; } = "data/local/exports";

    /// <summary><see cref="FilesPath"/> made absolute against the content root; null when the files are off.</summary>
    public string? FullFilesPath { get; set; }
}

/// <summary>A published file current for the registry as it is now.</summary>
/// <param name="Path">The file, complete: it is renamed into place only once written.</param>
/// <param name="Tag">An entity tag: the same tag, the same bytes.</param>
public sealed record ExportFile(string Path, string Tag, DateTimeOffset WrittenAt, long Length, IReadOnlyDictionary<string, string> Headers);

/// <summary>
/// The full exports (every published row, no filter) as files written once per state of the registry and served from
/// disk (ADR 34). At Kohesio's size a full export is minutes of CPU: written per download, sixteen downloads would
/// hold both cores and each would stream at the pace of its queries (20 MB/s for the list of operations); from a file
/// it streams at the pace of the disk and the network, with ranges (a broken download of gigabytes resumes) and an
/// entity tag (a harvester that has the file is answered 304).
/// <para>
/// A file is current while the registry stays at the <see cref="RegistryPosition"/> read before it was written and
/// the day is the same (a project's status in the lists depends on today). When there is none, the download is
/// written from the database as before, and its bytes also go to the file (<see cref="WriteAsync"/>): the file costs
/// no second export, only the disk. One download at a time writes an export's file; the others meanwhile stream from
/// the database alone. A download that fails or is cancelled leaves no file; a failure of the file's side (a full
/// disk) never fails the download, is logged, and is not tried again before the registry moves. A file found on disk
/// from an earlier run, for the same position, day and build, is served as it is. One per process (a singleton).
/// </para>
/// </summary>
public sealed class ExportFiles(IOptions<ExportFilesOptions> options, TimeProvider clock, ILogger<ExportFiles> logger)
{
    /// <summary>Age past which a temporary file is taken as left by a process that died while writing it.</summary>
    internal static readonly TimeSpan StaleTemporary = TimeSpan.FromHours(1);

    // A newer build may write a file differently: its files are not the older build's.
    private static readonly string Build = CoreBuild.Id[..8];

    /// <summary>No headers besides the body's own.</summary>
    public static readonly IReadOnlyDictionary<string, string> NoHeaders = new Dictionary<string, string>();

    private readonly Lock _gate = new();
    private readonly Dictionary<string, Slot> _slots = new(StringComparer.Ordinal);
    private string? _folder;

    /// <summary>Whether files are published at all (<see cref="ExportFilesOptions.FilesPath"/> set).</summary>
    public bool IsEnabled => options.Value.FullFilesPath is not null;

    /// <summary>
    /// The file of the export <paramref name="name"/> ("operations", "kohesio": the stem of its file names) if one is
    /// current for the registry as the request reads it (<see cref="RegistryRead"/>: once per request); otherwise null.
    /// </summary>
    public async Task<ExportFile?> TryGetAsync(RegistryRead registry, string name, CancellationToken ct)
    {
        if (!IsEnabled)
        {
            return null;
        }

        var (key, folder) = await WhereAsync(registry, ct);
        var slot = SlotOf(name);
        lock (_gate)
        {
            if (slot.Current is { } current && current.Key == key && File.Exists(current.File.Path))
            {
                return current.File;
            }
        }

        if (Adopt(folder, name, key) is not { } found)
        {
            return null;
        }

        lock (_gate)
        {
            slot.Current = found;
        }

        return found.File;
    }

    /// <summary>
    /// Writes the export <paramref name="name"/> to <paramref name="body"/> from the database (<paramref name="write"/>),
    /// and the same bytes to its file unless another download is writing it or it failed at this state;
    /// <paramref name="headers"/> are kept with the file.
    /// </summary>
    public async Task WriteAsync(
        RegistryRead registry, string name, IReadOnlyDictionary<string, string> headers, Func<Stream, CancellationToken, Task> write, Stream body, CancellationToken ct)
    {
        if (!IsEnabled)
        {
            await write(body, ct);
            return;
        }

        // Read before the export's own snapshot (earlier in this request, or now): a write committed in between makes
        // the file older than its content says, so it is written again; never the other way round.
        var (key, folder) = await WhereAsync(registry, ct);
        var slot = SlotOf(name);
        TaskCompletionSource? writing = null;
        lock (_gate)
        {
            if (slot.Writing is not { IsCompleted: false } && slot.FailedAt != key)
            {
                writing = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                slot.Writing = writing.Task;
            }
        }

        if (writing is null)
        {
            await write(body, ct);
            return;
        }

        var began = clock.GetTimestamp();
        var temporary = Path.Combine(folder, $"{name}.{Guid.NewGuid():N}.tmp");
        try
        {
            Exception? failure;
            await using (var tee = new FileTee(body, () =>
            {
                Directory.CreateDirectory(folder);
                return new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous);
            }))
            {
                // A failure of the download (the database, the client gone) goes to the caller, and leaves no file.
                await write(tee, ct);
                failure = await tee.CompleteAsync();
            }

            if (failure is null)
            {
                try
                {
                    var path = Path.Combine(folder, FileName(name, key));
                    // The headers first, then the file renamed into place: a file is never seen without them.
                    await File.WriteAllTextAsync(path + ".headers.json", JsonSerializer.Serialize(headers), CancellationToken.None);
                    File.Move(temporary, path, overwrite: true);
                    var written = Describe(path, key, headers);
                    lock (_gate)
                    {
                        slot.Current = written;
                    }

                    RemoveOlder(folder, name, key);
                    logger.LogInformation("Export file {File} written in {Seconds:F1} s ({Megabytes:F1} MB)",
                        path, clock.GetElapsedTime(began).TotalSeconds, written.File.Length / 1e6);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    failure = e;
                }
            }

            if (failure is not null)
            {
                // The download itself went through (the body is written before the file): only the file is missing.
                logger.LogError(failure, "Writing the export file {Name} failed; downloads are written from the database until the registry changes", name);
                lock (_gate)
                {
                    slot.FailedAt = key;
                }
            }
        }
        finally
        {
            TryDelete(temporary);
            writing.SetResult();
        }
    }

    /// <summary>The file being written for the export, if any (tests wait for it).</summary>
    internal Task WritingAsync(string name)
    {
        lock (_gate)
        {
            return _slots.TryGetValue(name, out var slot) && slot.Writing is { } writing ? writing : Task.CompletedTask;
        }
    }

    private async Task<(Key Key, string Folder)> WhereAsync(RegistryRead registry, CancellationToken ct)
    {
        var key = new Key(await registry.PositionAsync(ct), DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime));
        var folder = _folder ??= Path.Combine(options.Value.FullFilesPath!, await DatabaseIdentity.GetOrCreateAsync(registry.Db, ct));
        return (key, folder);
    }

    private Slot SlotOf(string name)
    {
        lock (_gate)
        {
            if (!_slots.TryGetValue(name, out var slot))
            {
                _slots[name] = slot = new Slot();
            }

            return slot;
        }
    }

    /// <summary>A file of an earlier run (or of another instance sharing the folder) for the same state and build.</summary>
    private Current? Adopt(string folder, string name, Key key)
    {
        var path = Path.Combine(folder, FileName(name, key));
        try
        {
            if (!File.Exists(path) || !File.Exists(path + ".headers.json"))
            {
                return null;
            }

            var headers = JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(path + ".headers.json")) ?? [];
            return Describe(path, key, headers);
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
        {
            logger.LogWarning(e, "The export file {File} cannot be read; it is written again", path);
            return null;
        }
    }

    private static Current Describe(string path, Key key, IReadOnlyDictionary<string, string> headers)
    {
        var info = new FileInfo(path);
        var tag = $"\"{Path.GetFileNameWithoutExtension(path)}\"";
        return new Current(key, new ExportFile(path, tag, new DateTimeOffset(info.LastWriteTimeUtc, TimeSpan.Zero), info.Length, headers));
    }

    /// <summary>operations-1234-5678-20261201-ab12cd34.csv: the export, the registry's position, the day, the build.</summary>
    private static string FileName(string name, Key key) => string.Create(CultureInfo.InvariantCulture,
        $"{name}-{key.Position.Feed}-{key.Position.Revisions}-{key.Day:yyyyMMdd}-{Build}.csv");

    /// <summary>
    /// Deletes the export's files (and their headers) of earlier positions, days or builds. A download already sending
    /// one keeps its open handle; another instance's newer file is left alone.
    /// </summary>
    private void RemoveOlder(string folder, string name, Key kept)
    {
        // A temporary file is deleted by its own write, whatever happens to it; one left behind is from a process that
        // died while writing. Once it is an hour old no write still holds it: a full export at Kohesio's scale streams
        // in minutes, and a live write keeps touching its file.
        var stale = clock.GetUtcNow().UtcDateTime - StaleTemporary;
        foreach (var path in Directory.EnumerateFiles(folder, name + ".*.tmp"))
        {
            if (File.GetLastWriteTimeUtc(path) < stale)
            {
                TryDelete(path);
            }
        }

        var keptName = FileName(name, kept);
        foreach (var path in Directory.EnumerateFiles(folder, name + "-*"))
        {
            var file = Path.GetFileName(path);
            var parts = file[(name.Length + 1)..].Split('-');
            if (parts.Length == 4
                && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var feed)
                && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var revisions)
                && feed <= kept.Position.Feed && revisions <= kept.Position.Revisions
                && !file.StartsWith(keptName, StringComparison.Ordinal))
            {
                TryDelete(path);
            }
        }
    }

    private void TryDelete(string path) => TryDelete(path, logger);

    /// <summary>Deletes a file of the exports' folder if it is there; a failure is logged, not thrown (it is retried later).</summary>
    internal static void TryDelete(string path, ILogger logger)
    {
        try
        {
            if (!File.Exists(path))
            {
                return;
            }

            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            logger.LogWarning(e, "The export file {File} could not be deleted", path);
        }
    }

    private sealed record Key(RegistryPosition Position, DateOnly Day);

    private sealed record Current(Key Key, ExportFile File);

    private sealed class Slot
    {
        public Current? Current { get; set; }

        public Task? Writing { get; set; }

        public Key? FailedAt { get; set; }
    }
}

/// <summary>
/// The response body, with each write copied to a file opened at the first write. The body comes first and always: a
/// failure of the file's side (a full disk) is kept for <see cref="CompleteAsync"/>, and the file is dropped, but the
/// download goes on.
/// </summary>
internal sealed class FileTee(Stream body, Func<FileStream> open) : Stream
{
    private FileStream? _file;
    private Exception? _failure;

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await body.WriteAsync(buffer, cancellationToken);
        if (_failure is not null)
        {
            return;
        }

        try
        {
            _file ??= open();
            await _file.WriteAsync(buffer, cancellationToken);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Drop(e);
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer, offset, count, CancellationToken.None).GetAwaiter().GetResult();

    public override Task FlushAsync(CancellationToken cancellationToken) => body.FlushAsync(cancellationToken);

    public override void Flush() => body.Flush();

    /// <summary>Flushes and closes the file: null when it holds every byte written, else what went wrong.</summary>
    public async Task<Exception?> CompleteAsync()
    {
        if (_failure is null)
        {
            try
            {
                _file ??= open();
                await _file.FlushAsync();
                await _file.DisposeAsync();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Drop(e);
            }
        }

        return _failure;
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override async ValueTask DisposeAsync()
    {
        if (_file is not null)
        {
            await _file.DisposeAsync();
        }

        await base.DisposeAsync();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _file?.Dispose();
        }

        base.Dispose(disposing);
    }

    private void Drop(Exception e)
    {
        _failure = e;
        _file?.Dispose();
    }
}
