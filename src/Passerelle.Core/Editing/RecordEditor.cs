using System.Globalization;
using System.Security.Cryptography;
using System.Text;

using Microsoft.EntityFrameworkCore;

using Passerelle.Core.Accounts;
using Passerelle.Core.Common;
using Passerelle.Core.Data;
using Passerelle.Core.Groupings;
using Passerelle.Core.History;
using Passerelle.Core.Organisations;
using Passerelle.Core.Programmes;
using Passerelle.Core.Projects;
using Passerelle.Core.Registry;
using Passerelle.Core.Sources;
using Passerelle.Core.Territories;

namespace Passerelle.Core.Editing;

/// <summary>
/// Every edit of the back office and of the API's write routes (ADR 14): create, update, delete (soft), restore,
/// publish, unpublish programmes, groupings, projects, organisations and sources, and restore an earlier version of a
/// record. Each call is one write session on the one write path (ADR 10): one change set in the user's name, a revision
/// per change, every sourced value with its source, all in one transaction, or nothing at all.
/// <para>
/// Every call checks, in this order: the access (<see cref="AccessDeniedException"/>), that the record exists
/// (<see cref="RecordNotFoundException"/>), the version the editor loaded (<see cref="EditConflictException"/>, with
/// what changed meanwhile), and the rules (<see cref="RuleViolationException"/>, every violation at once). New records
/// are drafts; a deleted record can be restored (as a draft), not edited.
/// </para>
/// </summary>
public sealed class RecordEditor(PasserelleDbContext db, RegistryWriter writer, EditorQueries queries, HistoryQueries history, TimeProvider clock)
{
    private static readonly string[] MemberLevels = ["national", "regional", "provincial", "intermunicipal", "local"];
    private static readonly string[] AreaRoles = ["eligible", "core", "partner"];

    private readonly EditScope _scope = new(db);

    // ------------------------------------------------------------------------------------------------ programmes

    /// <summary>Creates a programme, as a draft. Administrators only. Needs a code, a period, a kind and a name (a "name.*" value).</summary>
    public Task<EditResult> CreateProgrammeAsync(Access access, ProgrammeEdit edit, CancellationToken ct = default)
    {
        RequireCreate(access, SubjectType.Programme, "a programme");
        return RunAsync(access, async e =>
        {
            e.Add(RecordRules.Text("code", edit.Code, 32, required: true));
            e.Add(RecordRules.Text("period", edit.Period, 16, required: true));
            if (edit.Kind is null)
            {
                e.Add(new RuleViolation("kind", RuleCodes.Required, "a kind is needed (cross-border, transnational, interregional or network)"));
            }

            RequireValue(e, edit.Values, "name.", "name", "a name in at least one language is needed");
            var slug = await SlugAsync(e, edit.Slug, 100, $"{edit.Code}-{edit.Period}", db.Programmes.Select(p => p.Slug), null);
            await CheckProgrammeAsync(e, edit, null);
            e.ThrowIfViolations();

            var p = e.Session.Create(new Programme { Slug = slug, Code = edit.Code!.Trim(), Period = edit.Period!.Trim(), Kind = edit.Kind!.Value, IsPublished = false });
            await ApplyProgrammeAsync(e, p, edit);
            return p;
        }, ct);
    }

    /// <summary>Changes a programme's attributes, values and area. Administrators, and editors of the programme.</summary>
    public Task<EditResult> UpdateProgrammeAsync(Access access, int id, int expectedVersion, ProgrammeEdit edit, CancellationToken ct = default) =>
        RunAsync(access, async e =>
        {
            var p = await db.Programmes.SingleOrDefaultAsync(x => x.Id == id, ct) ?? throw new RecordNotFoundException(RecordRef.Programme(id));
            await BeginUpdateAsync(e, RecordRef.Programme(id), p, p.Version, p.DeletedAt, expectedVersion);
            if (edit.Slug is not null)
            {
                await SlugAsync(e, edit.Slug, 100, null, db.Programmes.Where(x => x.Id != id).Select(x => x.Slug), p.Slug);
            }

            e.Add(RecordRules.Text("code", edit.Code, 32, required: edit.Code is not null));
            e.Add(RecordRules.Text("period", edit.Period, 16, required: edit.Period is not null));
            await CheckProgrammeAsync(e, edit, p);
            e.ThrowIfViolations();
            await ApplyProgrammeAsync(e, p, edit);
            return p;
        }, ct);

    private async Task CheckProgrammeAsync(Edit e, ProgrammeEdit edit, Programme? p)
    {
        if (edit.Kind is { } kind && !Enum.IsDefined(kind))
        {
            e.Add(new RuleViolation("kind", RuleCodes.InvalidValue, "unknown kind (cross-border, transnational, interregional or network)"));
        }

        foreach (var (fund, i) in (edit.Funds ?? []).Select((f, i) => (f, i)))
        {
            e.Add(RecordRules.Text($"funds.{i}", fund, 32, required: true));
        }

        foreach (var (country, i) in (edit.Countries ?? []).Select((c, i) => (c, i)))
        {
            e.Add(RecordRules.Country($"countries.{i}", country));
        }

        e.Add(RecordRules.Text("area_note", edit.AreaNote, 2000, required: false));
        await CheckValuesAsync(e, SubjectType.Programme, edit.Values, "");
        e.Add(RecordRules.EuWithinTotal(ReplacedAmount(edit.Values, Fields.Programme.TotalBudget) ?? p?.TotalBudget,
            ReplacedAmount(edit.Values, Fields.Programme.EuContribution) ?? p?.EuContribution, Fields.Programme.EuContribution.Name));
        var territories = await TerritoriesLoadedAsync(e.Ct);
        foreach (var unit in edit.AreaUnits)
        {
            var field = $"area_unit.{unit.NutsCode}";
            if (unit.Remove)
            {
                continue;
            }

            if (territories)
            {
                if (!await db.TerritoryUnits.AnyAsync(t => t.Code == unit.NutsCode && t.Kind != TerritoryKind.Municipality, e.Ct))
                {
                    e.Add(new RuleViolation(field, RuleCodes.InvalidNuts, $"'{unit.NutsCode}' is not a NUTS 2021 region"));
                }
            }
            else if (!RecordRules.IsNutsCode(unit.NutsCode))
            {
                // Without the territories only the code's form can be checked.
                e.Add(new RuleViolation(field, RuleCodes.InvalidNuts, $"'{unit.NutsCode}' is not a NUTS code (a country code and up to three letters or digits)"));
            }

            if (unit.Role is null || !AreaRoles.Contains(unit.Role))
            {
                e.Add(new RuleViolation(field + ".role", RuleCodes.InvalidValue, "the role is eligible, core or partner"));
            }

            e.Add(RecordRules.Text(field + ".note", unit.Note, 2000, required: false));
            await e.CheckSourceAsync(unit.Source, field);
        }
    }

    private async Task ApplyProgrammeAsync(Edit e, Programme p, ProgrammeEdit edit)
    {
        var s = e.Session;
        if (edit.Slug is not null)
        {
            Editorial.Assign(p.Slug, edit.Slug, v => p.Slug = v);
        }

        if (edit.Code is { } code && Editorial.Assign(p.Code, code.Trim(), v => p.Code = v) && p.Id != 0)
        {
            // A project's programme code is its programme's code.
            foreach (var project in await db.Projects.Where(x => x.ProgrammeId == p.Id).ToListAsync(e.Ct))
            {
                project.ProgrammeCode = p.Code;
            }
        }

        if (edit.Period is { } period)
        {
            Editorial.Assign(p.Period, period.Trim(), v => p.Period = v);
        }

        if (edit.Kind is { } kind)
        {
            Editorial.Assign(p.Kind, kind, v => p.Kind = v);
        }

        if (edit.Funds is { } funds && !funds.Select(f => f.Trim()).SequenceEqual(p.Funds))
        {
            p.Funds = [.. funds.Select(f => f.Trim())];
        }

        if (edit.Countries is { } countries && !countries.SequenceEqual(p.Countries))
        {
            p.Countries = [.. countries];
        }

        if (edit.AreaNote is { } note)
        {
            Editorial.Assign(p.AreaNote, Blank(note), v => p.AreaNote = v);
        }

        await s.LoadValuesAsync([p], e.Ct);
        await ApplyValuesAsync(e, p, SubjectType.Programme, edit.Values, "");

        if (edit.AreaUnits.Count > 0)
        {
            var units = p.Id == 0 ? [] : await db.ProgrammeAreaUnits.Where(a => a.ProgrammeId == p.Id).ToListAsync(e.Ct);
            foreach (var u in edit.AreaUnits)
            {
                var existing = units.FirstOrDefault(a => a.NutsCode == u.NutsCode);
                if (u.Remove)
                {
                    if (existing is null)
                    {
                        e.Add(new RuleViolation($"area_unit.{u.NutsCode}", RuleCodes.UnknownRecord, $"{u.NutsCode} is not in the programme's area"));
                    }
                    else
                    {
                        db.ProgrammeAreaUnits.Remove(existing);
                        units.Remove(existing);
                    }

                    continue;
                }

                var sourceId = await e.SaveSourceAsync(u.Source!);
                var name = await db.TerritoryUnits.Where(t => t.Code == u.NutsCode).Select(t => t.Name).FirstOrDefaultAsync(e.Ct);
                if (existing is null)
                {
                    var unit = new ProgrammeAreaUnit
                    {
                        NutsCode = u.NutsCode,
                        NutsVersion = "NUTS 2021",
                        Nuts2021Codes = u.NutsCode,
                        Name = name,
                        Role = u.Role!,
                        Note = Blank(u.Note),
                        SourceId = sourceId,
                    };
                    if (p.Id == 0)
                    {
                        // A new programme has no id yet: saved with it, then linked.
                        await s.FlushAsync(ct: e.Ct);
                    }

                    unit.ProgrammeId = p.Id;
                    db.ProgrammeAreaUnits.Add(unit);
                    units.Add(unit);
                }
                else
                {
                    Editorial.Assign(existing.Role, u.Role!, v => existing.Role = v);
                    Editorial.Assign(existing.SourceId, sourceId, v => existing.SourceId = v);
                    if (u.Note is not null)
                    {
                        Editorial.Assign(existing.Note, Blank(u.Note), v => existing.Note = v);
                    }
                }
            }
        }

        if (e.Touched("total_budget_eur", "eu_contribution_eur"))
        {
            e.Add(RecordRules.EuWithinTotal(p.TotalBudget, p.EuContribution, Fields.Programme.EuContribution.Name));
        }
    }

