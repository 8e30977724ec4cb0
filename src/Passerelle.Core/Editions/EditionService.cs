using System.Globalization;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

using Microsoft.EntityFrameworkCore;

using Passerelle.Core.Accounts;
using Passerelle.Core.Data;
using Passerelle.Core.Editing;
using Passerelle.Core.Exports;
using Passerelle.Core.OpenData;
using Passerelle.Core.Projects;

namespace Passerelle.Core.Editions;

/// <summary>
/// The dated editions of each programme's list of operations (ADR 26): publish one (a copy of the list as it is now,
/// with the fields of <see cref="OperationsList.Columns"/>), list them, read one back, and compare two.
/// </summary>
/// <remarks>
/// An edition copies values, it does not change them: it is written beside the registry (like the history and the
/// audit log), not through the write session, and never edited afterwards.
/// </remarks>
public sealed class EditionService(PasserelleDbContext db, AuditLog audit, TimeProvider clock)
{
    /// <summary>The key of the acronym field, by which an operation is named in the diff.</summary>
    public static readonly string AcronymKey = OperationsList.Columns.Single(c => c.Header == "Operation acronym").JsonKey;

    /// <summary>The header of the operation code, the first column of an edition's file.</summary>
    public const string CodeHeader = "Operation code";

    private const int Attempts = 3;

    // ------------------------------------------------------------------------------------------------ publish

