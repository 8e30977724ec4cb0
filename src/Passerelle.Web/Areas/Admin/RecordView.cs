using Passerelle.Core.Accounts;
using Passerelle.Core.Editing;
using Passerelle.Core.Groupings;
using Passerelle.Core.Organisations;
using Passerelle.Core.Programmes;
using Passerelle.Core.Projects;
using Passerelle.Core.Registry;
using Passerelle.Core.Sources;

namespace Passerelle.Web.Areas.Admin;

/// <summary>Any kind of record as the back office's pages show it: what they share, and the entity for the rest.</summary>
public sealed class RecordView
{
    public required SubjectType Type { get; init; }
    public required int Id { get; init; }
    public required string Slug { get; init; }
    public required string Title { get; init; }
    public required bool IsPublished { get; init; }
    public required DateTime? DeletedAt { get; init; }
    public required int Version { get; init; }
    public required bool CanEdit { get; init; }
    public required bool CanManage { get; init; }
    public required object Entity { get; init; }
    public IReadOnlyList<EditorFact> Facts { get; init; } = [];
    public IReadOnlyDictionary<int, IReadOnlyList<EditorFact>> ParticipationFacts { get; init; } = new Dictionary<int, IReadOnlyList<EditorFact>>();

    public string Plural => RecordTypes.Plural(Type);

    public RecordRef Ref => new(Type, Id);

    /// <summary>The sourced fields of this kind of record, in the registry's order (sources have none: they are the sources).</summary>
    public IEnumerable<FieldDefinition> Fields => Core.Registry.Fields.All.Where(f => f.Subject == Type);

    public IReadOnlyList<EditorFact> Values(string field) => Facts.Where(f => f.Field == field).OrderBy(f => f.Rank).ToList();

    /// <summary>The record, or null when it does not exist or the access may not see it.</summary>
    public static async Task<RecordView?> LoadAsync(EditorQueries queries, Access access, SubjectType type, int id, string lang, CancellationToken ct)
    {
        try
        {
            return type switch
            {
                SubjectType.Programme => await queries.GetProgrammeAsync(access, id, ct) is { } p ? From(p, type, id, p.Record.Slug,
                    $"{p.Record.Name.Best(lang) ?? p.Record.Code} ({p.Record.Period})", p.Record.IsPublished, p.Record.DeletedAt, p.Record.Version) : null,
                SubjectType.Grouping => await queries.GetGroupingAsync(access, id, ct) is { } g ? From(g, type, id, g.Record.Slug,
                    g.Record.Name.Best(lang) ?? g.Record.Slug, g.Record.IsPublished, g.Record.DeletedAt, g.Record.Version) : null,
                SubjectType.Project => await queries.GetProjectAsync(access, id, ct) is { } x ? From(x, type, id, x.Record.Slug,
                    $"{x.Record.Acronym} · {x.Record.Title.Best(lang)}", x.Record.IsPublished, x.Record.DeletedAt, x.Record.Version) : null,
                SubjectType.Organisation => await queries.GetOrganisationAsync(access, id, ct) is { } o ? From(o, type, id, o.Record.Slug,
                    o.Record.Name, o.Record.IsPublished, o.Record.DeletedAt, o.Record.Version) : null,
                SubjectType.Source => await queries.GetSourceAsync(access, id, ct) is { } s ? From(s, type, id, s.Record.Key,
                    s.Record.Title, true, s.Record.DeletedAt, s.Record.Version) : null,
                _ => null,
            };
        }
        catch (AccessDeniedException)
        {
            // An editor's own scope decides what they see: a record outside it is, to them, not there.
            return null;
        }
    }

    /// <summary>
    /// The record for a page that changes it: null when it does not exist or the access may not see it; refused
    /// (<see cref="AccessDeniedException"/>, answered as any refused page) when the access may see it but not change it.
    /// </summary>
    public static async Task<RecordView?> LoadEditableAsync(EditorQueries queries, Access access, SubjectType type, int id, string lang, CancellationToken ct)
    {
        var record = await LoadAsync(queries, access, type, id, lang, ct);
        return record is null || record.CanEdit ? record : throw new AccessDeniedException($"{access.Name} may not change {record.Ref}.");
    }

    private static RecordView From<T>(EditorRecord<T> record, SubjectType type, int id, string slug, string title, bool published, DateTime? deletedAt, int version)
        where T : class => new()
        {
            Type = type,
            Id = id,
            Slug = slug,
            Title = title,
            IsPublished = published,
            DeletedAt = deletedAt,
            Version = version,
            CanEdit = record.CanEdit,
            CanManage = record.CanManage,
            Entity = record.Record,
            Facts = record.Facts,
            ParticipationFacts = record.ParticipationFacts,
        };

    public Programme? Programme => Entity as Programme;

    public Grouping? Grouping => Entity as Grouping;

    public Project? Project => Entity as Project;

    public Organisation? Organisation => Entity as Organisation;

    public Source? Source => Entity as Source;
}
