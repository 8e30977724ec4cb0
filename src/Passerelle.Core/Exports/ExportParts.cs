using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Globalization;
using System.Linq.Expressions;
using System.Runtime.CompilerServices;
using System.Text.Json;

using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

using Passerelle.Core.Common;
using Passerelle.Core.Data;
using Passerelle.Core.Data.ChangeFeed;
using Passerelle.Core.OpenData;
using Passerelle.Core.Projects;

namespace Passerelle.Core.Exports;

/// <summary>
/// A full CSV export whose rows are in the order of a key first (the list's programme column), so that the rows of one
/// key are one run of the file: the run is its part (<see cref="ExportParts"/>, ADR 39).
/// </summary>
/// <param name="Name">The export's name, as its published file's (<see cref="ExportFiles"/>).</param>
/// <param name="WriteHeader">Writes what comes before the rows (a byte order mark, the header line).</param>
/// <param name="WriteRows">Writes rows, and nothing else, as the whole file writes them; answers how many.</param>
/// <param name="Key">A row's key: runs of equal keys (ordinal) follow each other in the file.</param>
/// <param name="ProjectId">The project a row is of: a change to it makes the parts of its keys, before and after, old.</param>
/// <param name="ListedUnder">The key a published project's rows are under, in the database (<see cref="ListKey.Of"/>).</param>
/// <param name="Rows">In a snapshot: every row in the file's order (key null), or the rows of one key, in the same order.</param>
/// <param name="Readers">The readers the rows' queries need in one snapshot (<see cref="ExportSnapshot"/>).</param>
/// <param name="Unaffected">Change-feed entity types whose records' changes never show in a row.</param>
internal sealed record PartedExport<T>(
    string Name,
    Func<Stream, CancellationToken, Task> WriteHeader,
    Func<Stream, IAsyncEnumerable<T>, CancellationToken, Task<long>> WriteRows,
    Func<T, string> Key,
    Func<T, int> ProjectId,
    Expression<Func<Project, string>> ListedUnder,
    Func<ExportSnapshot, string?, CancellationToken, IAsyncEnumerable<T>> Rows,
    int Readers,
    IReadOnlySet<string> Unaffected)
{
    /// <summary>
    /// A row that flags its project (the Kohesio CSV: an operation the format cannot carry as it is). Each part keeps
    /// how many projects it flags, so that the file's count is known from its parts (<see cref="ExportParts.OpenAsync"/>).
    /// </summary>
    public Func<T, bool>? Flagged { get; init; }

    private static readonly CsvExportOptions RowsOnly = new() { IncludeByteOrderMark = false, IncludeHeader = false };

    /// <summary>An export of <see cref="CsvExportWriter"/>'s columns, keyed by the project lists' programme column.</summary>
    public static PartedExport<T> Csv(
        string name, IReadOnlyList<ExportColumn<T>> columns, Func<T, string> key, Func<T, int> projectId,
        Func<ExportSnapshot, string?, CancellationToken, IAsyncEnumerable<T>> rows, int readers) => new(
            name,
            (body, ct) => new CsvExportWriter().WriteAsync(body, columns, NoRows(), ct),
            async (body, rows, ct) => (await new CsvExportWriter(RowsOnly).WriteAsync(body, columns, rows, ct)).RowsWritten,
            key, projectId, ListKey.Of, rows, readers, ExportParts.GroupingsAndThemes);

    private static async IAsyncEnumerable<T> NoRows()
    {
        await Task.CompletedTask;
        yield break;
    }
}

/// <summary>
/// Writes a full export from the database while keeping it, under the published files' folder, as parts: one file per
/// key (a programme's operations) and the ids of the projects each part lists, with the registry position they are
/// current for (ADR 39). The next write after a change reads the change feed since that position, re-reads from the
/// database only the parts of the keys whose projects changed (directly, or through a partner organisation or a
/// participation), and copies the others from their files: after one edit at Kohesio's size, the first download of the
/// list of operations is most of its 1.2 GB from disk, instead of a minute of queries. Anything the feed cannot address
/// by project (a programme, "everything", a deletion, a long run of entries) re-reads every part, in one pass, as
/// before. One write of an export's parts at a time; a download arriving meanwhile is written from the database alone.
/// </summary>
public sealed class ExportParts(IOptions<ExportFilesOptions> options, ILogger<ExportParts> logger)
{
    /// <summary>Feed entries since the parts' position past which every part is read again (a bulk write).</summary>
    internal const int MaxFeedEntries = 10_000;

