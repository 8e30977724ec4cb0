using Microsoft.EntityFrameworkCore;

using Passerelle.Core.Data;

namespace Passerelle.Core.Sources;

public sealed record SourceRef(string Key, string Title, string? Url, string? SourceDate);

public sealed record FactView(string Field, string Value, int Rank, string? Note, SourceRef Source);

/// <summary>The sourced values of a record, grouped by field in display order.</summary>
public sealed class FactSheet(IReadOnlyList<FactView> facts)
{
    public static FactSheet Empty { get; } = new([]);

    public IReadOnlyList<FactView> All { get; } = facts;

    public IReadOnlyList<FactView> this[string field] => All.Where(f => f.Field == field).ToList();

    public IReadOnlyList<FactView> this[Registry.FieldDefinition field] => this[field.Name];

    public bool Has(string field) => All.Any(f => f.Field == field);

    public bool Has(Registry.FieldDefinition field) => Has(field.Name);

    /// <summary>Whether the sources give more than one distinct value for the field.</summary>
    public bool Disagree(string field) => All.Where(f => f.Field == field).Select(f => f.Value).Distinct().Count() > 1;

    public IEnumerable<SourceRef> Sources => All.Select(f => f.Source).DistinctBy(s => s.Key);
}

public static class FactQueries
{
    public static async Task<FactSheet> ForSubjectAsync(PasserelleDbContext db, SubjectType type, int id, CancellationToken ct = default)
    {
        var facts = await Query(db.Facts.Where(f => f.SubjectType == type && f.SubjectId == id && !f.Retracted)).ToListAsync(ct);
        return new FactSheet(Project(facts));
    }

    public static async Task<Dictionary<int, FactSheet>> ForSubjectsAsync(
        PasserelleDbContext db, SubjectType type, IReadOnlyCollection<int> ids, CancellationToken ct = default)
    {
        var facts = await Query(db.Facts.Where(f => f.SubjectType == type && ids.Contains(f.SubjectId) && !f.Retracted)).ToListAsync(ct);
        return facts.GroupBy(f => f.SubjectId).ToDictionary(g => g.Key, g => new FactSheet(Project(g)));
    }

    /// <summary>The sources that have these keys (of those that exist and are not deleted), for notes that mention other sources.</summary>
    public static async Task<IReadOnlyList<SourceRef>> SourcesByKeyAsync(PasserelleDbContext db, IReadOnlyCollection<string> keys, CancellationToken ct = default) =>
        await db.Sources.AsNoTracking().Where(s => keys.Contains(s.Key) && s.DeletedAt == null)
            .Select(s => new SourceRef(s.Key, s.Title, s.Url, s.SourceDate)).ToListAsync(ct);

    private static IQueryable<FactRowData> Query(IQueryable<Fact> facts) =>
        facts.AsNoTracking().Select(f => new FactRowData(
            f.SubjectId, f.SubjectType, f.Field, f.Value, f.Rank, f.Note, f.Id,
            f.Source.Key, f.Source.Title, f.Source.Url, f.Source.SourceDate));

    private static List<FactView> Project(IEnumerable<FactRowData> rows) =>
        rows.OrderBy(f => f.Field, StringComparer.Ordinal).ThenBy(f => f.Rank).ThenBy(f => f.Id)
            .Select(f => new FactView(f.Field, f.Value, f.Rank, f.Note, new SourceRef(f.Key, f.Title, f.Url, f.SourceDate)))
            .ToList();

    private sealed record FactRowData(
        int SubjectId, SubjectType SubjectType, string Field, string Value, int Rank, string? Note, long Id,
        string Key, string Title, string? Url, string? SourceDate);
}
