using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

using Passerelle.Core.Accounts;
using Passerelle.Core.Editing;
using Passerelle.Core.Sources;

namespace Passerelle.Web.Areas.Admin.Pages.Records;

/// <summary>
/// A record's links, each added with its source: an organisation's other names, a grouping's member authorities (each
/// linked, if it is one, to an organisation of the registry) and the units of its territory, a programme's area (NUTS
/// units). Organisations are found by a search (a GET form, no script) that the database answers with a limit.
/// </summary>
[Authorize(Policy = Policies.Edit)]
public sealed class LinksModel(EditorQueries queries, RecordEditor editor, CurrentAccess current, FieldEditing editing) : AdminPage
{
    [BindProperty(SupportsGet = true)] public string Type { get; set; } = "";
    [BindProperty(SupportsGet = true)] public int Id { get; set; }
    [BindProperty] public int Version { get; set; }
    [BindProperty] public string? Key { get; set; }
    [BindProperty] public string? Name { get; set; }
    [BindProperty] public string? Country { get; set; }
    [BindProperty] public string Level { get; set; } = "local";
    [BindProperty] public string? Code { get; set; }
    [BindProperty] public string AreaRole { get; set; } = "eligible";
    [BindProperty] public SourceInput Source { get; set; } = new();

    /// <summary>Text to find organisations by (a grouping's member link).</summary>
    [BindProperty(SupportsGet = true)] public string? Find { get; set; }

    /// <summary>The member whose organisation is being changed (the page then shows that form instead of "add").</summary>
    [BindProperty(SupportsGet = true)] public int? Member { get; set; }

    /// <summary>The organisation chosen for a member; 0: none (the member is shown under its own name).</summary>
    [BindProperty] public int OrganisationId { get; set; }

    /// <summary>At most this many organisations are offered: the search narrows them down.</summary>
    public const int CandidateLimit = 20;

    public RecordView Record { get; private set; } = null!;
    public List<(string Key, string Label)> Items { get; } = [];

    /// <summary>A grouping's members, each with the organisation it is linked to, if any.</summary>
    public List<MemberRow> Members { get; } = [];

    /// <summary>The member whose organisation is being changed, when <see cref="Member"/> names one of the grouping's.</summary>
    public MemberRow? Changing { get; private set; }

    /// <summary>The organisations found for <see cref="Find"/> (deleted ones never), at most <see cref="CandidateLimit"/>.</summary>
    public IReadOnlyList<OrganisationChoice> Candidates { get; private set; } = [];

    /// <summary>What the search found, said in words; null before a search.</summary>
    public string? FoundText => string.IsNullOrWhiteSpace(Find) ? null
        : Candidates.Count == 0 ? T("links.found_none", Find.Trim())
        : Candidates.Count >= CandidateLimit ? T("links.found_limit", CandidateLimit)
        : T("links.found", Candidates.Count);

    public SourcePicker Picker { get; private set; } = null!;
    public List<string> Errors { get; } = [];

    public async Task<IActionResult> OnGetAsync() => await LoadAsync(keepVersion: false) ? Page() : NotFound();

    public async Task<IActionResult> OnPostAsync()
    {
        if (!await LoadAsync(keepVersion: true))
        {
            return NotFound();
        }

        if (Source.ToChoice() is not { } choice)
        {
            Picker = Picker with { Error = T("source.required") };
            return Page();
        }

        var code = Code?.Trim().ToUpperInvariant();
        return await SaveAsync(Record.Type switch
        {
            SubjectType.Organisation => new OrganisationEdit { Aliases = [new AliasEdit(Name ?? "", choice)] },
            SubjectType.Grouping when !string.IsNullOrWhiteSpace(code) => new GroupingEdit { TerritoryUnits = [new TerritoryUnitEdit(code, Source: choice)] },
            SubjectType.Grouping => new GroupingEdit { Members = [await NewMemberAsync(choice)] },
            _ => new ProgrammeEdit { AreaUnits = [new AreaUnitEdit(code ?? "", AreaRole, choice)] },
        });
    }

    /// <summary>Links a member to an organisation of the registry, changes it, or removes the link (0), with a source.</summary>
    public async Task<IActionResult> OnPostOrganisationAsync()
    {
        if (!await LoadAsync(keepVersion: true) || Changing is null)
        {
            return NotFound();
        }

        if (Source.ToChoice() is not { } choice)
        {
            Picker = Picker with { Error = T("source.required") };
            return Page();
        }

        return await SaveAsync(new GroupingEdit { Members = [new MemberEdit(Id: Changing.Member.Id, OrganisationId: Math.Max(OrganisationId, 0), Source: choice)] });
    }

    /// <summary>A new member; without a name or country, those of the organisation chosen (the name a source gives may differ: type it).</summary>
    private async Task<MemberEdit> NewMemberAsync(SourceChoice choice)
    {
        var organisation = OrganisationId > 0 && (string.IsNullOrWhiteSpace(Name) || string.IsNullOrWhiteSpace(Country))
            ? (await queries.OrganisationsAsync([OrganisationId], HttpContext.RequestAborted)).GetValueOrDefault(OrganisationId)
            : null;
        var name = string.IsNullOrWhiteSpace(Name) ? organisation?.Name : Name;
        var country = string.IsNullOrWhiteSpace(Country) ? organisation?.Country : Country;
        return new MemberEdit(Name: name, Country: country?.Trim().ToUpperInvariant(), Level: Level, OrganisationId: OrganisationId > 0 ? OrganisationId : null, Source: choice);
    }