    /// <summary>The feed's entity types that show in no row of the project lists: groupings and themes.</summary>
    internal static readonly IReadOnlySet<string> GroupingsAndThemes = new HashSet<string>(StringComparer.Ordinal) { "Grouping", "Theme" };

    // The entity types the parts address by project (a programme by the projects linked to it); a change of any other
    // type that shows in rows reads every part.
    private static readonly HashSet<string> ByProject = new(StringComparer.Ordinal) { "Project", "Participation", "Organisation", "Programme" };

    private const string ManifestFile = "manifest.json";
    private const int CopyBuffer = 1 << 16;

    // A newer build may write a row differently: its parts are not the older build's.
    private static readonly string Build = CoreBuild.Id;

    private readonly ConcurrentDictionary<string, SemaphoreSlim> _gates = new(StringComparer.Ordinal);

    /// <summary>What the last write of an export did (tests and the benchmark read it).</summary>
    internal ConcurrentDictionary<string, PartsWritten> Last { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Writes the whole export to <paramref name="body"/>: its header, then every key's rows, from a current part's file
    /// or from the database. Without a files folder, or while another download writes this export's parts, it is
    /// written from the database in one pass.
    /// </summary>
    internal async Task<ExportResult> WriteAsync<T>(PasserelleDbContext db, PartedExport<T> export, Stream body, CancellationToken ct)
    {
        if (await RunAsync(db, export, body, ct) is { } run)
        {
            return new ExportResult(run.Manifest.Parts.Sum(p => p.Rows));
        }

        await using var snapshot = await ExportSnapshot.BeginAsync(db, export.Readers, ct);
        await export.WriteHeader(body, ct);
        return new ExportResult(await export.WriteRows(body, export.Rows(snapshot, null, ct), ct));
    }

    /// <summary>
    /// Brings the export's parts up to date without writing the file (the keys changed since them read from the
    /// database into new parts, the others kept as they are) and opens them, for a caller that needs their counts
    /// before the body (<see cref="PartedExport{T}.Flagged"/>): the body it then copies is exactly these files, whatever
    /// is written meanwhile, so the count and the body are of one registry position. Null when the parts cannot answer
    /// (no files folder, another download writing them, their files failing): the caller counts and writes from the
    /// database then.
    /// </summary>
    internal async Task<OpenedParts?> OpenAsync<T>(PasserelleDbContext db, PartedExport<T> export, CancellationToken ct) =>
        await RunAsync(db, export, body: null, ct) is { } run ? new OpenedParts(export.WriteHeader, run.Manifest.Parts, run.Files) : null;

    /// <summary>
    /// The parts written or kept (without a body, opened), or null when they could not be (the caller reads from the
    /// database alone).
    /// </summary>
    private async Task<Run?> RunAsync<T>(PasserelleDbContext db, PartedExport<T> export, Stream? body, CancellationToken ct)
    {
        var gate = _gates.GetOrAdd(export.Name, _ => new SemaphoreSlim(1, 1));
        if (options.Value.FullFilesPath is not { } root || !await gate.WaitAsync(0, ct))
        {
            return null;
        }

        try
        {
            var folder = Path.Combine(root, await DatabaseIdentity.GetOrCreateAsync(db, ct), export.Name + ".parts");
            await using var snapshot = await ExportSnapshot.BeginAsync(db, export.Readers, ct);
            var reader = snapshot.Reader(0);
            // Read in the snapshot the parts are read in: the position is exactly the rows'.
            var position = await RegistryPosition.ReadAsync(reader, ct);
            var feedTicks = await FeedTicksAsync(reader, position.Feed, ct);
            var manifest = Load(folder);
            var stale = manifest is null ? null : await StaleKeysAsync(reader, export, folder, manifest, position, ct);
            var write = new PartWriter<T>(export, folder, body, logger);
            try
            {
                if (body is not null)
                {
                    await export.WriteHeader(body, ct);
                }

                if (manifest is null || stale is null)
                {
                    await write.RunsAsync(export.Rows(snapshot, null, ct), ct);
                }
                else
                {
                    var kept = manifest.Parts.ToDictionary(p => p.Key, StringComparer.Ordinal);
                    foreach (var key in await KeysAsync(snapshot, manifest, stale, ct))
                    {
                        if (!stale.Contains(key) && kept.TryGetValue(key, out var part) && await write.KeepAsync(part, ct))
                        {
                            continue;
                        }

                        await write.RunsAsync(export.Rows(snapshot, key, ct), ct);
                    }
                }

                var written = new Manifest(Build, position.Feed, feedTicks, position.Revisions, write.Parts);
                if (write.Failure is null)
                {
                    write.Failure = Save(folder, written, manifest);
                }

                if (write.Failure is not null)
                {
                    // A download went through (the body comes first): only the parts are missing.
                    logger.LogError(write.Failure, "Writing the parts of the export {Name} failed; the earlier parts stay, and the next download reads what changed since them again", export.Name);
                    write.DeleteCreated();
                }

                logger.LogInformation("Export {Name} {Done} at feed entry {Feed}: {Copied} parts kept from their files, {Read} read from the database ({Keys})",
                    export.Name, body is null ? "brought up to date" : "written", position.Feed, write.Copied, write.Read,
                    manifest is null || stale is null ? "every key" : $"{stale.Count} keys changed");
                Last[export.Name] = new PartsWritten(manifest is null ? null : stale, write.Copied, write.Read, write.Parts.Sum(p => p.Rows));
                if (body is not null)
                {
                    return new Run(written, []);
                }

                // Without a body, the parts are what the caller has: if they could not all be written, it has nothing.
                // They are opened before the gate opens, since the next write deletes the files it replaces (an open
                // file's bytes stay readable).
                var files = write.Failure is null ? OpenAll(folder, written.Parts) : null;
                return files is null ? null : new Run(written, files);
            }
            catch
            {
                write.DeleteCreated();
                throw;
            }
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>The keys whose parts are old at <paramref name="position"/>, or null when every part is.</summary>
    private async Task<HashSet<string>?> StaleKeysAsync<T>(
        PasserelleDbContext db, PartedExport<T> export, string folder, Manifest manifest, RegistryPosition position, CancellationToken ct)
    {
        if (manifest.Build != Build || manifest.Feed > position.Feed || manifest.Revisions > position.Revisions
            || (manifest.Feed > 0 && await FeedTicksAsync(db, manifest.Feed, ct) != manifest.FeedTicks))
        {
            // Another build, or a feed that is not the one the parts followed (a restore): nothing is known to be kept.
            return null;
        }

        var entries = await db.ChangeFeed.AsNoTracking().Where(e => e.Id > manifest.Feed && e.Id <= position.Feed).OrderBy(e => e.Id)
            .Take(MaxFeedEntries + 1).ToListAsync(ct);
        if (entries.Count > MaxFeedEntries)
        {
            return null;
        }

        // "Everything" (an import past the feed's limit, a restore), or a deletion of a record, whose slug no longer names
        // it (a programme's new slug is its old one deleted): every part again. A deleted participation names its
        // project, which is read again.
        var changes = FeedChanges.Of(entries);
        if (changes.Everything || changes.Deleted.Any(t => t != "Participation" && !export.Unaffected.Contains(t))
            || changes.Types.Any(t => !ByProject.Contains(t) && !export.Unaffected.Contains(t)))
        {
            return null;
        }

        var projects = changes.Projects;
        var organisations = changes.Organisations;

        // Each project a change touches: the key it is listed under now (if it is listed), and the part it was in.
        var stale = new HashSet<string>(StringComparer.Ordinal);
        var ids = new HashSet<int>();
        foreach (var chunk in projects.Chunk(500))
        {
            var found = await db.Projects.AsNoTracking().Where(p => chunk.Contains(p.Slug)).Select(p => p.Id).ToListAsync(ct);
            if (found.Count != chunk.Length)
            {
                return null;
            }

            ids.UnionWith(found);
        }

        foreach (var chunk in organisations.Chunk(500))
        {
            if (await db.Organisations.CountAsync(o => chunk.Contains(o.Slug), ct) != chunk.Length)
            {
                return null;
            }

            ids.UnionWith(await db.Participations.AsNoTracking().Where(x => chunk.Contains(x.Organisation.Slug)).Select(x => x.ProjectId).ToListAsync(ct));
        }

        // A programme is in every row of the projects linked to it (its slug as their key when it is published, its
        // name, period, funds): those projects are read again, under the key they had and the key they have, as if
        // each had changed. A project only coded with the programme's code shows none of its values.
        foreach (var chunk in changes.Programmes.Chunk(500))
        {
            var programmes = await db.Programmes.AsNoTracking().Where(g => chunk.Contains(g.Slug)).Select(g => (int?)g.Id).ToListAsync(ct);
            if (programmes.Count != chunk.Length)
            {
                return null;
            }

            ids.UnionWith(await db.Projects.AsNoTracking().Where(p => programmes.Contains(p.ProgrammeId)).Select(p => p.Id).ToListAsync(ct));
        }

        foreach (var chunk in ids.Chunk(500))
        {
            // The export's key, over the published projects every export in parts lists.
            stale.UnionWith(await db.Projects.AsNoTracking().Where(p => chunk.Contains(p.Id) && p.IsPublished)
                .Select(export.ListedUnder).Distinct().ToListAsync(ct));
        }

        // The parts they were in: each part's ids read from its file, now that some are needed.
        try
        {
            foreach (var part in ids.Count == 0 ? [] : manifest.Parts)
            {
                if (!stale.Contains(part.Key) && ReadIds(Path.Combine(folder, part.File)).Any(ids.Contains))
                {
                    stale.Add(part.Key);
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            logger.LogWarning(e, "The ids of the parts in {Folder} cannot be read; every part is read again", folder);
            return null;
        }

        return stale;
    }

    /// <summary>
    /// The keys to write, in the file's order: the parts' keys, and the keys changed projects are now listed under that
    /// no part has yet, ordered by the database itself (its collation orders the file).
    /// </summary>
    private static async Task<List<string>> KeysAsync(ExportSnapshot snapshot, Manifest manifest, HashSet<string> stale, CancellationToken ct)
    {
        var keys = manifest.Parts.Select(p => p.Key).ToList();
        var known = keys.ToHashSet(StringComparer.Ordinal);
        if (stale.All(known.Contains))
        {
            return keys;
        }

        keys.AddRange(stale.Where(k => !known.Contains(k)));
        KeyValuePair<string, object>[] parameters = snapshot.IsPostgres
            ? [new("@keys", keys.ToArray())]
            : [new("@keys", JsonSerializer.Serialize(keys))];
        var sql = snapshot.IsPostgres ? "SELECT k FROM unnest(@keys) AS t(k) ORDER BY k" : "SELECT value FROM json_each(@keys) ORDER BY value";
        var ordered = new List<string>(keys.Count);
        await foreach (var key in snapshot.ReadAsync(0, sql, parameters, r => r.GetString(0), ct))
        {
            ordered.Add(key);
        }

        return ordered;
    }

    private static async Task<long> FeedTicksAsync(PasserelleDbContext db, long feed, CancellationToken ct) =>
        feed == 0 ? 0 : (await db.ChangeFeed.AsNoTracking().Where(e => e.Id == feed).Select(e => (DateTime?)e.ChangedAt).SingleOrDefaultAsync(ct))?.Ticks ?? -1;

    /// <summary>The parts of the last write, if their manifest can be read; null otherwise (every part is read again).</summary>
    private Manifest? Load(string folder)
    {
        var path = Path.Combine(folder, ManifestFile);
        try
        {
            if (!File.Exists(path))
            {
                return null;
            }

            var saved = JsonSerializer.Deserialize<SavedManifest>(File.ReadAllText(path));
            if (saved is null || saved.Build != Build)
            {
                return null;
            }

            var parts = saved.Parts.Select(p => new Part(p.Key, p.File, p.Bytes, p.Rows, p.Flagged)).ToList();
            return new Manifest(saved.Build, saved.Feed, saved.FeedTicks, saved.Revisions, parts);
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException or InvalidDataException)
        {
            logger.LogWarning(e, "The parts of {Folder} cannot be read; every part is read again", folder);
            return null;
        }
    }

    /// <summary>
    /// The new manifest in place of the old one, then the parts of the old one it does not keep deleted; null, or what
    /// failed.
    /// </summary>
    private Exception? Save(string folder, Manifest manifest, Manifest? previous)
    {
        try
        {
            var saved = new SavedManifest(manifest.Build, manifest.Feed, manifest.FeedTicks, manifest.Revisions,
                [.. manifest.Parts.Select(p => new SavedPart(p.Key, p.File, p.Bytes, p.Rows, p.Flagged))]);
            var path = Path.Combine(folder, ManifestFile);
            var temporary = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
            File.WriteAllText(temporary, JsonSerializer.Serialize(saved));
            File.Move(temporary, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return e;
        }

        // The old manifest's parts that this one did not keep; other files once they are an hour old (a process that
        // died while writing, or another instance sharing the folder, whose manifest may replace this one: a part
        // missing later is read again).
        var kept = manifest.Parts.Select(p => p.File).ToHashSet(StringComparer.Ordinal);
        var replaced = previous?.Parts.Select(p => p.File).ToHashSet(StringComparer.Ordinal) ?? [];
        var old = DateTime.UtcNow - ExportFiles.StaleTemporary;
        foreach (var file in Directory.EnumerateFiles(folder))
        {
            var name = Path.GetFileName(file);
            var part = name.EndsWith(".ids", StringComparison.Ordinal) ? name[..^4] : name;
            if (name != ManifestFile && !kept.Contains(part) && (replaced.Contains(part) || File.GetLastWriteTimeUtc(file) < old))
            {
                ExportFiles.TryDelete(file, logger);
            }
        }

        return null;
    }

    /// <summary>A part's file opened for reading, if it is there and as long as written; null otherwise (logged).</summary>
    private static FileStream? OpenPart(string folder, Part part, ILogger logger)
    {
        FileStream file;
        try
        {
            file = new FileStream(Path.Combine(folder, part.File), FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, CopyBuffer, FileOptions.Asynchronous | FileOptions.SequentialScan);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            logger.LogWarning(e, "The export part {File} cannot be opened; its rows are read again", part.File);
            return null;
        }

        if (file.Length != part.Bytes)
        {
            logger.LogWarning("The export part {File} is {Length} bytes, not {Bytes}; its rows are read again", part.File, file.Length, part.Bytes);
            file.Dispose();
            return null;
        }

        return file;
    }

    /// <summary>Every part's file opened, in order; null (none left open) if one cannot be.</summary>
    private List<FileStream>? OpenAll(string folder, IReadOnlyList<Part> parts)
    {
        var files = new List<FileStream>(parts.Count);
        foreach (var part in parts)
        {
            if (OpenPart(folder, part, logger) is not { } file)
            {
                files.ForEach(f => f.Dispose());
                return null;
            }

            files.Add(file);
        }

        return files;
    }

    private static int[] ReadIds(string part)
    {
        var bytes = File.ReadAllBytes(part + ".ids");
        if (bytes.Length % 4 != 0)
        {
            throw new InvalidDataException($"{part}.ids is not a list of ids");
        }

        var ids = new int[bytes.Length / 4];
        for (var i = 0; i < ids.Length; i++)
        {
            ids[i] = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(i * 4));
        }

        return ids;
    }

    /// <summary>
    /// One key's rows in a file (<see cref="Bytes"/> long), and how many projects they flag; the ids of their projects
    /// are in the file beside it.
    /// </summary>
    internal sealed record Part(string Key, string File, long Bytes, long Rows, long Flagged);

    /// <summary>The parts, in the file's order, current at a registry position (and the time of its feed entry).</summary>
    internal sealed record Manifest(string Build, long Feed, long FeedTicks, long Revisions, IReadOnlyList<Part> Parts);

    /// <summary>
    /// Parts brought up to date and opened (<see cref="OpenAsync"/>): their counts, and the body they make, copied once.
    /// Disposing closes the files (the next write may have deleted them meanwhile; their bytes are read until then).
    /// </summary>
    internal sealed class OpenedParts(
        Func<Stream, CancellationToken, Task> writeHeader, IReadOnlyList<Part> parts, IReadOnlyList<FileStream> files) : IAsyncDisposable
    {
        private bool _copied;

        /// <summary>The projects the rows flag (<see cref="PartedExport{T}.Flagged"/>).</summary>
        public long Flagged => parts.Sum(p => p.Flagged);

        /// <summary>The header, then every part's file: the whole export.</summary>
        public async Task<ExportResult> CopyToAsync(Stream body, CancellationToken ct)
        {
            if (_copied)
            {
                throw new InvalidOperationException("The parts were copied already: open them again for another body.");
            }

            _copied = true;
            await writeHeader(body, ct);
            foreach (var file in files)
            {
                await file.CopyToAsync(body, CopyBuffer, ct);
            }

            return new ExportResult(parts.Sum(p => p.Rows));
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var file in files)
            {
                await file.DisposeAsync();
            }
        }
    }

    /// <summary>The parts of a write, and their files opened when it had no body.</summary>
    private sealed record Run(Manifest Manifest, IReadOnlyList<FileStream> Files);

    /// <summary>What a write did: the keys read again (null: every part), parts copied from files and read from the database, rows.</summary>
    internal sealed record PartsWritten(IReadOnlySet<string>? Stale, int Copied, int Read, long Rows);

    private sealed record SavedPart(string Key, string File, long Bytes, long Rows, long Flagged);

    private sealed record SavedManifest(string Build, long Feed, long FeedTicks, long Revisions, List<SavedPart> Parts);

    /// <summary>
    /// Writes runs of rows to the body, each run also to a new part file with its ids; copies kept parts to the body.
    /// The body comes first and always: a failure of the files' side is kept in <see cref="Failure"/>, not thrown.
    /// Without a body (<see cref="OpenAsync"/>), the runs go to their files only and kept parts are checked, not copied.
    /// </summary>
    private sealed class PartWriter<T>(PartedExport<T> export, string folder, Stream? body, ILogger logger)
    {
        public List<Part> Parts { get; } = [];

        public List<string> Created { get; } = [];

        public Exception? Failure { get; set; }

        public int Copied { get; private set; }

        public int Read { get; private set; }

        /// <summary>
        /// Copies a kept part to the body (without a body, checks it only); false when its file is gone or not as
        /// written (it is read again).
        /// </summary>
        public async Task<bool> KeepAsync(Part part, CancellationToken ct)
        {
            if (OpenPart(folder, part, logger) is not { } file)
            {
                return false;
            }

            await using (file)
            {
                if (body is not null)
                {
                    await file.CopyToAsync(body, CopyBuffer, ct);
                }
            }

            Parts.Add(part);
            Copied++;
            return true;
        }

        /// <summary>Writes <paramref name="rows"/> (in the file's order) to the body, one new part per run of a key.</summary>
        public async Task RunsAsync(IAsyncEnumerable<T> rows, CancellationToken ct)
        {
            await using var e = rows.GetAsyncEnumerator(ct);
            var more = await e.MoveNextAsync();
            while (more)
            {
                var key = export.Key(e.Current);
                var ids = new List<int>();
                var flagged = 0L;
                var lastFlagged = -1;
                var name = Guid.NewGuid().ToString("N") + ".csv";
                var path = Path.Combine(folder, name);
                long rowsWritten;
                Exception? failure;
                await using (var tee = new FileTee(body ?? Stream.Null, () =>
                {
                    Directory.CreateDirectory(folder);
                    Created.Add(name);
                    return new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, CopyBuffer, FileOptions.Asynchronous);
                }))
                {
                    rowsWritten = await export.WriteRows(tee, Run(), ct);
                    failure = await tee.CompleteAsync();
                }

                Read++;
                if (failure is null && Failure is null)
                {
                    try
                    {
                        ids.Sort();
                        var bytes = new byte[ids.Count * 4];
                        for (var i = 0; i < ids.Count; i++)
                        {
                            BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(i * 4), ids[i]);
                        }

                        await File.WriteAllBytesAsync(path + ".ids", bytes, CancellationToken.None);
                        Parts.Add(new Part(key, name, new FileInfo(path).Length, rowsWritten, flagged));
                    }
                    catch (Exception x) when (x is IOException or UnauthorizedAccessException)
                    {
                        failure = x;
                    }
                }

                Failure ??= failure;

                // The run: this key's rows, read on from the enumerator the loop holds.
                async IAsyncEnumerable<T> Run([EnumeratorCancellation] CancellationToken token = default)
                {
                    do
                    {
                        var project = export.ProjectId(e.Current);
                        ids.Add(project);
                        // A project's rows follow one another: it is flagged once, by its first flagged row.
                        if (export.Flagged is { } flags && project != lastFlagged && flags(e.Current))
                        {
                            flagged++;
                            lastFlagged = project;
                        }

                        yield return e.Current;
                        more = await e.MoveNextAsync();
                    }
                    while (more && string.Equals(export.Key(e.Current), key, StringComparison.Ordinal));
                }
            }
        }

        /// <summary>Deletes the part files this write created (it failed, or was cancelled).</summary>
        public void DeleteCreated()
        {
            foreach (var name in Created)
            {
                var path = Path.Combine(folder, name);
                ExportFiles.TryDelete(path, logger);
                ExportFiles.TryDelete(path + ".ids", logger);
            }
        }
    }
}
