using System.Security.Cryptography;

using Microsoft.EntityFrameworkCore;

using Passerelle.Core.Data;
using Passerelle.Core.Sources;

namespace Passerelle.Core.Imports;

/// <summary>
/// Imports the keep.eu-style project and partner tables (the columns of the exports, so an export imports back).
/// The whole file is validated first and every error collected with its row and column; any error and nothing is
/// written. Otherwise everything is written in one transaction, every imported value as a fact whose source is the
/// file, so provenance holds (ADR 0001) and importing the same file again writes nothing.
/// </summary>
public sealed class KeepImporter(PasserelleDbContext db, TimeProvider clock)
{
    public async Task<ImportReport> ImportAsync(ImportTable table, string path, ImportSourceOptions? source = null, CancellationToken ct = default)
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

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var sourceId = await SourceIdAsync(path, file, source, ct);
        var counts = projects is not null ? await projects.WriteAsync(sourceId, ct) : await partners!.WriteAsync(sourceId, ct);
        await transaction.CommitAsync(ct);
        return Report(file, table, errors, notes, counts);
    }

    /// <summary>
    /// The file's source, keyed by a hash of its content: the same file imported twice is one source, so its facts are
    /// recognised as already written. The source date is the import day: a file carries no reliable date of its own.
    /// </summary>
    private async Task<int> SourceIdAsync(string path, string file, ImportSourceOptions? options, CancellationToken ct)
    {
        await using var stream = File.OpenRead(path);
        var key = "import-" + Convert.ToHexString(await SHA256.HashDataAsync(stream, ct))[..24].ToLowerInvariant();
        if (await db.Sources.Where(s => s.Key == key).Select(s => (int?)s.Id).FirstOrDefaultAsync(ct) is { } id)
        {
            return id;
        }

        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        var title = string.IsNullOrWhiteSpace(options?.Title) ? file : options.Title.Trim();
        var row = new Source
        {
            Key = key,
            Title = title.Length > 500 ? title[..500] : title,
            Url = string.IsNullOrWhiteSpace(options?.Url) ? null : options.Url.Trim(),
            SourceDate = today.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            RetrievedOn = today,
        };
        db.Sources.Add(row);
        await db.SaveChangesAsync(ct);
        db.ChangeTracker.Clear();
        return row.Id;
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
