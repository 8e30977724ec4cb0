using System.Security.Cryptography;

using Microsoft.EntityFrameworkCore;

using Passerelle.Core.Data;
using Passerelle.Core.History;
using Passerelle.Core.Registry;
using Passerelle.Core.Sources;

namespace Passerelle.Core.Imports;

/// <summary>
/// Imports the keep.eu-style project and partner tables (the columns of the exports, so an export imports back).
/// The whole file is validated first and every error collected with its row and column; any error and nothing is
/// written. Otherwise everything is written in one transaction, every imported value as a fact whose source is the
/// file, so provenance holds (ADR 0001) and importing the same file again writes nothing.
/// </summary>
public sealed class KeepImporter(PasserelleDbContext db, RegistryWriter writer, TimeProvider clock)
{
    public async Task<ImportReport> ImportAsync(ImportTable table, string path, ImportSourceOptions? source = null, CancellationToken ct = default) =>
        await ImportAsync(table, path, source, null, ct);

    /// <summary>Imports the file on behalf of <paramref name="actor"/> (the import command and its file, by default).</summary>
    public async Task<ImportReport> ImportAsync(ImportTable table, string path, ImportSourceOptions? source, Actor? actor, CancellationToken ct = default)
    {
        var file = Path.GetFileName(path);
        var errors = new ImportErrors();
        if (!File.Exists(path))
        {
            errors.Add(null, null, $"file not found: {path}");
            return Report(file, table, errors, [], default);
        }

        var projects = table == ImportTable.Projects ? new ProjectImporter(db) : null;
        var partners = table == ImportTable.Partners ? new PartnerImporter(db) : null;
        if (projects is not null)
        {
            await projects.ValidateAsync(path, errors, ct);
        }
        else
        {
            await partners!.ValidateAsync(path, errors, ct);
        }

        var notes = projects?.Notes ?? partners!.Notes;
        if (errors.Count > 0)
        {
            return Report(file, table, errors, notes, default);
        }

        await using var session = await writer.BeginAsync(actor ?? Actor.Command("import " + table.ToString().ToLowerInvariant(), path), ct);
        var sourceHandle = await SourceAsync(session, path, file, source, ct);
        var counts = projects is not null ? await projects.WriteAsync(session, sourceHandle, ct) : await partners!.WriteAsync(session, sourceHandle, ct);
        await session.CommitAsync(ct);
        return Report(file, table, errors, notes, counts);
    }

    /// <summary>
    /// The file's source, keyed by a hash of its content: the same file imported twice is one source. It is created
    /// only if a value of the file is written (an export imported back into the registry it came from writes nothing,
    /// not even its source). The source date is the day of the first import: a file carries no reliable date of its own.
    /// </summary>
    private async Task<SourceHandle> SourceAsync(WriteSession session, string path, string file, ImportSourceOptions? options, CancellationToken ct)
    {
        await using var stream = File.OpenRead(path);
        var key = "import-" + Convert.ToHexString(await SHA256.HashDataAsync(stream, ct))[..24].ToLowerInvariant();
        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        var title = string.IsNullOrWhiteSpace(options?.Title) ? file : options.Title.Trim();
        return await session.SourceAsync(new Source
        {
            Key = key,
            Title = title.Length > 500 ? title[..500] : title,
            Url = string.IsNullOrWhiteSpace(options?.Url) ? null : options.Url.Trim(),
            SourceDate = today.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            RetrievedOn = today,
        }, ct);
    }

    private static ImportReport Report(
        string file, ImportTable table, ImportErrors errors, IReadOnlyList<string> notes, (int Created, int Updated, int Unchanged) counts) => new()
        {
            File = file,
            Table = table,
            Errors = errors.Listed,
            ErrorCount = errors.Count,
            Notes = notes,
            Created = counts.Created,
            Updated = counts.Updated,
            Unchanged = counts.Unchanged,
        };
}
