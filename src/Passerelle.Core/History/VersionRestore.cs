using System.Globalization;

using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;

using Passerelle.Core.Accounts;
using Passerelle.Core.Data;
using Passerelle.Core.Registry;
using Passerelle.Core.Sources;

namespace Passerelle.Core.History;

/// <summary>What a restore did.</summary>
/// <param name="ChangeSetId">The new version the restore made; null when the record already showed that version.</param>
/// <param name="Changes">The revisions it wrote.</param>
/// <param name="NotRestored">
/// What differs from the version but is not put back: links (partners, aliases, members, themes, area and territory
/// units), values of partners no longer in the project, fields no longer in the registry. The page lists them.
/// </param>
public sealed record VersionRestoreResult(long? ChangeSetId, int Changes, IReadOnlyList<string> NotRestored);

/// <summary>
/// Restores an earlier version of a record through the one write path (ADR 0010, ADR 0013): the restore is itself a
/// new version, by the person who made it, and nothing of the history is lost. Each sourced value field gets back
/// exactly the values it showed then, in the same order and with the same sources and notes (values added since are
/// retracted, values withdrawn since are added again from their source); each editorial attribute its value then.
/// Links are not restored: a partner removed since took its participation with it, and putting one back is an edit.
/// </summary>
public sealed class VersionRestore(PasserelleDbContext db, RegistryWriter writer, HistoryQueries history)
{
    /// <summary>
    /// Whether <paramref name="access"/> may restore versions of the record: administrators any; editors the programmes
    /// and groupings of their scope and the projects of those programmes; nobody else.
    /// </summary>
    public async Task<bool> MayRestoreAsync(Access access, SubjectType type, int id, CancellationToken ct = default)
    {
        if (access.IsAdministrator)
        {
            return true;
        }

        if (access.Role != AccessRole.Editor)
        {
            return false;
        }

        return type switch
        {
            SubjectType.Programme => access.ProgrammeIds.Contains(id),
            SubjectType.Grouping => access.GroupingIds.Contains(id),
            SubjectType.Project => await db.Projects.AsNoTracking().Where(p => p.Id == id).Select(p => p.ProgrammeId).FirstOrDefaultAsync(ct) is { } programme
                && access.ProgrammeIds.Contains(programme),
            _ => false,
        };
    }

    /// <summary>
    /// Makes the record show what it showed after the change set <paramref name="changeSetId"/>, as a new version by
    /// <paramref name="access"/>.
    /// </summary>
    /// <exception cref="AccessDeniedException">The access may not change this record (or would move a project out of its scope).</exception>
    /// <exception cref="KeyNotFoundException">No such record, or the change set is not one of its versions.</exception>
    /// <exception cref="RegistryWriteException">A value of then is refused by today's rules of its field.</exception>
    public async Task<VersionRestoreResult> RestoreAsync(Access access, SubjectType type, int id, long changeSetId, CancellationToken ct = default)
    {
        if (!HistoryQueries.Types.Values.Contains(type))
        {
            throw new KeyNotFoundException($"{type} records have no versions to restore.");
        }

        if (!await MayRestoreAsync(access, type, id, ct))
        {
            throw new AccessDeniedException($"{access.Name} ({access.Role}) may not change {HistoryQueries.TypeName(type)} {id}.");
        }

        var version = await history.VersionAsync(type, id, changeSetId, ct)
            ?? throw new KeyNotFoundException($"{HistoryQueries.TypeName(type)} {id} has no version {changeSetId}.");
        var at = version.At.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
        await using var session = await writer.BeginAsync(Actor.User(access.Name, $"restore of version {version.Number} ({at} UTC, change set {changeSetId})"), ct);

        // Inside the transaction: the state read and the writes see the same history.
        var record = await LoadAsync(type, id, ct) ?? throw new KeyNotFoundException($"There is no {HistoryQueries.TypeName(type)} {id}.");
        var scope = await history.ScopeAsync(type, id, ct);
        var latest = await scope.Revisions(db).MaxAsync(r => r.ChangeSetId, ct);
        var states = await history.StatesAsync(scope, [changeSetId, latest], ct);
        var then = states[changeSetId];
        var notRestored = new List<string>();

        var participations = type == SubjectType.Project
            ? await db.Participations.Where(x => x.ProjectId == id).ToDictionaryAsync(x => x.Id, ct)
            : new Dictionary<int, Projects.Participation>();
        if (type != SubjectType.Source)
        {
            await session.LoadValuesAsync([record], ct);
            await session.LoadValuesAsync(participations.Values, ct);
            RestoreValues(session, record, type, then.Where(f => f.ParticipationId is null), notRestored);
            foreach (var (participationId, participation) in participations)
            {
                RestoreValues(session, participation, SubjectType.Participation, then.Where(f => f.ParticipationId == participationId), notRestored);
            }
        }

        RestoreAttributes(session.Db.Entry(record), type, then.Where(f => f.Kind == HistoryFieldKind.Attribute && f.ParticipationId is null), notRestored);
        if (record is Projects.Project project && access.Role == AccessRole.Editor
            && !(project.ProgrammeId is { } programme && access.ProgrammeIds.Contains(programme)))
        {
            throw new AccessDeniedException($"{access.Name} may not move project {id} to a programme outside their scope.");
        }

        // Links are listed, not restored.
        var now = states[latest];
        foreach (var diff in HistoryQueries.Compare(then, now).Where(d => d.Changed && d.Kind == HistoryFieldKind.Link))
        {
            notRestored.Add(diff.Label);
        }

        await session.CommitAsync(ct);
        return new VersionRestoreResult(session.ChangeSetId, session.RevisionCount, notRestored);
    }