    // ------------------------------------------------------------------------------------------------ groupings

    /// <summary>Creates a grouping, as a draft. Administrators only. Needs a legal form and a name (a "name.*" value).</summary>
    public Task<EditResult> CreateGroupingAsync(Access access, GroupingEdit edit, CancellationToken ct = default)
    {
        RequireCreate(access, SubjectType.Grouping, "a grouping");
        return RunAsync(access, async e =>
        {
            e.Add(RecordRules.Text("legal_form", edit.LegalForm, 100, required: true));
            RequireValue(e, edit.Values, "name.", "name", "a name in at least one language is needed");
            var name = FirstValue(edit.Values, "name.en") ?? edit.Values.FirstOrDefault(v => v.Field.StartsWith("name.", StringComparison.Ordinal))?.Value;
            var slug = await SlugAsync(e, edit.Slug, 100, name ?? "grouping", db.Groupings.Select(g => g.Slug), null);
            await CheckGroupingAsync(e, edit, null);
            e.ThrowIfViolations();

            var g = e.Session.Create(new Grouping { Slug = slug, LegalForm = edit.LegalForm!.Trim(), IsPublished = false });
            await ApplyGroupingAsync(e, g, edit);
            return g;
        }, ct);
    }

    /// <summary>Changes a grouping's attributes, values, members and territory. Administrators, and editors of the grouping.</summary>
    public Task<EditResult> UpdateGroupingAsync(Access access, int id, int expectedVersion, GroupingEdit edit, CancellationToken ct = default) =>
        RunAsync(access, async e =>
        {
            var g = await db.Groupings.Include(x => x.Members).SingleOrDefaultAsync(x => x.Id == id, ct) ?? throw new RecordNotFoundException(RecordRef.Grouping(id));
            await BeginUpdateAsync(e, RecordRef.Grouping(id), g, g.Version, g.DeletedAt, expectedVersion);
            if (edit.Slug is not null)
            {
                await SlugAsync(e, edit.Slug, 100, null, db.Groupings.Where(x => x.Id != id).Select(x => x.Slug), g.Slug);
            }

            e.Add(RecordRules.Text("legal_form", edit.LegalForm, 100, required: edit.LegalForm is not null));
            await CheckGroupingAsync(e, edit, g);
            e.ThrowIfViolations();
            await ApplyGroupingAsync(e, g, edit);
            return g;
        }, ct);

    private async Task CheckGroupingAsync(Edit e, GroupingEdit edit, Grouping? g)
    {
        foreach (var (action, i) in (edit.FieldsOfAction ?? []).Select((a, i) => (a, i)))
        {
            e.Add(RecordRules.Text($"fields_of_action.{i}", action, 200, required: true));
        }

        await CheckValuesAsync(e, SubjectType.Grouping, edit.Values, "");
        foreach (var (m, i) in edit.Members.Select((m, i) => (m, i)))
        {
            var field = m.Id is { } id ? $"member.{id}" : $"member.new{i}";
            if (m.Id is { } memberId && g?.Members.Any(x => x.Id == memberId) != true)
            {
                e.Add(new RuleViolation(field, RuleCodes.UnknownRecord, $"the grouping has no member {memberId}"));
                continue;
            }

            if (m.Remove)
            {
                continue;
            }

            var adding = m.Id is null;
            e.Add(RecordRules.Text(field + ".name", m.Name, 300, required: adding));
            if (adding || m.Country is not null)
            {
                e.Add(RecordRules.Country(field + ".country", m.Country));
            }

            if ((adding || m.Level is not null) && !MemberLevels.Contains(m.Level))
            {
                e.Add(new RuleViolation(field + ".level", m.Level is null ? RuleCodes.Required : RuleCodes.InvalidValue,
                    $"the level is one of {string.Join(", ", MemberLevels)}"));
            }

            if (m.OrganisationId is > 0 and var organisation)
            {
                var linked = await db.Organisations.AsNoTracking().Where(o => o.Id == organisation).Select(o => new { o.DeletedAt }).SingleOrDefaultAsync(e.Ct);
                var unchanged = m.Id is not null && g?.Members.Single(x => x.Id == m.Id).OrganisationId == organisation;
                if (linked is null)
                {
                    e.Add(new RuleViolation(field + ".organisation", RuleCodes.UnknownRecord, $"there is no organisation {organisation}"));
                }
                else if (linked.DeletedAt is not null && !unchanged)
                {
                    // A draft may be linked (the portal links it once it is published, ADR 14); a deleted one is hidden
                    // everywhere and cannot be edited: restore it first, or choose another. A link made before the
                    // deletion may stay, so that an unrelated change of the member is not blocked.
                    e.Add(new RuleViolation(field + ".organisation", RuleCodes.OrganisationDeleted,
                        $"organisation {organisation} is deleted: restore it or choose another"));
                }
            }

            if (adding || m.Source is not null)
            {
                await e.CheckSourceAsync(m.Source, field);
            }
        }

        var territories = await TerritoriesLoadedAsync(e.Ct);
        foreach (var t in edit.TerritoryUnits.Where(t => !t.Remove))
        {
            var field = $"territory_unit.{t.UnitCode}";
            if (territories)
            {
                if (!await db.TerritoryUnits.AnyAsync(u => u.Code == t.UnitCode, e.Ct))
                {
                    e.Add(new RuleViolation(field, RuleCodes.InvalidTerritoryUnit, $"'{t.UnitCode}' is not a municipality or region of the territories"));
                }
            }
            else if (!RecordRules.IsLauCode(t.UnitCode) && !RecordRules.IsNutsCode(t.UnitCode))
            {
                e.Add(new RuleViolation(field, RuleCodes.InvalidTerritoryUnit,
                    $"'{t.UnitCode}' is not a municipality code with its country prefix (FR59350) nor a NUTS code"));
            }

            e.Add(RecordRules.Text(field + ".perimeters", t.Perimeters, 100, required: false));
            await e.CheckSourceAsync(t.Source, field);
        }
    }

