using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

using Passerelle.Core.Accounts;
using Passerelle.Core.Editing;
using Passerelle.Core.Sources;

namespace Passerelle.Web.Areas.Admin.Pages.Records;

/// <summary>
/// A record's links, each added with its source: an organisation's other names, a grouping's member authorities and
/// the units of its territory, a programme's area (NUTS units).
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

    public RecordView Record { get; private set; } = null!;
    public List<(string Key, string Label)> Items { get; } = [];
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
            SubjectType.Grouping => new GroupingEdit { Members = [new MemberEdit(Name: Name, Country: Country?.Trim().ToUpperInvariant(), Level: Level, Source: choice)] },
            _ => new ProgrammeEdit { AreaUnits = [new AreaUnitEdit(code ?? "", AreaRole, choice)] },
        });
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
        switch (record.Entity)
        {
            case Core.Organisations.Organisation o:
                Items.AddRange(o.Aliases.OrderBy(a => a.Name, StringComparer.CurrentCulture).Select(a => ("alias:" + a.Name, a.Name)));
                break;
            case Core.Groupings.Grouping g:
                Items.AddRange(g.Members.OrderBy(m => m.Order).Select(m => ($"member:{m.Id}", $"{m.Name} ({m.Country}, {T("links.level_" + m.Level)})")));
                Items.AddRange((await queries.TerritoryUnitsAsync(g.Id, HttpContext.RequestAborted)).Select(u => ("unit:" + u.UnitCode, $"{u.UnitCode} {u.Name}")));
                break;
            case Core.Programmes.Programme p:
                Items.AddRange((await queries.AreaUnitsAsync(p.Id, HttpContext.RequestAborted)).Select(u => ("area:" + u.NutsCode, $"{u.NutsCode} ({u.Role})")));
                break;
        }

        Picker = await editing.PickerAsync(this, access, record, Source, HttpContext.RequestAborted);
        return true;
    }
}