    private async Task<object?> LoadAsync(SubjectType type, int id, CancellationToken ct) => type switch
    {
        SubjectType.Programme => await db.Programmes.FirstOrDefaultAsync(p => p.Id == id, ct),
        SubjectType.Grouping => await db.Groupings.FirstOrDefaultAsync(g => g.Id == id, ct),
        SubjectType.Project => await db.Projects.FirstOrDefaultAsync(p => p.Id == id, ct),
        SubjectType.Organisation => await db.Organisations.FirstOrDefaultAsync(o => o.Id == id, ct),
        SubjectType.Source => await db.Sources.FirstOrDefaultAsync(s => s.Id == id, ct),
        _ => null,
    };

    /// <summary>Each sourced field of the record exactly as it was: the values, their order, sources and notes.</summary>
    private static void RestoreValues(WriteSession session, object record, SubjectType type, IEnumerable<StateField> then, List<string> notRestored)
    {
        var wanted = then.Where(f => f.Kind == HistoryFieldKind.Value).ToDictionary(f => f.Field, StringComparer.Ordinal);
        foreach (var name in session.FieldNames(record).Union(wanted.Keys, StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            if (Fields.Find(type, name) is not { } field)
            {
                notRestored.Add(HistoryLabels.Label(type, name));
                continue;
            }

            var values = wanted.TryGetValue(name, out var f) ? f.Values : [];
            if (values.Any(v => v.Source is null))
            {
                notRestored.Add(HistoryLabels.Label(type, name));
                continue;
            }

            var desired = values.Select(v => new SourcedValue(v.Value, session.Source(v.Source!.Id), v.Note)).ToList();
            // Every source of the field, then's and today's, is "owned": the field becomes exactly the desired list.
            var owned = values.Select(v => v.Source!.Id).Concat(session.Values(record, field).Select(v => v.SourceId)).ToHashSet();
            session.SyncValues(record, field, desired, owned);
        }
    }

    /// <summary>Editorial attributes back to their value then (the session records each as "set").</summary>
    private static void RestoreAttributes(EntityEntry entry, SubjectType type, IEnumerable<StateField> then, List<string> notRestored)
    {
        // Columns that follow a field's values are restored with the values, never set directly.
        var bound = Fields.All.Where(f => f.Subject == type && f.Column is not null).SelectMany(f => f.Column!.Properties).ToHashSet(StringComparer.Ordinal);
        foreach (var attribute in then)
        {
            var property = entry.Properties.FirstOrDefault(p => WriteSession.Snake(p.Metadata.Name) == attribute.Field);
            if (property is null || property.Metadata.IsPrimaryKey() || property.Metadata.IsShadowProperty() || property.Metadata.IsConcurrencyToken
                || bound.Contains(property.Metadata.Name))
            {
                notRestored.Add(attribute.Label);
                continue;
            }

            var value = attribute.Values.Count == 0 ? null : attribute.Values[0].Value;
            if (string.Equals(WriteSession.Format(property.CurrentValue), value, StringComparison.Ordinal))
            {
                continue;
            }

            if (!TryParse(value, property.Metadata.ClrType, out var parsed))
            {
                notRestored.Add(attribute.Label);
                continue;
            }

            property.CurrentValue = parsed;
        }
    }

    /// <summary>A value as revisions record it (<see cref="WriteSession.Format"/>) back to the property's type.</summary>
    internal static bool TryParse(string? text, Type type, out object? value)
    {
        value = null;
        var underlying = Nullable.GetUnderlyingType(type);
        if (text is null)
        {
            return underlying is not null || !type.IsValueType;
        }

        var t = underlying ?? type;
        var c = CultureInfo.InvariantCulture;
        switch (t)
        {
            case not null when t == typeof(string):
                value = text;
                return true;
            case not null when t.IsEnum:
                return Enum.TryParse(t, text, ignoreCase: false, out value);
            case not null when t == typeof(bool) && bool.TryParse(text, out var b):
                value = b;
                return true;
            case not null when t == typeof(int) && int.TryParse(text, NumberStyles.Integer, c, out var i):
                value = i;
                return true;
            case not null when t == typeof(long) && long.TryParse(text, NumberStyles.Integer, c, out var l):
                value = l;
                return true;
            case not null when t == typeof(decimal) && decimal.TryParse(text, NumberStyles.Number, c, out var m):
                value = m;
                return true;
            case not null when t == typeof(double) && double.TryParse(text, NumberStyles.Float, c, out var d):
                value = d;
                return true;
            case not null when t == typeof(DateTime) && DateTime.TryParse(text, c, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var dt):
                value = DateTime.SpecifyKind(dt, DateTimeKind.Utc);
                return true;
            case not null when t == typeof(DateOnly) && DateOnly.TryParse(text, c, out var day):
                value = day;
                return true;
            case not null when t == typeof(List<string>):
                value = text.Length == 0 ? new List<string>() : text.Split(", ").ToList();
                return true;
            default:
                return false;
        }
    }
}
