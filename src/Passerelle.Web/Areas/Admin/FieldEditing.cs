using Microsoft.EntityFrameworkCore;

using Passerelle.Core.Accounts;
using Passerelle.Core.Data;
using Passerelle.Core.Editing;
using Passerelle.Core.Sources;

namespace Passerelle.Web.Areas.Admin;

/// <summary>What the field and partner pages share: saving value edits on any kind of record, and the source picker's offer.</summary>
public sealed class FieldEditing(RecordEditor editor, EditorQueries queries, PasserelleDbContext db)
{
    public Task<EditResult> SaveAsync(Access access, RecordRef record, int version, IReadOnlyList<ValueEdit> values, CancellationToken ct) => record.Type switch
    {
        SubjectType.Programme => editor.UpdateProgrammeAsync(access, record.Id, version, new ProgrammeEdit { Values = values }, ct),
        SubjectType.Grouping => editor.UpdateGroupingAsync(access, record.Id, version, new GroupingEdit { Values = values }, ct),
        SubjectType.Project => editor.UpdateProjectAsync(access, record.Id, version, new ProjectEdit { Values = values }, ct),
        SubjectType.Organisation => editor.UpdateOrganisationAsync(access, record.Id, version, new OrganisationEdit { Values = values }, ct),
        _ => throw new ArgumentOutOfRangeException(nameof(record), record, "Sources have no sourced values."),
    };

    /// <summary>
    /// The user's recent sources, the last one first (ADR 14: quick to cite again), and the organisations that can
    /// "state" a value here: the organisation itself, or a project's partners.
    /// </summary>
    public async Task<SourcePicker> PickerAsync(AdminPage page, Access access, RecordView record, SourceInput input, CancellationToken ct)
    {
        var recent = await queries.RecentSourcesAsync(access, 10, ct);
        IReadOnlyList<(int, string)> organisations = record switch
        {
            { Organisation: { } o } => [(o.Id, o.Name)],
            { Project: { } p } => [.. p.Participations.Select(x => (x.OrganisationId, x.Organisation.Name)).Distinct().OrderBy(x => x.Name, StringComparer.CurrentCulture)],
            // Projected to a tuple after the query: PostgreSQL cannot hand a row value back as a .NET tuple.
            { Grouping: { } g } => (await db.GroupingMembers.AsNoTracking().Where(m => m.GroupingId == g.Id && m.OrganisationId != null)
                .Join(db.Organisations, m => m.OrganisationId, o => o.Id, (m, o) => new { o.Id, o.Name }).Distinct().ToListAsync(ct))
                .Select(x => (x.Id, x.Name)).ToList(),
            _ => [],
        };
        return new SourcePicker(page, input, recent, organisations, null);
    }
}