    public async Task<IActionResult> OnPostRemoveAsync()
    {
        if (!await LoadAsync(keepVersion: true) || Key is null)
        {
            return NotFound();
        }

        var (kind, value) = (Key[..Key.IndexOf(':', StringComparison.Ordinal)], Key[(Key.IndexOf(':', StringComparison.Ordinal) + 1)..]);
        return await SaveAsync(kind switch
        {
            "alias" => new OrganisationEdit { Aliases = [new AliasEdit(value, Remove: true)] },
            "member" => new GroupingEdit { Members = [new MemberEdit(Id: int.Parse(value, System.Globalization.CultureInfo.InvariantCulture), Remove: true)] },
            "unit" => new GroupingEdit { TerritoryUnits = [new TerritoryUnitEdit(value, Remove: true)] },
            _ => new ProgrammeEdit { AreaUnits = [new AreaUnitEdit(value, Remove: true)] },
        });
    }

    private async Task<IActionResult> SaveAsync(object edit)
    {
        var access = await current.RequireAsync();
        var ct = HttpContext.RequestAborted;
        try
        {
            _ = edit switch
            {
                OrganisationEdit o => await editor.UpdateOrganisationAsync(access, Id, Version, o, ct),
                GroupingEdit g => await editor.UpdateGroupingAsync(access, Id, Version, g, ct),
                _ => await editor.UpdateProgrammeAsync(access, Id, Version, (ProgrammeEdit)edit, ct),
            };
            return LocalRedirect(Link($"/{Type}/{Id}/links"));
        }
        catch (EditConflictException)
        {
            Errors.Add(T("records.conflict_action"));
            await LoadAsync(keepVersion: false);
        }
        catch (RuleViolationException e)
        {
            Errors.AddRange(e.Violations.Select(v => Error("rule." + v.Code, v.Message)));
        }

        return Page();
    }

    private async Task<bool> LoadAsync(bool keepVersion)
    {
        if (RecordTypes.Parse(Type) is not { } type)
        {
            return false;
        }

        var access = await current.RequireAsync();
        var record = await RecordView.LoadEditableAsync(queries, access, type, Id, Lang, HttpContext.RequestAborted);
        if (record is null)
        {
            return false;
        }

        Record = record;
        if (!keepVersion)
        {
            Version = record.Version;
        }

        Items.Clear();
        Members.Clear();
        var ct = HttpContext.RequestAborted;
        switch (record.Entity)
        {
            case Core.Organisations.Organisation o:
                Items.AddRange(o.Aliases.OrderBy(a => a.Name, StringComparer.CurrentCulture).Select(a => ("alias:" + a.Name, a.Name)));
                break;
            case Core.Groupings.Grouping g:
                var linked = await queries.OrganisationsAsync(g.Members.Where(m => m.OrganisationId is not null).Select(m => m.OrganisationId!.Value), ct);
                Members.AddRange(g.Members.OrderBy(m => m.Order).Select(m => new MemberRow(m, $"{m.Name} ({m.Country}, {LevelLabel(m.Level)})",
                    m.OrganisationId is { } id ? linked.GetValueOrDefault(id) : null)));
                Changing = Members.FirstOrDefault(m => m.Member.Id == Member);
                Find ??= Changing?.Member.Name;
                Candidates = await queries.FindOrganisationsAsync(Find, CandidateLimit, ct);
                Items.AddRange((await queries.TerritoryUnitsAsync(g.Id, ct)).Select(u => ("unit:" + u.UnitCode, $"{u.UnitCode} {u.Name}")));
                break;
            case Core.Programmes.Programme p:
                Items.AddRange((await queries.AreaUnitsAsync(p.Id, HttpContext.RequestAborted)).Select(u => ("area:" + u.NutsCode, $"{u.NutsCode} ({u.Role})")));
                break;
        }

        Picker = await editing.PickerAsync(this, access, record, Source, ct);
        if (Changing?.Member.SourceId is { } sourceId && await queries.GetSourceAsync(access, sourceId, ct) is { Record: { DeletedAt: null } s })
        {
            // Which organisation a member is, is usually what the source listing the members says: it is offered
            // first, so that keeping it leaves the membership's source as it was.
            var membership = new SourceSummary(s.Id, s.Key, s.Title, s.Url, s.SourceDate, s.Licence, s.StatedByOrganisationId, false);
            Picker = Picker with { Recent = [membership, .. Picker.Recent.Where(r => r.Id != s.Id)] };
        }

        return true;
    }

    /// <summary>A grouping's member as the page lists it.</summary>
    /// <param name="Member">The member.</param>
    /// <param name="Label">Its name, country and level, in the page's language.</param>
    /// <param name="Organisation">The organisation of the registry it is linked to; null when it is not linked.</param>
    public sealed record MemberRow(Core.Groupings.GroupingMember Member, string Label, OrganisationChoice? Organisation);

    /// <summary>
    /// A member's level in the page's language; as recorded when it has no translation (the default data's sources
    /// give levels, such as "departmental", that the editor does not offer for new members).
    /// </summary>
    private string LevelLabel(string level) => T("links.level_" + level) is var text && text != "links.level_" + level ? text : level;

    /// <summary>An organisation as the pickers name it: name, country and city, and whether it is a draft or deleted.</summary>
    public string Describe(OrganisationChoice o)
    {
        var place = string.Join(", ", new[] { o.Country, o.City }.Where(x => !string.IsNullOrWhiteSpace(x)));
        var state = o.IsDeleted ? T("records.status_deleted") : o.IsPublished ? null : T("records.status_draft");
        return o.Name + (place.Length > 0 ? $" ({place})" : "") + (state is null ? "" : $" · {state}");
    }
}