    private async Task ApplyGroupingAsync(Edit e, Grouping g, GroupingEdit edit)
    {
        var s = e.Session;
        if (edit.Slug is not null)
        {
            Editorial.Assign(g.Slug, edit.Slug, v => g.Slug = v);
        }

        if (edit.LegalForm is { } legalForm)
        {
            Editorial.Assign(g.LegalForm, legalForm.Trim(), v => g.LegalForm = v);
        }

        if (edit.FieldsOfAction is { } actions && !actions.Select(a => a.Trim()).SequenceEqual(g.FieldsOfAction))
        {
            g.FieldsOfAction = [.. actions.Select(a => a.Trim())];
        }

        await s.LoadValuesAsync([g], e.Ct);
        await ApplyValuesAsync(e, g, SubjectType.Grouping, edit.Values, "");

        foreach (var m in edit.Members)
        {
            if (m.Remove)
            {
                var gone = g.Members.Single(x => x.Id == m.Id);
                g.Members.Remove(gone);
                db.GroupingMembers.Remove(gone);
                continue;
            }

            int? sourceId = m.Source is null ? null : await e.SaveSourceAsync(m.Source);
            if (m.Id is null)
            {
                g.Members.Add(new GroupingMember
                {
                    Name = m.Name!.Trim(),
                    Country = m.Country!,
                    Level = m.Level!,
                    OrganisationId = m.OrganisationId is > 0 ? m.OrganisationId : null,
                    SourceId = sourceId,
                    Order = m.Order ?? (g.Members.Count == 0 ? 1 : g.Members.Max(x => x.Order) + 1),
                });
                continue;
            }

            var member = g.Members.Single(x => x.Id == m.Id);
            if (m.Name is { } name)
            {
                Editorial.Assign(member.Name, name.Trim(), v => member.Name = v);
            }

            if (m.Country is { } country)
            {
                Editorial.Assign(member.Country, country, v => member.Country = v);
            }

            if (m.Level is { } level)
            {
                Editorial.Assign(member.Level, level, v => member.Level = v);
            }

            if (m.OrganisationId is { } organisation)
            {
                Editorial.Assign(member.OrganisationId, organisation > 0 ? organisation : null, v => member.OrganisationId = v);
            }

            if (m.Order is { } order)
            {
                Editorial.Assign(member.Order, order, v => member.Order = v);
            }

            if (sourceId is not null)
            {
                Editorial.Assign(member.SourceId, sourceId, v => member.SourceId = v);
            }
        }

        if (edit.TerritoryUnits.Count > 0)
        {
            var units = g.Id == 0 ? [] : await db.GroupingTerritoryUnits.Where(t => t.GroupingId == g.Id).ToListAsync(e.Ct);
            foreach (var t in edit.TerritoryUnits)
            {
                var existing = units.FirstOrDefault(u => u.UnitCode == t.UnitCode);
                if (t.Remove)
                {
                    if (existing is null)
                    {
                        e.Add(new RuleViolation($"territory_unit.{t.UnitCode}", RuleCodes.UnknownRecord, $"{t.UnitCode} is not in the grouping's territory"));
                    }
                    else
                    {
                        db.GroupingTerritoryUnits.Remove(existing);
                        units.Remove(existing);
                    }

                    continue;
                }

                var sourceId = await e.SaveSourceAsync(t.Source!);
                if (existing is null)
                {
                    var known = await db.TerritoryUnits.AsNoTracking().Where(u => u.Code == t.UnitCode).Select(u => new { u.Name, u.CountryCode }).FirstOrDefaultAsync(e.Ct);
                    if (g.Id == 0)
                    {
                        await s.FlushAsync(ct: e.Ct);
                    }

                    var unit = new GroupingTerritoryUnit
                    {
                        GroupingId = g.Id,
                        UnitCode = t.UnitCode,
                        Name = known?.Name,
                        Country = known?.CountryCode ?? t.UnitCode[..2],
                        Perimeters = Blank(t.Perimeters),
                        SourceId = sourceId,
                    };
                    db.GroupingTerritoryUnits.Add(unit);
                    units.Add(unit);
                }
                else
                {
                    if (t.Perimeters is not null)
                    {
                        Editorial.Assign(existing.Perimeters, Blank(t.Perimeters), v => existing.Perimeters = v);
                    }

                    Editorial.Assign(existing.SourceId, sourceId, v => existing.SourceId = v);
                }
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ projects

    /// <summary>
    /// Creates a project, as a draft, in a programme. Administrators, and editors of that programme. Needs the programme
    /// and an acronym (an "acronym" value).
    /// </summary>
    public Task<EditResult> CreateProjectAsync(Access access, ProjectEdit edit, CancellationToken ct = default)
    {
        if (!EditScope.CanCreate(access, SubjectType.Project, edit.ProgrammeId))
        {
            throw EditScope.Denied(access, "create a project in", edit.ProgrammeId is { } id ? RecordRef.Programme(id) : "no programme");
        }

        return RunAsync(access, async e =>
        {
            RequireValue(e, edit.Values, "acronym", "acronym", "an acronym is needed");
            var programme = await ProgrammeOfAsync(e, edit.ProgrammeId);
            var acronym = FirstValue(edit.Values, "acronym") is { } a ? FieldDefinition.Normalise(a) : null;
            var slug = await SlugAsync(e, edit.Slug, 150, acronym ?? "project", db.Projects.Select(p => p.Slug), null);
            if (edit.Slug is null && acronym is not null && programme is not null && slug != Common.Slug.From(acronym))
            {
                // Acronyms repeat across programmes: qualified as the imports do ("alarm-fwv-2014-2020").
                slug = await SlugAsync(e, null, 150, $"{acronym}-{programme.Slug}", db.Projects.Select(p => p.Slug), null);
            }

            await CheckProjectAsync(e, edit, null);
            e.ThrowIfViolations();

            var p = e.Session.Create(new Project
            {
                Slug = slug,
                Acronym = acronym!,
                ProgrammeCode = programme!.Code,
                ProgrammeId = programme.Id,
                IsPublished = false,
            });
            await ApplyProjectAsync(e, p, edit, programme);
            return p;
        }, ct);
    }

    /// <summary>
    /// Changes a project's attributes, values, themes and partners. Administrators, and editors of its programme (and
    /// of the programme it moves to).
    /// </summary>
    public Task<EditResult> UpdateProjectAsync(Access access, int id, int expectedVersion, ProjectEdit edit, CancellationToken ct = default) =>
        RunAsync(access, async e =>
        {
            var p = await db.Projects.Include(x => x.Themes).Include(x => x.Participations).AsSplitQuery().SingleOrDefaultAsync(x => x.Id == id, ct)
                ?? throw new RecordNotFoundException(RecordRef.Project(id));
            await BeginUpdateAsync(e, RecordRef.Project(id), p, p.Version, p.DeletedAt, expectedVersion);
            Programme? programme = null;
            if (edit.ProgrammeId is { } programmeId && programmeId != p.ProgrammeId)
            {
                if (!EditScope.CanCreate(access, SubjectType.Project, programmeId))
                {
                    throw EditScope.Denied(access, "move a project to", RecordRef.Programme(programmeId));
                }

                programme = await ProgrammeOfAsync(e, programmeId);
            }

            if (edit.Slug is not null)
            {
                await SlugAsync(e, edit.Slug, 150, null, db.Projects.Where(x => x.Id != id).Select(x => x.Slug), p.Slug);
            }

            await CheckProjectAsync(e, edit, p);
            e.ThrowIfViolations();
            await ApplyProjectAsync(e, p, edit, programme);
            return p;
        }, ct);

    private async Task<Programme?> ProgrammeOfAsync(Edit e, int? programmeId)
    {
        if (programmeId is not { } id)
        {
            e.Add(new RuleViolation("programme", RuleCodes.Required, "the project's programme is needed"));
            return null;
        }

        var programme = await db.Programmes.AsNoTracking().SingleOrDefaultAsync(p => p.Id == id, e.Ct);
        if (programme is null)
        {
            e.Add(new RuleViolation("programme", RuleCodes.UnknownRecord, $"there is no programme {id}"));
        }
        else if (programme.DeletedAt is not null)
        {
            e.Add(new RuleViolation("programme", RuleCodes.Deleted, $"the programme {programme.Slug} is deleted"));
        }

        return programme;
    }

    private async Task CheckProjectAsync(Edit e, ProjectEdit edit, Project? p)
    {
        if (edit.Themes is { } themes)
        {
            var known = await db.Themes.Where(t => themes.Contains(t.Slug)).Select(t => t.Slug).ToListAsync(e.Ct);
            foreach (var unknown in themes.Except(known))
            {
                e.Add(new RuleViolation("themes", RuleCodes.UnknownTheme, $"there is no theme '{unknown}'"));
            }
        }

        await CheckValuesAsync(e, SubjectType.Project, edit.Values, "");

        // The rules across fields on the values the edit would show, so that they are reported with the values' own
        // checks; they are checked again on what the edit really shows (make first and retract change it too).
        e.Add(RecordRules.EndAfterStart(Replaced(edit.Values, Fields.Project.StartDate) ?? p?.StartDate, Replaced(edit.Values, Fields.Project.EndDate) ?? p?.EndDate));
        e.Add(RecordRules.EuWithinTotal(ReplacedAmount(edit.Values, Fields.Project.TotalBudget) ?? p?.TotalBudget,
            ReplacedAmount(edit.Values, Fields.Project.Erdf) ?? p?.EuContribution, Fields.Project.Erdf.Name));
        foreach (var group in edit.Partners.GroupBy(x => x.OrganisationId).Where(g => g.Count() > 1))
        {
            e.Add(new RuleViolation($"partner.{group.Key}", RuleCodes.Duplicate, $"organisation {group.Key} is listed twice"));
        }

        foreach (var partner in edit.Partners)
        {
            var prefix = $"partner.{partner.OrganisationId}.";
            var existing = p?.Participations.FirstOrDefault(x => x.OrganisationId == partner.OrganisationId);
            if (partner.Remove)
            {
                if (existing is null)
                {
                    e.Add(new RuleViolation(prefix.TrimEnd('.'), RuleCodes.UnknownRecord, $"organisation {partner.OrganisationId} is not a partner of the project"));
                }

                continue;
            }

            if (existing is null)
            {
                var organisation = await db.Organisations.AsNoTracking().Where(o => o.Id == partner.OrganisationId).Select(o => new { o.DeletedAt }).SingleOrDefaultAsync(e.Ct);
                if (organisation is null)
                {
                    e.Add(new RuleViolation(prefix.TrimEnd('.'), RuleCodes.UnknownRecord, $"there is no organisation {partner.OrganisationId}"));
                }
                else if (organisation.DeletedAt is not null)
                {
                    e.Add(new RuleViolation(prefix.TrimEnd('.'), RuleCodes.Deleted, $"organisation {partner.OrganisationId} is deleted"));
                }

                RequireValue(e, partner.Values ?? [], "role", prefix + "role", "a new partner's role is needed, with its source");
            }

            e.Add(RecordRules.Text(prefix + "name_in_source", partner.NameInSource, 300, required: false));
            await CheckValuesAsync(e, SubjectType.Participation, partner.Values ?? [], prefix);
            e.Add(RecordRules.EuWithinTotal(ReplacedAmount(partner.Values ?? [], Fields.Participation.Budget) ?? existing?.Budget,
                ReplacedAmount(partner.Values ?? [], Fields.Participation.EuContribution) ?? existing?.EuContribution, prefix + "eu_contribution_eur"));
        }
    }

    private async Task ApplyProjectAsync(Edit e, Project p, ProjectEdit edit, Programme? programme)
    {
        var s = e.Session;
        if (edit.Slug is not null)
        {
            Editorial.Assign(p.Slug, edit.Slug, v => p.Slug = v);
        }

        if (programme is not null)
        {
            Editorial.Assign(p.ProgrammeId, programme.Id, v => p.ProgrammeId = v);
            Editorial.Assign(p.ProgrammeCode, programme.Code, v => p.ProgrammeCode = v);
        }

        if (edit.Themes is { } slugs)
        {
            var wanted = await db.Themes.Where(t => slugs.Contains(t.Slug)).ToListAsync(e.Ct);
            foreach (var gone in p.Themes.Where(t => !slugs.Contains(t.Slug)).ToList())
            {
                p.Themes.Remove(gone);
            }

            foreach (var theme in wanted.Where(t => p.Themes.All(x => x.Id != t.Id)))
            {
                p.Themes.Add(theme);
            }
        }

        await s.LoadValuesAsync([p], e.Ct);
        await ApplyValuesAsync(e, p, SubjectType.Project, edit.Values, "");

        var partnersChanged = false;
        if (edit.Partners.Count > 0)
        {
            await s.LoadValuesAsync(p.Participations.Where(x => x.Id != 0), e.Ct);
            foreach (var partner in edit.Partners)
            {
                var prefix = $"partner.{partner.OrganisationId}.";
                var x = p.Participations.FirstOrDefault(y => y.OrganisationId == partner.OrganisationId);
                if (partner.Remove)
                {
                    // Its values are withdrawn first: no current value is left on a participation that no longer exists.
                    foreach (var name in s.FieldNames(x!))
                    {
                        var field = Fields.Get(SubjectType.Participation, name);
                        foreach (var value in s.Values(x!, field).Where(v => v.Id != 0))
                        {
                            s.Retract(x!, field, value.Id);
                        }
                    }

                    p.Participations.Remove(x!);
                    db.Participations.Remove(x!);
                    partnersChanged = true;
                    continue;
                }

                if (x is null)
                {
                    var role = FieldDefinition.ParseRole(FirstValue(partner.Values ?? [], "role")!)!.Value;
                    x = s.Create(new Participation
                    {
                        Project = p,
                        ProjectId = p.Id,
                        OrganisationId = partner.OrganisationId,
                        Role = role.Role,
                        RoleLabel = role.Label,
                        NameInSource = Blank(partner.NameInSource),
                    });
                    if (!p.Participations.Contains(x))
                    {
                        // EF's fix-up has added it already when it tracks the project.
                        p.Participations.Add(x);
                    }

                    partnersChanged = true;
                }
                else if (partner.NameInSource is { } nameInSource)
                {
                    Editorial.Assign(x.NameInSource, Blank(nameInSource), v => x.NameInSource = v);
                }

                await ApplyValuesAsync(e, x, SubjectType.Participation, partner.Values ?? [], prefix);
                partnersChanged |= e.Touched(prefix + "role");
                if (e.Touched(prefix + "budget_eur", prefix + "eu_contribution_eur"))
                {
                    e.Add(RecordRules.EuWithinTotal(x.Budget, x.EuContribution, prefix + "eu_contribution_eur"));
                }
            }
        }

        if (partnersChanged)
        {
            e.Add(RecordRules.OneLeadPartner(p.Participations.Select(x => x.Role).ToList()));
        }

        if (e.Touched("start_date", "end_date"))
        {
            e.Add(RecordRules.EndAfterStart(p.StartDate, p.EndDate));
        }

        if (e.Touched("total_budget_eur", "erdf_eur"))
        {
            e.Add(RecordRules.EuWithinTotal(p.TotalBudget, p.EuContribution, Fields.Project.Erdf.Name));
        }
    }

    // ------------------------------------------------------------------------------------------------ organisations

    /// <summary>Creates an organisation, as a draft. Administrators and editors. Needs a name (a "name" value).</summary>
    public Task<EditResult> CreateOrganisationAsync(Access access, OrganisationEdit edit, CancellationToken ct = default)
    {
        RequireCreate(access, SubjectType.Organisation, "an organisation");
        return RunAsync(access, async e =>
        {
            RequireValue(e, edit.Values, "name", "name", "a name is needed");
            var name = FirstValue(edit.Values, "name") is { } n ? FieldDefinition.Normalise(n) : null;
            var slug = await SlugAsync(e, edit.Slug, 150, name ?? "organisation", db.Organisations.Select(o => o.Slug), null);
            await CheckOrganisationAsync(e, edit, null);
            e.ThrowIfViolations();

            var o = e.Session.Create(new Organisation { Slug = slug, Name = name!, IsPublished = false });
            await ApplyOrganisationAsync(e, o, edit);
            return o;
        }, ct);
    }

    /// <summary>
    /// Changes an organisation's attributes, values and aliases. Administrators; editors when it takes part in a project
    /// of their programmes, is a member of one of their groupings, or was created by them.
    /// </summary>
    public Task<EditResult> UpdateOrganisationAsync(Access access, int id, int expectedVersion, OrganisationEdit edit, CancellationToken ct = default) =>
        RunAsync(access, async e =>
        {
            var o = await db.Organisations.Include(x => x.Aliases).SingleOrDefaultAsync(x => x.Id == id, ct) ?? throw new RecordNotFoundException(RecordRef.Organisation(id));
            await BeginUpdateAsync(e, RecordRef.Organisation(id), o, o.Version, o.DeletedAt, expectedVersion);
            if (edit.Slug is not null)
            {
                await SlugAsync(e, edit.Slug, 150, null, db.Organisations.Where(x => x.Id != id).Select(x => x.Slug), o.Slug);
            }

            await CheckOrganisationAsync(e, edit, o);
            e.ThrowIfViolations();
            await ApplyOrganisationAsync(e, o, edit);
            return o;
        }, ct);

    private async Task CheckOrganisationAsync(Edit e, OrganisationEdit edit, Organisation? o)
    {
        if (edit.Location is { } point && (point.Latitude is < -90 or > 90 || point.Longitude is < -180 or > 180 || double.IsNaN(point.Latitude) || double.IsNaN(point.Longitude)))
        {
            e.Add(new RuleViolation("location", RuleCodes.InvalidValue, "a latitude is between -90 and 90 and a longitude between -180 and 180 (WGS 84 degrees)"));
        }

        await CheckValuesAsync(e, SubjectType.Organisation, edit.Values, "");
        foreach (var alias in edit.Aliases)
        {
            var field = $"alias.{alias.Name}";
            if (alias.Remove)
            {
                if (o?.Aliases.Any(a => a.Name == alias.Name) != true)
                {
                    e.Add(new RuleViolation(field, RuleCodes.UnknownRecord, $"'{alias.Name}' is not an alias of the organisation"));
                }

                continue;
            }

            e.Add(RecordRules.Text(field, alias.Name, 300, required: true));
            await e.CheckSourceAsync(alias.Source, field);
        }
    }

    private async Task ApplyOrganisationAsync(Edit e, Organisation o, OrganisationEdit edit)
    {
        if (edit.Slug is not null)
        {
            Editorial.Assign(o.Slug, edit.Slug, v => o.Slug = v);
        }

        if (edit.RemoveLocation)
        {
            Editorial.Assign(o.Latitude, null, v => o.Latitude = v);
            Editorial.Assign(o.Longitude, null, v => o.Longitude = v);
        }
        else if (edit.Location is { } point)
        {
            Editorial.Assign(o.Latitude, point.Latitude, v => o.Latitude = v);
            Editorial.Assign(o.Longitude, point.Longitude, v => o.Longitude = v);
        }

        await e.Session.LoadValuesAsync([o], e.Ct);
        await ApplyValuesAsync(e, o, SubjectType.Organisation, edit.Values, "");
        foreach (var alias in edit.Aliases)
        {
            var existing = o.Aliases.FirstOrDefault(a => a.Name == alias.Name.Trim());
            if (alias.Remove)
            {
                o.Aliases.Remove(existing!);
                db.OrganisationAliases.Remove(existing!);
                continue;
            }

            var sourceId = await e.SaveSourceAsync(alias.Source!);
            if (existing is null)
            {
                o.Aliases.Add(new OrganisationAlias { Name = alias.Name.Trim(), SourceId = sourceId });
            }
            else
            {
                Editorial.Assign(existing.SourceId, sourceId, v => existing.SourceId = v);
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ sources

    /// <summary>
    /// Creates a source. Administrators and editors. Needs a title; the same title, address and date as an existing
    /// source is refused as a duplicate (pick that one).
    /// </summary>
    public Task<EditResult> CreateSourceAsync(Access access, SourceEdit edit, CancellationToken ct = default)
    {
        RequireCreate(access, SubjectType.Source, "a source");
        return RunAsync(access, async e =>
        {
            await CheckSourceEditAsync(e, edit, creating: true);
            var key = DocumentKey(edit.Title?.Trim() ?? "", Blank(edit.Url), Blank(edit.SourceDate), Blank(edit.Licence));
            if (await db.Sources.AsNoTracking().Where(s => s.Key == key).Select(s => (int?)s.Id).SingleOrDefaultAsync(ct) is { } existing)
            {
                e.Add(new RuleViolation("title", RuleCodes.Duplicate, $"source {existing} has the same title, address and date"));
            }

            e.ThrowIfViolations();
            var source = e.Session.Create(new Source { Key = key, Title = edit.Title!.Trim() });
            ApplySource(source, edit);
            return source;
        }, ct);
    }

    /// <summary>Changes a source's title, address, date, licence or author. Administrators, and the editor who created it.</summary>
    public Task<EditResult> UpdateSourceAsync(Access access, int id, int expectedVersion, SourceEdit edit, CancellationToken ct = default) =>
        RunAsync(access, async e =>
        {
            var source = await db.Sources.SingleOrDefaultAsync(x => x.Id == id, ct) ?? throw new RecordNotFoundException(RecordRef.Source(id));
            await BeginUpdateAsync(e, RecordRef.Source(id), source, source.Version, source.DeletedAt, expectedVersion);
            await CheckSourceEditAsync(e, edit, creating: false);
            e.ThrowIfViolations();
            ApplySource(source, edit);
            return source;
        }, ct);

    private async Task CheckSourceEditAsync(Edit e, SourceEdit edit, bool creating)
    {
        e.Add(RecordRules.Text("title", edit.Title, 500, required: creating || edit.Title is not null));
        if (Blank(edit.Url) is { } url)
        {
            e.Add(RecordRules.Url("url", url));
        }

        if (Blank(edit.SourceDate) is { } date)
        {
            e.Add(RecordRules.Date("source_date", date));
        }

        e.Add(RecordRules.Text("licence", edit.Licence, 300, required: false));
        if (edit.StatedByOrganisationId is > 0 and var organisation && !await db.Organisations.AnyAsync(o => o.Id == organisation, e.Ct))
        {
            e.Add(new RuleViolation("stated_by", RuleCodes.UnknownRecord, $"there is no organisation {organisation}"));
        }
    }

    private static void ApplySource(Source source, SourceEdit edit)
    {
        if (edit.Title is { } title)
        {
            Editorial.Assign(source.Title, title.Trim(), v => source.Title = v);
        }

        if (edit.Url is { } url)
        {
            Editorial.Assign(source.Url, Blank(url), v => source.Url = v);
        }

        if (edit.SourceDate is { } date)
        {
            Editorial.Assign(source.SourceDate, Blank(date), v => source.SourceDate = v);
        }

        if (edit.Licence is { } licence)
        {
            Editorial.Assign(source.Licence, Blank(licence), v => source.Licence = v);
        }

        if (edit.RetrievedOn is { } retrieved)
        {
            Editorial.Assign(source.RetrievedOn, retrieved, v => source.RetrievedOn = v);
        }

        if (edit.StatedByOrganisationId is { } organisation)
        {
            Editorial.Assign(source.StatedByOrganisationId, organisation > 0 ? organisation : null, v => source.StatedByOrganisationId = v);
        }
    }

    // ------------------------------------------------------------------------------------------------ life cycle

    /// <summary>
    /// Deletes a record (softly: it is kept, unpublished, and can be restored). Administrators; editors for the projects
    /// of their programmes, organisations wholly within their scope, and sources they created. A source that current
    /// values or links cite cannot be deleted (<see cref="RuleCodes.SourceInUse"/>).
    /// </summary>
    public Task<EditResult> DeleteAsync(Access access, RecordRef record, int expectedVersion, CancellationToken ct = default) =>
        LifecycleAsync(access, record, expectedVersion, "delete", async (e, entity) =>
        {
            if (entity.DeletedAt is not null)
            {
                e.Add(new RuleViolation("record", RuleCodes.Deleted, $"{record} is already deleted"));
                return;
            }

            if (entity.Record is Source source)
            {
                var facts = await db.Facts.CountAsync(f => f.SourceId == source.Id && !f.Retracted, e.Ct);
                var links = await db.OrganisationAliases.CountAsync(a => a.SourceId == source.Id, e.Ct)
                            + await db.GroupingMembers.CountAsync(m => m.SourceId == source.Id, e.Ct)
                            + await db.ProgrammeAreaUnits.CountAsync(a => a.SourceId == source.Id, e.Ct)
                            + await db.GroupingTerritoryUnits.CountAsync(t => t.SourceId == source.Id, e.Ct)
                            + await db.TerritoryUnits.CountAsync(t => t.SourceId == source.Id, e.Ct);
                if (facts + links > 0)
                {
                    e.Add(new RuleViolation("record", RuleCodes.SourceInUse,
                        $"the source is cited by {facts} current value(s) and {links} link(s): retract or re-source them first"));
                    return;
                }
            }

            entity.DeletedAt = clock.GetUtcNow().UtcDateTime;
            entity.IsPublished = false;
        }, ct);

    /// <summary>Restores a deleted record, as a draft (publish it again to show it). Who may delete it may restore it.</summary>
    public Task<EditResult> RestoreAsync(Access access, RecordRef record, int expectedVersion, CancellationToken ct = default) =>
        LifecycleAsync(access, record, expectedVersion, "restore", (e, entity) =>
        {
            if (entity.DeletedAt is null)
            {
                e.Add(new RuleViolation("record", RuleCodes.NotDeleted, $"{record} is not deleted"));
            }

            entity.DeletedAt = null;
            return Task.CompletedTask;
        }, ct);

    /// <summary>
    /// Publishes a record: the portal, search, exports and the public API show it. Administrators; editors for the
    /// programmes and groupings of their scope, their projects, and organisations wholly within their scope. A deleted
    /// record is restored first; sources are not published (they show with the values citing them).
    /// </summary>
    public Task<EditResult> PublishAsync(Access access, RecordRef record, int expectedVersion, CancellationToken ct = default) =>
        LifecycleAsync(access, record, expectedVersion, "publish", (e, entity) =>
        {
            if (entity.Record is Source)
            {
                e.Add(new RuleViolation("record", RuleCodes.NotPublishable, "a source is shown with the values that cite it; it has no published state"));
            }
            else if (entity.DeletedAt is not null)
            {
                e.Add(new RuleViolation("record", RuleCodes.Deleted, $"{record} is deleted: restore it first"));
            }

            entity.IsPublished = true;
            return Task.CompletedTask;
        }, ct);

    /// <summary>Unpublishes a record (a draft again: hidden from the public). Who may publish it may unpublish it.</summary>
    public Task<EditResult> UnpublishAsync(Access access, RecordRef record, int expectedVersion, CancellationToken ct = default) =>
        LifecycleAsync(access, record, expectedVersion, "unpublish", (e, entity) =>
        {
            if (entity.Record is Source)
            {
                e.Add(new RuleViolation("record", RuleCodes.NotPublishable, "a source is shown with the values that cite it; it has no published state"));
            }

            entity.IsPublished = false;
            return Task.CompletedTask;
        }, ct);

    /// <summary>The life-cycle state of any record, read and written through one shape.</summary>
    private sealed class LifecycleState(object record, Func<DateTime?> getDeleted, Action<DateTime?> setDeleted, Func<bool> getPublished, Action<bool> setPublished)
    {
        public object Record { get; } = record;

        public DateTime? DeletedAt
        {
            get => getDeleted();
            set
            {
                if (getDeleted() != value)
                {
                    setDeleted(value);
                }
            }
        }

        public bool IsPublished
        {
            get => getPublished();
            set
            {
                if (getPublished() != value)
                {
                    setPublished(value);
                }
            }
        }
    }

    private Task<EditResult> LifecycleAsync(Access access, RecordRef record, int expectedVersion, string what, Func<Edit, LifecycleState, Task> change, CancellationToken ct) =>
        RunAsync(access, async e =>
        {
            var (entity, version) = await LoadAsync(record, ct);
            await _scope.RequireManageAsync(access, record, what, ct);
            e.Expect(record, entity.Record, version, expectedVersion);
            await change(e, entity);
            return entity.Record;
        }, ct);

    private async Task<(LifecycleState Entity, int Version)> LoadAsync(RecordRef record, CancellationToken ct)
    {
        switch (record.Type)
        {
            case SubjectType.Programme:
                var p = await db.Programmes.SingleOrDefaultAsync(x => x.Id == record.Id, ct) ?? throw new RecordNotFoundException(record);
                return (new LifecycleState(p, () => p.DeletedAt, v => p.DeletedAt = v, () => p.IsPublished, v => p.IsPublished = v), p.Version);
            case SubjectType.Grouping:
                var g = await db.Groupings.SingleOrDefaultAsync(x => x.Id == record.Id, ct) ?? throw new RecordNotFoundException(record);
                return (new LifecycleState(g, () => g.DeletedAt, v => g.DeletedAt = v, () => g.IsPublished, v => g.IsPublished = v), g.Version);
            case SubjectType.Project:
                var j = await db.Projects.SingleOrDefaultAsync(x => x.Id == record.Id, ct) ?? throw new RecordNotFoundException(record);
                return (new LifecycleState(j, () => j.DeletedAt, v => j.DeletedAt = v, () => j.IsPublished, v => j.IsPublished = v), j.Version);
            case SubjectType.Organisation:
                var o = await db.Organisations.SingleOrDefaultAsync(x => x.Id == record.Id, ct) ?? throw new RecordNotFoundException(record);
                return (new LifecycleState(o, () => o.DeletedAt, v => o.DeletedAt = v, () => o.IsPublished, v => o.IsPublished = v), o.Version);
            case SubjectType.Source:
                var s = await db.Sources.SingleOrDefaultAsync(x => x.Id == record.Id, ct) ?? throw new RecordNotFoundException(record);
                return (new LifecycleState(s, () => s.DeletedAt, v => s.DeletedAt = v, () => true, _ => { }), s.Version);
            default:
                throw new RecordNotFoundException(record);
        }
    }

    // ------------------------------------------------------------------------------------------------ restore a version

    /// <summary>
    /// Makes the record show what it showed right after change set <paramref name="changeSetId"/>, as a new version in
    /// the name of <paramref name="access"/> (detail "restore of version N (…)"). What it showed then is read by the
    /// history's replay (<see cref="HistoryQueries"/>, the one the diff uses): each sourced field gets back exactly its
    /// values then, in the same order, with the same sources and notes (values added since are retracted, values
    /// withdrawn since are written again from their source; nothing is deleted), for a project its current partners'
    /// values too; each editorial attribute (a programme's kind, a project's programme, a slug) its value then. Links
    /// (partners, members, aliases, themes, area and territory units), the published and deleted state, and fields the
    /// registry no longer has are left as they are and listed in <see cref="VersionRestoreResult.NotRestored"/>.
    /// Who may edit the record may restore it (<see cref="EditScope"/>); an editor may not move a project to a
    /// programme outside their scope this way. The version the editor loaded is checked as for any edit.
    /// </summary>
    /// <exception cref="RuleViolationException">
    /// <see cref="RuleCodes.NotInHistory"/>: the change set is not a version of the record; a value of then that
    /// today's rules of its field refuse; a slug of then another record has taken since.
    /// </exception>
    public async Task<VersionRestoreResult> RestoreVersionAsync(Access access, RecordRef record, long changeSetId, int expectedVersion, CancellationToken ct = default)
    {
        // Read before the session opens, for the change set's detail only: the version's number and time never change.
        var version = HistoryQueries.Types.Values.Contains(record.Type) ? await history.VersionAsync(record.Type, record.Id, changeSetId, ct) : null;
        var detail = version is null
            ? null
            : $"restore of version {version.Number.ToString(CultureInfo.InvariantCulture)} ({version.At.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC, change set {changeSetId.ToString(CultureInfo.InvariantCulture)})";
        var notRestored = new List<string>();
        var result = await RunAsync(access, async e =>
        {
            var (entity, current) = await LoadAsync(record, ct);
            await BeginUpdateAsync(e, record, entity.Record, current, entity.DeletedAt, expectedVersion);
            if (version is null)
            {
                e.Add(new RuleViolation("record", RuleCodes.NotInHistory, $"change set {changeSetId} is not a version of {record}"));
                e.ThrowIfViolations();
            }

            // Inside the transaction: the state read and the writes see the same history.
            var scope = await history.ScopeAsync(record.Type, record.Id, ct);
            var latest = await scope.Revisions(db).MaxAsync(r => r.ChangeSetId, ct);
            var states = await history.StatesAsync(scope, [changeSetId, latest], ct);
            var then = states[changeSetId];

            var subjects = new List<(object Record, SubjectType Type, int? ParticipationId)> { (entity.Record, record.Type, null) };
            if (entity.Record is Project)
            {
                // The values of the partners the project had then; a partner added since keeps its own (its link is
                // not removed either, and is listed as not restored).
                var partners = await db.Participations.Where(x => x.ProjectId == record.Id).ToListAsync(ct);
                var ids = partners.Select(x => x.Id).ToList();
                var existed = await db.Revisions.AsNoTracking()
                    .Where(r => r.SubjectType == SubjectType.Participation && ids.Contains(r.SubjectId) && r.ChangeSetId <= changeSetId)
                    .Select(r => r.SubjectId).Distinct().ToListAsync(ct);
                subjects.AddRange(partners.Where(x => existed.Contains(x.Id)).Select(x => ((object)x, SubjectType.Participation, (int?)x.Id)));
            }

            if (record.Type != SubjectType.Source)
            {
                foreach (var group in subjects.GroupBy(s => s.Type))
                {
                    await e.Session.LoadValuesAsync(group.Select(s => s.Record), ct);
                }

                foreach (var (subject, type, participationId) in subjects)
                {
                    RestoreValues(e, subject, type, then.Where(f => f.ParticipationId == participationId), notRestored);
                }
            }

            await RestoreAttributesAsync(e, record, entity.Record, then.Where(f => f.Kind == HistoryFieldKind.Attribute && f.ParticipationId is null), notRestored);
            e.ThrowIfViolations();
            if (entity.Record is Project project && EditScope.IsEditor(access)
                && !(project.ProgrammeId is { } programme && access.ProgrammeIds.Contains(programme)))
            {
                throw new AccessDeniedException($"{access.Name} may not move {record} to a programme outside their scope.");
            }

            // Links differ from then but are not put back: removing a partner deletes its participation and values,
            // and adding one back needs an organisation and a role, which is an edit of its own.
            notRestored.AddRange(HistoryQueries.Compare(then, states[latest]).Where(d => d.Changed && d.Kind == HistoryFieldKind.Link).Select(d => d.Label));
            return entity.Record;
        }, ct, detail);
        return new VersionRestoreResult(result.Record, result.Slug, result.Version, result.ChangeSetId, [.. notRestored.Distinct(StringComparer.Ordinal)]);
    }

    /// <summary>Each sourced field of the record exactly as it was: the values, their order, sources and notes.</summary>
    private static void RestoreValues(Edit e, object record, SubjectType type, IEnumerable<StateField> then, List<string> notRestored)
    {
        var s = e.Session;
        var prefix = record is Participation x ? $"partner.{x.OrganisationId.ToString(CultureInfo.InvariantCulture)}." : "";
        var wanted = then.Where(f => f.Kind == HistoryFieldKind.Value).ToDictionary(f => f.Field, StringComparer.Ordinal);
        foreach (var name in s.FieldNames(record).Union(wanted.Keys, StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            var values = wanted.TryGetValue(name, out var f) ? f.Values : [];
            if (Fields.Find(type, name) is not { } field || values.Any(v => v.Source is null))
            {
                notRestored.Add(f?.Label ?? HistoryLabels.Label(type, name));
                continue;
            }

            // A value of then that today's rules of its field refuse is reported like any edit's, before anything is written.
            var refused = values.Select(v => field.Validate(FieldDefinition.Normalise(v.Value)) is { } reason ? reason : null).FirstOrDefault(r => r is not null);
            if (refused is not null)
            {
                e.Add(new RuleViolation(prefix + name, RuleCodes.InvalidValue, $"the value of then is refused today: {refused}"));
                continue;
            }

            var desired = values.Select(v => new SourcedValue(v.Value, s.Source(v.Source!.Id), v.Note)).ToList();
            // Every source of the field, then's and today's, is "owned": the field becomes exactly the list of then.
            var owned = values.Select(v => v.Source!.Id).Concat(s.Values(record, field).Select(v => v.SourceId)).ToHashSet();
            s.SyncValues(record, field, desired, owned);
        }
    }

    /// <summary>Editorial attributes back to their value then (the session records each as "set").</summary>
    private async Task RestoreAttributesAsync(Edit e, RecordRef record, object entity, IEnumerable<StateField> then, List<string> notRestored)
    {
        var entry = e.Session.Db.Entry(entity);
        // Columns that follow a field's values are restored with the values, never set directly; the published and
        // deleted state have their own operations (publish, delete, restore) and their own scope.
        var bound = Fields.All.Where(f => f.Subject == record.Type && f.Column is not null).SelectMany(f => f.Column!.Properties)
            .Concat(["IsPublished", "DeletedAt"]).ToHashSet(StringComparer.Ordinal);
        foreach (var attribute in then)
        {
            var property = entry.Properties.FirstOrDefault(p => WriteSession.Snake(p.Metadata.Name) == attribute.Field);
            var value = attribute.Values.Count == 0 ? null : attribute.Values[0].Value;
            if (property is not null && string.Equals(WriteSession.Format(property.CurrentValue), value, StringComparison.Ordinal))
            {
                continue;
            }

            if (property is null || property.Metadata.IsPrimaryKey() || property.Metadata.IsShadowProperty() || property.Metadata.IsConcurrencyToken
                || bound.Contains(property.Metadata.Name) || !TryParse(value, property.Metadata.ClrType, out var parsed))
            {
                notRestored.Add(attribute.Label);
                continue;
            }

            if (property.Metadata.Name is "Slug" or "Key" && parsed is string slug && await SlugTakenAsync(record, slug, e.Ct))
            {
                e.Add(new RuleViolation(attribute.Field, RuleCodes.SlugTaken, $"another record has taken '{slug}' since"));
                continue;
            }

            property.CurrentValue = parsed;
        }
    }

    private Task<bool> SlugTakenAsync(RecordRef record, string slug, CancellationToken ct) => record.Type switch
    {
        SubjectType.Programme => db.Programmes.AnyAsync(x => x.Slug == slug && x.Id != record.Id, ct),
        SubjectType.Grouping => db.Groupings.AnyAsync(x => x.Slug == slug && x.Id != record.Id, ct),
        SubjectType.Project => db.Projects.AnyAsync(x => x.Slug == slug && x.Id != record.Id, ct),
        SubjectType.Organisation => db.Organisations.AnyAsync(x => x.Slug == slug && x.Id != record.Id, ct),
        _ => db.Sources.AnyAsync(x => x.Key == slug && x.Id != record.Id, ct),
    };

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

    // ------------------------------------------------------------------------------------------------ the write

    /// <summary>One edit in progress: its session, the violations found so far, the fields it touched, its sources.</summary>
    private sealed class Edit(PasserelleDbContext db, TimeProvider clock, WriteSession session, Access access, CancellationToken ct)
    {
        private readonly List<RuleViolation> _violations = [];
        private readonly HashSet<string> _touched = new(StringComparer.Ordinal);
        private readonly Dictionary<SourceChoice, SourceHandle> _sources = [];

        public WriteSession Session { get; } = session;
        public Access Access { get; } = access;
        public CancellationToken Ct { get; } = ct;
        public RecordRef? Record { get; private set; }
        public int? ExpectedVersion { get; private set; }

        public void Add(RuleViolation? violation)
        {
            if (violation is not null && !_violations.Any(v => v.Field == violation.Field && v.Code == violation.Code))
            {
                _violations.Add(violation);
            }
        }

        public void Touch(string field) => _touched.Add(field);

        public bool Touched(params string[] fields) => fields.Any(_touched.Contains);

        public void ThrowIfViolations()
        {
            if (_violations.Count > 0)
            {
                throw new RuleViolationException([.. _violations]);
            }
        }

        /// <summary>The editor loaded <paramref name="expected"/>; the record is at <paramref name="current"/>.</summary>
        public void Expect(RecordRef record, object entity, int current, int expected)
        {
            (Record, ExpectedVersion) = (record, expected);
            if (current != expected)
            {
                throw new StaleVersionException(record, expected);
            }

            Session.ExpectVersion(entity, expected);
        }

        public async Task CheckSourceAsync(SourceChoice? choice, string field)
        {
            switch (choice)
            {
                case null:
                    Add(new RuleViolation(field + ".source", RuleCodes.Required, "a value needs its source"));
                    break;
                case ExistingSource existing:
                    var deleted = await db.Sources.AsNoTracking().Where(s => s.Id == existing.SourceId).Select(s => new { s.DeletedAt }).SingleOrDefaultAsync(Ct);
                    Add(deleted is null ? new RuleViolation(field + ".source", RuleCodes.UnknownSource, $"there is no source {existing.SourceId}")
                        : deleted.DeletedAt is not null ? new RuleViolation(field + ".source", RuleCodes.Deleted, $"source {existing.SourceId} is deleted")
                        : null);
                    break;
                case DocumentSource document:
                    Add(RecordRules.Text(field + ".source.title", document.Title, 500, required: true));
                    if (Blank(document.Url) is { } url)
                    {
                        Add(RecordRules.Url(field + ".source.url", url));
                    }

                    if (Blank(document.Date) is { } date)
                    {
                        Add(RecordRules.Date(field + ".source.date", date));
                    }

                    Add(RecordRules.Text(field + ".source.licence", document.Licence, 300, required: false));
                    break;
                case StatementSource statement:
                    var organisation = await db.Organisations.AsNoTracking().Where(o => o.Id == statement.OrganisationId).Select(o => new { o.DeletedAt }).SingleOrDefaultAsync(Ct);
                    Add(organisation is null ? new RuleViolation(field + ".source.organisation", RuleCodes.UnknownRecord, $"there is no organisation {statement.OrganisationId}")
                        : organisation.DeletedAt is not null ? new RuleViolation(field + ".source.organisation", RuleCodes.Deleted, $"organisation {statement.OrganisationId} is deleted")
                        : null);
                    if (Blank(statement.Date) is { } day)
                    {
                        Add(RecordRules.Date(field + ".source.date", day));
                    }

                    break;
            }
        }

        /// <summary>The write session's source for a choice (checked before): one per choice within the edit.</summary>
        public async Task<SourceHandle> SourceAsync(SourceChoice choice)
        {
            if (_sources.TryGetValue(choice, out var known))
            {
                return known;
            }

            var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
            var handle = choice switch
            {
                ExistingSource existing => Session.Source(existing.SourceId),
                DocumentSource d => await Session.SourceAsync(new Source
                {
                    Key = DocumentKey(d.Title.Trim(), Blank(d.Url), Blank(d.Date), Blank(d.Licence)),
                    Title = d.Title.Trim(),
                    Url = Blank(d.Url),
                    SourceDate = Blank(d.Date),
                    Licence = Blank(d.Licence),
                    RetrievedOn = today,
                }, Ct),
                StatementSource statement => await StatementAsync(statement, today),
                _ => throw new ArgumentException("unknown source choice", nameof(choice)),
            };
            _sources[choice] = handle;
            return handle;
        }

        private async Task<SourceHandle> StatementAsync(StatementSource statement, DateOnly today)
        {
            var date = Blank(statement.Date) ?? today.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            var name = await db.Organisations.AsNoTracking().Where(o => o.Id == statement.OrganisationId).Select(o => o.Name).SingleAsync(Ct);
            var title = $"Stated by {name}";
            return await Session.SourceAsync(new Source
            {
                Key = $"stated-{statement.OrganisationId.ToString(CultureInfo.InvariantCulture)}-{date}",
                Title = title.Length <= 500 ? title : title[..500],
                SourceDate = date,
                RetrievedOn = today,
                StatedByOrganisationId = statement.OrganisationId,
            }, Ct);
        }

        /// <summary>A source's id now (links store it): a new source is saved at once.</summary>
        public async Task<int> SaveSourceAsync(SourceChoice choice) => await Session.SaveSourceAsync(await SourceAsync(choice), Ct);
    }

    /// <summary>The version the editor loaded is not the record's: reported as an <see cref="EditConflictException"/>.</summary>
    private sealed class StaleVersionException(RecordRef record, int expected) : Exception($"{record} is not at version {expected}")
    {
        public RecordRef Record { get; } = record;
        public int Expected { get; } = expected;
    }

    /// <param name="detail">The change set's detail (a restore's origin); null for an ordinary edit.</param>
    private async Task<EditResult> RunAsync(Access access, Func<Edit, Task<object>> work, CancellationToken ct, string? detail = null)
    {
        if (!access.CanEditAnything)
        {
            throw EditScope.Denied(access, "change", "anything");
        }

        Edit? edit = null;
        object record;
        long? changeSetId;
        int? version;
        try
        {
            await using var session = await writer.BeginAsync(Actor.User(access.Name, detail), ct);
            edit = new Edit(db, clock, session, access, ct);
            record = await work(edit);
            edit.ThrowIfViolations();
            await session.CommitAsync(ct);
            changeSetId = session.ChangeSetId;
            var (type, id, _) = Identify(record);
            version = session.Versions.TryGetValue((type, id), out var v) ? v : null;
        }
        catch (StaleVersionException e)
        {
            throw await ConflictAsync(e.Record, e.Expected, ct);
        }
        catch (RecordChangedException e)
        {
            throw await ConflictAsync(new RecordRef(e.Type, e.Id), e.ExpectedVersion, ct);
        }
        catch (DbUpdateConcurrencyException) when (edit is { Record: { } changed, ExpectedVersion: { } expected })
        {
            throw await ConflictAsync(changed, expected, ct);
        }

        var (t, i, slug) = Identify(record);
        return new EditResult(new RecordRef(t, i), slug, version ?? await CurrentVersionAsync(new RecordRef(t, i), ct), changeSetId);
    }

    private static (SubjectType Type, int Id, string Slug) Identify(object record) => record switch
    {
        Programme p => (SubjectType.Programme, p.Id, p.Slug),
        Grouping g => (SubjectType.Grouping, g.Id, g.Slug),
        Project p => (SubjectType.Project, p.Id, p.Slug),
        Organisation o => (SubjectType.Organisation, o.Id, o.Slug),
        Source s => (SubjectType.Source, s.Id, s.Key),
        _ => throw new ArgumentException($"{record.GetType().Name} is not edited here", nameof(record)),
    };

    private async Task<EditConflictException> ConflictAsync(RecordRef record, int expected, CancellationToken ct) =>
        new(record, expected, await CurrentVersionAsync(record, ct), await queries.ChangesSinceAsync(record, expected, ct));

    private async Task<int> CurrentVersionAsync(RecordRef record, CancellationToken ct) => record.Type switch
    {
        SubjectType.Programme => await db.Programmes.AsNoTracking().Where(x => x.Id == record.Id).Select(x => x.Version).SingleAsync(ct),
        SubjectType.Grouping => await db.Groupings.AsNoTracking().Where(x => x.Id == record.Id).Select(x => x.Version).SingleAsync(ct),
        SubjectType.Project => await db.Projects.AsNoTracking().Where(x => x.Id == record.Id).Select(x => x.Version).SingleAsync(ct),
        SubjectType.Organisation => await db.Organisations.AsNoTracking().Where(x => x.Id == record.Id).Select(x => x.Version).SingleAsync(ct),
        _ => await db.Sources.AsNoTracking().Where(x => x.Id == record.Id).Select(x => x.Version).SingleAsync(ct),
    };

    /// <summary>Access, then version, then "not deleted", for an update of an existing record.</summary>
    private async Task BeginUpdateAsync(Edit e, RecordRef record, object entity, int version, DateTime? deletedAt, int expectedVersion)
    {
        await _scope.RequireEditAsync(e.Access, record, e.Ct);
        e.Expect(record, entity, version, expectedVersion);
        if (deletedAt is not null)
        {
            e.Add(new RuleViolation("record", RuleCodes.Deleted, $"{record} is deleted: restore it before changing it"));
            e.ThrowIfViolations();
        }
    }

    private static void RequireCreate(Access access, SubjectType type, string what)
    {
        if (!EditScope.CanCreate(access, type))
        {
            throw EditScope.Denied(access, "create", what);
        }
    }

    // ------------------------------------------------------------------------------------------------ values

    private static async Task CheckValuesAsync(Edit e, SubjectType subject, IReadOnlyList<ValueEdit> edits, string prefix)
    {
        foreach (var v in edits)
        {
            var name = prefix + v.Field;
            if (Fields.Find(subject, v.Field) is not { } field)
            {
                e.Add(new RuleViolation(name, RuleCodes.UnknownField, $"'{v.Field}' is not a field of a {subject.ToString().ToLowerInvariant()}"));
                continue;
            }

            switch (v.Action)
            {
                case ValueAction.Replace or ValueAction.AddBeside:
                    e.Add(RecordRules.CheckValue(field, v.Value, prefix));
                    e.Add(RecordRules.Text(name + ".note", v.Note, 2000, required: false));
                    await e.CheckSourceAsync(v.Source, name);
                    break;
                case ValueAction.MakeFirst or ValueAction.Retract:
                    if (v.FactId is null)
                    {
                        e.Add(new RuleViolation(name, RuleCodes.Required, "which value: its id is needed"));
                    }

                    break;
                default:
                    e.Add(new RuleViolation(name, RuleCodes.InvalidValue, $"unknown action {v.Action}"));
                    break;
            }
        }
    }

    private static async Task ApplyValuesAsync(Edit e, object record, SubjectType subject, IReadOnlyList<ValueEdit> edits, string prefix)
    {
        var s = e.Session;
        foreach (var v in edits)
        {
            var field = Fields.Get(subject, v.Field);
            try
            {
                switch (v.Action)
                {
                    case ValueAction.Replace:
                        var source = await e.SourceAsync(v.Source!);
                        var value = FieldDefinition.Normalise(v.Value!);
                        s.SetValue(record, field, value, source, Blank(v.Note));
                        // The source says this value now: what it said before for the field is withdrawn.
                        foreach (var other in s.Values(record, field).Where(o => o.Id != 0 && source.Id != 0 && o.SourceId == source.Id && !field.SameValue(o.Value, value)))
                        {
                            s.Retract(record, field, other.Id);
                        }

                        break;
                    case ValueAction.AddBeside:
                        s.AddValue(record, field, v.Value!, await e.SourceAsync(v.Source!), Blank(v.Note));
                        break;
                    case ValueAction.MakeFirst:
                        s.MakeFirst(record, field, v.FactId!.Value);
                        break;
                    case ValueAction.Retract:
                        s.Retract(record, field, v.FactId!.Value);
                        break;
                }

                e.Touch(prefix + field.Name);
            }
            catch (RegistryWriteException ex)
            {
                e.Add(new RuleViolation(prefix + field.Name, v.Action is ValueAction.MakeFirst or ValueAction.Retract ? RuleCodes.UnknownValue : RuleCodes.InvalidValue, ex.Message));
            }
        }
    }

    /// <summary>The value a replace edit of <paramref name="field"/> would show, when it is a valid value.</summary>
    private static string? Replaced(IReadOnlyList<ValueEdit> edits, FieldDefinition field) =>
        edits.LastOrDefault(v => v.Field == field.Name && v.Action == ValueAction.Replace) is { Value: { } value }
        && RecordRules.CheckValue(field, value) is null
            ? FieldDefinition.Normalise(value)
            : null;

    private static decimal? ReplacedAmount(IReadOnlyList<ValueEdit> edits, FieldDefinition field) =>
        Replaced(edits, field) is { } value && decimal.TryParse(value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount) ? amount : null;

    /// <summary>The first value a replace or add-beside edit gives for <paramref name="field"/>.</summary>
    private static string? FirstValue(IReadOnlyList<ValueEdit> edits, string field) =>
        edits.FirstOrDefault(v => v.Field == field && v.Action is ValueAction.Replace or ValueAction.AddBeside && !string.IsNullOrWhiteSpace(v.Value))?.Value;

    private static void RequireValue(Edit e, IReadOnlyList<ValueEdit> edits, string fieldOrPrefix, string name, string message)
    {
        var present = edits.Any(v => (fieldOrPrefix.EndsWith('.') ? v.Field.StartsWith(fieldOrPrefix, StringComparison.Ordinal) : v.Field == fieldOrPrefix)
                                     && v.Action is ValueAction.Replace or ValueAction.AddBeside && !string.IsNullOrWhiteSpace(v.Value));
        if (!present)
        {
            e.Add(new RuleViolation(name, RuleCodes.Required, message));
        }
    }

    // ------------------------------------------------------------------------------------------------ helpers

    /// <summary>
    /// The slug asked for (checked: form, not taken), or one made from <paramref name="fallback"/> that no record has.
    /// Returns <paramref name="current"/> when nothing is asked and nothing is to be made.
    /// </summary>
    private async Task<string> SlugAsync(Edit e, string? wanted, int maxLength, string? fallback, IQueryable<string> taken, string? current)
    {
        if (wanted is not null)
        {
            if (RecordRules.Slug(wanted, maxLength) is { } violation)
            {
                e.Add(violation);
            }
            else if (wanted != current && await taken.AnyAsync(s => s == wanted, e.Ct))
            {
                e.Add(new RuleViolation("slug", RuleCodes.SlugTaken, $"another record has the slug '{wanted}'"));
            }

            return wanted;
        }

        if (fallback is null)
        {
            return current ?? "";
        }

        var slug = Common.Slug.From(fallback);
        slug = slug.Length == 0 ? "record" : slug[..Math.Min(slug.Length, maxLength - 6)].TrimEnd('-');
        if (!await taken.AnyAsync(s => s == slug, e.Ct))
        {
            return slug;
        }

        for (var i = 2; ; i++)
        {
            var numbered = slug + "-" + i.ToString(CultureInfo.InvariantCulture);
            if (!await taken.AnyAsync(s => s == numbered, e.Ct))
            {
                return numbered;
            }
        }
    }

    private async Task<bool> TerritoriesLoadedAsync(CancellationToken ct) => await db.TerritoryUnits.AnyAsync(ct);

    /// <summary>A document's source key: the same title, address, date and licence are the same source.</summary>
    private static string DocumentKey(string title, string? url, string? date, string? licence)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', title, url ?? "", date ?? "", licence ?? "")));
        return "doc-" + Convert.ToHexString(hash)[..24].ToLowerInvariant();
    }

    /// <summary>Trimmed text, null for empty (an empty string clears an optional attribute).</summary>
    private static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();
}
