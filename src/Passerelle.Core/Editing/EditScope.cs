using Microsoft.EntityFrameworkCore;

using Passerelle.Core.Accounts;
using Passerelle.Core.Data;
using Passerelle.Core.History;
using Passerelle.Core.Sources;

namespace Passerelle.Core.Editing;

/// <summary>
/// What an <see cref="Access"/> may change. Administrators: everything. Editors: the programmes and groupings of their
/// scope; the projects of those programmes; the organisations taking part in those projects, members of those
/// groupings, or that they created; the sources they created. Viewers: nothing. Creating, deleting and restoring a
/// programme or a grouping is for administrators; editors create projects in their programmes, and organisations and
/// sources. An organisation is shared by every programme it takes part in: an editor deletes, restores, publishes or
/// unpublishes one only when all its projects and groupings are in their scope.
/// </summary>
internal sealed class EditScope(PasserelleDbContext db)
{
    public static bool IsEditor(Access access) => access.Role == AccessRole.Editor;

    public async Task<bool> CanEditAsync(Access access, RecordRef record, CancellationToken ct)
    {
        if (access.IsAdministrator)
        {
            return true;
        }

        if (!IsEditor(access))
        {
            return false;
        }

        return record.Type switch
        {
            SubjectType.Programme => access.ProgrammeIds.Contains(record.Id),
            SubjectType.Grouping => access.GroupingIds.Contains(record.Id),
            SubjectType.Project => await db.Projects.AsNoTracking().Where(p => p.Id == record.Id).Select(p => p.ProgrammeId).SingleOrDefaultAsync(ct) is { } programme
                && access.ProgrammeIds.Contains(programme),
            SubjectType.Organisation => await OrganisationInScopeAsync(access, record.Id, ct),
            SubjectType.Source => await CreatedByAsync(access, record, ct),
            _ => false,
        };
    }

    /// <summary>Delete, restore, publish, unpublish.</summary>
    public async Task<bool> CanManageAsync(Access access, RecordRef record, CancellationToken ct)
    {
        if (access.IsAdministrator)
        {
            return true;
        }

        if (!IsEditor(access))
        {
            return false;
        }

        switch (record.Type)
        {
            case SubjectType.Programme or SubjectType.Grouping:
                return false;
            case SubjectType.Organisation:
                var programmes = access.ProgrammeIds.ToList();
                var groupings = access.GroupingIds.ToList();
                var outside = await db.Participations.AnyAsync(x => x.OrganisationId == record.Id
                                  && (x.Project.ProgrammeId == null || !programmes.Contains(x.Project.ProgrammeId.Value)), ct)
                              || await db.GroupingMembers.AnyAsync(m => m.OrganisationId == record.Id && !groupings.Contains(m.GroupingId), ct);
                return !outside && await CanEditAsync(access, record, ct);
            default:
                return await CanEditAsync(access, record, ct);
        }
    }

    /// <summary>Whether the access may create a record of that type (a project: in that programme).</summary>
    public static bool CanCreate(Access access, SubjectType type, int? programmeId = null) =>
        access.IsAdministrator || (IsEditor(access) && type switch
        {
            SubjectType.Project => programmeId is { } id && access.ProgrammeIds.Contains(id),
            SubjectType.Organisation or SubjectType.Source => true,
            _ => false,
        });

    public async Task RequireEditAsync(Access access, RecordRef record, CancellationToken ct)
    {
        if (!await CanEditAsync(access, record, ct))
        {
            throw Denied(access, "change", record);
        }
    }

    public async Task RequireManageAsync(Access access, RecordRef record, string what, CancellationToken ct)
    {
        if (!await CanManageAsync(access, record, ct))
        {
            throw Denied(access, what, record);
        }
    }

    public static AccessDeniedException Denied(Access access, string what, object record) => new(access.Role switch
    {
        AccessRole.Viewer => $"{access.Name} is a viewer and may not {what} {record}.",
        AccessRole.Editor => $"{record} is outside the scope of {access.Name}, who may not {what} it.",
        _ => $"{access.Name} may not {what} {record}.",
    });

    private async Task<bool> OrganisationInScopeAsync(Access access, int id, CancellationToken ct)
    {
        var programmes = access.ProgrammeIds.ToList();
        var groupings = access.GroupingIds.ToList();
        return await db.Participations.AnyAsync(x => x.OrganisationId == id && x.Project.ProgrammeId != null && programmes.Contains(x.Project.ProgrammeId.Value), ct)
            || await db.GroupingMembers.AnyAsync(m => m.OrganisationId == id && groupings.Contains(m.GroupingId), ct)
            || await CreatedByAsync(access, RecordRef.Organisation(id), ct);
    }

    /// <summary>Whether the record's creation was recorded in a change set of this user.</summary>
    private Task<bool> CreatedByAsync(Access access, RecordRef record, CancellationToken ct) =>
        CreatedBy(access, record.Type).AnyAsync(id => id == record.Id, ct);

    /// <summary>Ids of the records of a type whose creation a change set of this user recorded.</summary>
    public IQueryable<int> CreatedBy(Access access, SubjectType type) =>
        from r in db.Revisions
        where r.SubjectType == type && r.Action == RevisionAction.Created
        join c in db.ChangeSets on r.ChangeSetId equals c.Id
        where c.ActorKind == ActorKind.User && c.Actor == access.Name
        select r.SubjectId;
}