    /// <summary>
    /// Publishes the programme's list of operations as it is now, as its next edition; an operation listed for the
    /// first time gets its code. Administrators, and editors of the programme.
    /// </summary>
    /// <exception cref="AccessDeniedException">The access does not include the programme.</exception>
    /// <exception cref="RecordNotFoundException">No programme has that id.</exception>
    /// <exception cref="RuleViolationException">The programme is a draft or deleted (<see cref="EditionRules.ProgrammeNotPublished"/>).</exception>
    public async Task<EditionInfo> PublishAsync(Access access, int programmeId, CancellationToken ct = default)
    {
        var record = RecordRef.Programme(programmeId);
        var programme = await db.Programmes.AsNoTracking().SingleOrDefaultAsync(p => p.Id == programmeId, ct)
            ?? throw new RecordNotFoundException(record);
        if (!await new EditScope(db).CanEditAsync(access, record, ct))
        {
            throw EditScope.Denied(access, "publish the list of operations of", record);
        }

        if (!programme.IsPublished || programme.DeletedAt is not null)
        {
            throw new RuleViolationException([new RuleViolation("programme", EditionRules.ProgrammeNotPublished,
                "the programme is a draft or deleted: publish the programme before its list of operations")]);
        }

        // Two publishers at once both read the same last number; the unique (programme, number) index refuses the
        // second, which starts again from the list as it is then.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await PublishOnceAsync(access, programme.Id, programme.Code, programme.Slug, ct);
            }
            catch (DbUpdateException) when (attempt < Attempts)
            {
                db.ChangeTracker.Clear();
            }
        }
    }

    private async Task<EditionInfo> PublishOnceAsync(Access access, int programmeId, string programmeCode, string programmeSlug, CancellationToken ct)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var now = clock.GetUtcNow().UtcDateTime;
        var rows = await OperationsAsync(programmeId, ct);

        // Codes: the operation's own, else a new one, kept for ever.
        var projectIds = rows.Select(r => r.ProjectId).ToList();
        var codes = await db.OperationCodes.Where(c => projectIds.Contains(c.ProjectId)).ToDictionaryAsync(c => c.ProjectId, ct);
        foreach (var id in projectIds.Where(id => !codes.ContainsKey(id)))
        {
            var code = new OperationCode { ProjectId = id, Code = NewCode(programmeCode, id), AssignedAt = now };
            db.OperationCodes.Add(code);
            codes[id] = code;
        }

        // Contents: stored once, shared by every edition that published the same fields.
        var fields = rows.Select(Serialise).ToList();
        var hashes = fields.Select(Hash).ToList();
        var distinct = hashes.Distinct().ToList();
        var contents = await db.EditionContents.Where(c => distinct.Contains(c.Hash)).ToDictionaryAsync(c => c.Hash, ct);
        for (var i = 0; i < rows.Count; i++)
        {
            if (!contents.ContainsKey(hashes[i]))
            {
                var content = new EditionContent { Hash = hashes[i], Fields = fields[i] };
                db.EditionContents.Add(content);
                contents[hashes[i]] = content;
            }
        }

        await db.SaveChangesAsync(ct);

        var columns = JsonSerializer.Serialize(OperationsList.Columns.Select(c => new EditionColumn(c.JsonKey, c.Header)), JsonOptions);
        var summary = new StringBuilder(columns).Append('\n');
        var edition = new Edition
        {
            ProgrammeId = programmeId,
            Number = await db.Editions.Where(e => e.ProgrammeId == programmeId).MaxAsync(e => (int?)e.Number, ct) + 1 ?? 1,
            PublishedAt = now,
            PublishedBy = access.Name,
            PublishedByUserId = access.UserId,
            OperationCount = rows.Count,
            Columns = columns,
            ContentHash = "",
        };
        for (var i = 0; i < rows.Count; i++)
        {
            var code = codes[rows[i].ProjectId];
            edition.Operations.Add(new EditionOperation { OperationCodeId = code.Id, ContentId = contents[hashes[i]].Id, Position = i });
            summary.Append(code.Code).Append('\t').Append(hashes[i]).Append('\n');
        }

        edition.ContentHash = Hash(summary.ToString());
        db.Editions.Add(edition);
        await db.SaveChangesAsync(ct);
        await audit.RecordAsync(AuditKind.EditionPublished, access.Name, access.UserId, $"programme {programmeSlug}",
            string.Create(CultureInfo.InvariantCulture, $"edition {edition.Number} of the list of operations: {rows.Count} operations"), ct: ct);
        await transaction.CommitAsync(ct);
        return Info(edition);
    }

    /// <summary>"FWV-42": the programme's code (letters and digits, others as hyphens) and the project's id, which no other project ever has.</summary>
    public static string NewCode(string programmeCode, int projectId)
    {
        var prefix = new string([.. programmeCode.Trim().ToUpperInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-')]).Trim('-');
        return string.Create(CultureInfo.InvariantCulture, $"{(prefix.Length == 0 ? "OP" : prefix)}-{projectId}");
    }

    /// <summary>The programme's published operations, as the list of operations reads them (<see cref="OperationsList.Rows"/>).</summary>
    private async Task<List<OperationRow>> OperationsAsync(int programmeId, CancellationToken ct) =>
        await OperationsList.Rows(db.Projects.AsNoTracking().Where(p => p.IsPublished && p.ProgrammeId == programmeId)
            .OrderBy(p => p.Acronym).ThenBy(p => p.Id)).ToListAsync(ct);

    // ------------------------------------------------------------------------------------------------ read

    /// <summary>A published programme's editions, newest first, and its status on today's date; null when no published programme has that slug.</summary>
    public async Task<ProgrammeEditions?> ListAsync(string slug, CancellationToken ct = default)
    {
        var programme = await db.Programmes.AsNoTracking().Where(p => p.Slug == slug && p.IsPublished)
            .Select(p => new EditionProgramme(p.Id, p.Slug, p.Code, p.Period, p.Name)).SingleOrDefaultAsync(ct);
        return programme is null ? null : await ListAsync(programme, ct);
    }

    /// <summary>Any programme's editions (the back office: drafts included); null when no programme has that id.</summary>
    public async Task<ProgrammeEditions?> ListAsync(int programmeId, CancellationToken ct = default)
    {
        var programme = await db.Programmes.AsNoTracking().Where(p => p.Id == programmeId)
            .Select(p => new EditionProgramme(p.Id, p.Slug, p.Code, p.Period, p.Name)).SingleOrDefaultAsync(ct);
        return programme is null ? null : await ListAsync(programme, ct);
    }

    private async Task<ProgrammeEditions> ListAsync(EditionProgramme programme, CancellationToken ct)
    {
        var editions = (await db.Editions.AsNoTracking().Where(e => e.ProgrammeId == programme.Id).OrderByDescending(e => e.Number).ToListAsync(ct))
            .Select(Info).ToList();
        return new ProgrammeEditions(programme, EditionSchedule.Status(programme.Period, editions.FirstOrDefault()?.PublishedAt, clock.GetUtcNow()), editions);
    }

    /// <summary>The status of the programmes given (the back office's warnings): by programme id, only those that exist.</summary>
    public async Task<IReadOnlyList<(EditionProgramme Programme, EditionStatus Status)>> StatusesAsync(IReadOnlyCollection<int>? programmeIds, CancellationToken ct = default)
    {
        var programmes = db.Programmes.AsNoTracking().Where(p => p.DeletedAt == null);
        if (programmeIds is not null)
        {
            var ids = programmeIds.ToList();
            programmes = programmes.Where(p => ids.Contains(p.Id));
        }

        var rows = await programmes.OrderBy(p => p.Slug)
            .Select(p => new
            {
                Programme = new EditionProgramme(p.Id, p.Slug, p.Code, p.Period, p.Name),
                Last = db.Editions.Where(e => e.ProgrammeId == p.Id).Max(e => (DateTime?)e.PublishedAt),
            })
            .ToListAsync(ct);
        var now = clock.GetUtcNow();
        return [.. rows.Select(r => (r.Programme, EditionSchedule.Status(r.Programme.Period, r.Last, now)))];
    }

    /// <summary>One edition of a published programme, with its columns; null when there is none.</summary>
    public async Task<(EditionInfo Edition, IReadOnlyList<EditionColumn> Columns)?> GetAsync(string slug, int number, CancellationToken ct = default)
    {
        var edition = await FindAsync(slug, number, ct);
        return edition is null ? null : (Info(edition), Columns(edition));
    }

    /// <summary>The operations of an edition as it published them, in its order (streamed: a file of any size in flat memory).</summary>
    public async IAsyncEnumerable<EditionOperationRow> OperationsAsync(string slug, int number, [EnumeratorCancellation] CancellationToken ct = default)
    {
        var edition = await FindAsync(slug, number, ct);
        if (edition is null)
        {
            yield break;
        }

        var rows = db.EditionOperations.AsNoTracking().Where(o => o.EditionId == edition.Id).OrderBy(o => o.Position)
            .Select(o => new { o.OperationCode.Code, o.Content.Fields })
            .AsAsyncEnumerable();
        await foreach (var row in rows.WithCancellation(ct))
        {
            yield return new EditionOperationRow(row.Code, Parse(row.Fields));
        }
    }

    /// <summary>The columns of an edition's file: the operation code, then each field it published.</summary>
    public static IReadOnlyList<ExportColumn<EditionOperationRow>> FileColumns(IReadOnlyList<EditionColumn> columns) =>
        [new(CodeHeader, r => r.Code, "operationCode"), .. columns.Select(c => new ExportColumn<EditionOperationRow>(c.Header, r => r.Fields.GetValueOrDefault(c.Key), c.Key))];

    /// <summary>
    /// What changed from edition <paramref name="from"/> to edition <paramref name="to"/> of a published programme
    /// (either order; the same number gives an empty diff); null when either does not exist.
    /// </summary>
    public async Task<EditionDiff?> DiffAsync(string slug, int from, int to, CancellationToken ct = default)
    {
        var a = await FindAsync(slug, from, ct);
        var b = await FindAsync(slug, to, ct);
        if (a is null || b is null)
        {
            return null;
        }

        var before = await EntriesAsync(a.Id, ct);
        var after = await EntriesAsync(b.Id, ct);
        var beforeByCode = before.ToDictionary(e => e.Code);
        var afterByCode = after.ToDictionary(e => e.Code);
        var added = after.Where(e => !beforeByCode.ContainsKey(e.Code)).ToList();
        var removed = before.Where(e => !afterByCode.ContainsKey(e.Code)).ToList();
        var changed = after.Where(e => beforeByCode.TryGetValue(e.Code, out var old) && old.ContentId != e.ContentId)
            .Select(e => (Code: e.Code, Old: beforeByCode[e.Code].ContentId, New: e.ContentId)).ToList();

        var needed = added.Select(e => e.ContentId).Concat(removed.Select(e => e.ContentId))
            .Concat(changed.SelectMany(c => new[] { c.Old, c.New })).Distinct().ToList();
        var contents = new Dictionary<long, IReadOnlyDictionary<string, object?>>();
        foreach (var chunk in needed.Chunk(500))
        {
            foreach (var c in await db.EditionContents.AsNoTracking().Where(c => chunk.Contains(c.Id)).Select(c => new { c.Id, c.Fields }).ToListAsync(ct))
            {
                contents[c.Id] = Parse(c.Fields);
            }
        }

        // Headers as the newer edition words them; fields only the older one had come after.
        var columns = Columns(b).Concat(Columns(a)).DistinctBy(c => c.Key).ToList();
        var changes = changed.Select(c =>
            {
                var old = contents[c.Old];
                var @new = contents[c.New];
                var fields = columns
                    .Where(col => !Equals(old.GetValueOrDefault(col.Key), @new.GetValueOrDefault(col.Key)))
                    .Select(col => new FieldChange(col.Key, col.Header, old.GetValueOrDefault(col.Key), @new.GetValueOrDefault(col.Key)))
                    .ToList();
                return new OperationChange(c.Code, @new.GetValueOrDefault(AcronymKey) as string ?? old.GetValueOrDefault(AcronymKey) as string, fields);
            })
            .ToList();
        return new EditionDiff(Info(a), Info(b),
            [.. added.Select(e => new EditionOperationRow(e.Code, contents[e.ContentId]))],
            [.. removed.Select(e => new EditionOperationRow(e.Code, contents[e.ContentId]))],
            changes);
    }

    private sealed record Entry(string Code, long ContentId, int Position);

    private Task<List<Entry>> EntriesAsync(int editionId, CancellationToken ct) =>
        db.EditionOperations.AsNoTracking().Where(o => o.EditionId == editionId).OrderBy(o => o.Position)
            .Select(o => new Entry(o.OperationCode.Code, o.ContentId, o.Position)).ToListAsync(ct);

    private Task<Edition?> FindAsync(string slug, int number, CancellationToken ct) =>
        db.Editions.AsNoTracking()
            .Where(e => e.Number == number && db.Programmes.Any(p => p.Id == e.ProgrammeId && p.Slug == slug && p.IsPublished))
            .SingleOrDefaultAsync(ct);

    private static EditionInfo Info(Edition e) =>
        new(e.Number, DateTime.SpecifyKind(e.PublishedAt, DateTimeKind.Utc), e.PublishedBy, e.OperationCount, e.ContentHash);

    private static List<EditionColumn> Columns(Edition e) => JsonSerializer.Deserialize<List<EditionColumn>>(e.Columns, JsonOptions) ?? [];

    // ------------------------------------------------------------------------------------------------ contents

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// The canonical JSON of an operation's fields: keys in the columns' order, numbers as numbers, unknown values left
    /// out. The same fields always give the same text, and so the same hash.
    /// </summary>
    internal static string Serialise(OperationRow row)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            foreach (var column in OperationsList.Columns)
            {
                switch (column.Value(row))
                {
                    case null:
                        break;
                    case string s:
                        json.WriteString(column.JsonKey, s);
                        break;
                    case decimal d:
                        json.WriteNumber(column.JsonKey, ExportRates.Normalise(d));
                        break;
                    case double x:
                        json.WriteNumber(column.JsonKey, x);
                        break;
                    case int n:
                        json.WriteNumber(column.JsonKey, n);
                        break;
                    case long n:
                        json.WriteNumber(column.JsonKey, n);
                        break;
                    case var other:
                        json.WriteString(column.JsonKey, ExportValues.FormatText(other));
                        break;
                }
            }

            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static IReadOnlyDictionary<string, object?> Parse(string fields)
    {
        using var document = JsonDocument.Parse(fields);
        var result = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var property in document.RootElement.EnumerateObject())
        {
            result[property.Name] = property.Value.ValueKind switch
            {
                JsonValueKind.Number => property.Value.TryGetDecimal(out var d) ? d : property.Value.GetDouble(),
                JsonValueKind.String => property.Value.GetString(),
                _ => property.Value.GetRawText(),
            };
        }

        return result;
    }

    private static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
