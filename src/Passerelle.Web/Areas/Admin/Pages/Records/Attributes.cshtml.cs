using System.Globalization;

using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

using Passerelle.Core.Accounts;
using Passerelle.Core.Data;
using Passerelle.Core.Editing;
using Passerelle.Core.Programmes;
using Passerelle.Core.Sources;

namespace Passerelle.Web.Areas.Admin.Pages.Records;

/// <summary>
/// A record's editorial attributes, which are not facts of a source: its slug, a programme's code and kind, a project's
/// programme and themes, an organisation's location, a source's own description. Each change is still in the history.
/// </summary>
[Authorize(Policy = Policies.Edit)]
public sealed class AttributesModel(EditorQueries queries, RecordEditor editor, CurrentAccess current, PasserelleDbContext db) : AdminPage
{
    [BindProperty(SupportsGet = true)] public string Type { get; set; } = "";
    [BindProperty(SupportsGet = true)] public int Id { get; set; }
    [BindProperty] public int Version { get; set; }
    [BindProperty] public string? Slug { get; set; }
    [BindProperty] public string? Code { get; set; }
    [BindProperty] public string? Period { get; set; }
    [BindProperty] public ProgrammeKind Kind { get; set; }
    [BindProperty] public string? Funds { get; set; }
    [BindProperty] public string? Countries { get; set; }
    [BindProperty] public string? LegalForm { get; set; }
    [BindProperty] public int? ProgrammeId { get; set; }
    [BindProperty] public List<string> Themes { get; set; } = [];
    [BindProperty] public string? Latitude { get; set; }
    [BindProperty] public string? Longitude { get; set; }
    [BindProperty] public string? Title { get; set; }
    [BindProperty(Name = "Url")] public string? Address { get; set; }
    [BindProperty] public string? SourceDate { get; set; }
    [BindProperty] public string? Licence { get; set; }

    public RecordView Record { get; private set; } = null!;
    public List<(int Id, string Label)> Programmes { get; private set; } = [];
    public List<(string Slug, string Label)> AllThemes { get; private set; } = [];
    public List<string> Errors { get; } = [];

    public async Task<IActionResult> OnGetAsync()
    {
        if (!await LoadAsync())
        {
            return NotFound();
        }

        Fill();
        return Page();
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (!await LoadAsync())
        {
            return NotFound();
        }

        var access = await current.RequireAsync();
        var ct = HttpContext.RequestAborted;
        try
        {
            _ = Record.Type switch
            {
                SubjectType.Programme => await editor.UpdateProgrammeAsync(access, Id, Version, new ProgrammeEdit
                {
                    Slug = Slug,
                    Code = Code,
                    Period = Period,
                    Kind = Kind,
                    Funds = List(Funds),
                    Countries = List(Countries)?.Select(c => c.ToUpperInvariant()).ToList(),
                }, ct),
                SubjectType.Grouping => await editor.UpdateGroupingAsync(access, Id, Version, new GroupingEdit { Slug = Slug, LegalForm = LegalForm }, ct),
                SubjectType.Project => await editor.UpdateProjectAsync(access, Id, Version, new ProjectEdit { Slug = Slug, ProgrammeId = ProgrammeId, Themes = Themes }, ct),
                SubjectType.Organisation => await editor.UpdateOrganisationAsync(access, Id, Version, Location() is { } point
                    ? new OrganisationEdit { Slug = Slug, Location = point }
                    : new OrganisationEdit { Slug = Slug, RemoveLocation = string.IsNullOrWhiteSpace(Latitude) && string.IsNullOrWhiteSpace(Longitude) }, ct),
                _ => await editor.UpdateSourceAsync(access, Id, Version, new SourceEdit { Title = Title, Url = Address ?? "", SourceDate = SourceDate ?? "", Licence = Licence ?? "" }, ct),
            };
            return LocalRedirect(Link($"/{Type}/{Id}"));
        }
        catch (EditConflictException)
        {
            Errors.Add(T("records.conflict_action"));
            Fill();
        }
        catch (RuleViolationException e)
        {
            Errors.AddRange(e.Violations.Select(v => $"{v.Field}: {Error("rule." + v.Code, v.Message)}"));
        }
        catch (FormatException)
        {
            Errors.Add(T("error.rule.invalid_number"));
        }

        return Page();
    }

    private GeoPoint? Location()
    {
        if (string.IsNullOrWhiteSpace(Latitude) && string.IsNullOrWhiteSpace(Longitude))
        {
            return null;
        }

        return new GeoPoint(double.Parse(Latitude ?? "", NumberStyles.Float, CultureInfo.InvariantCulture), double.Parse(Longitude ?? "", NumberStyles.Float, CultureInfo.InvariantCulture));
    }

    private static List<string>? List(string? text) =>
        text is null ? null : [.. text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];

    private void Fill()
    {
        Version = Record.Version;
        Slug = Record.Slug;
        switch (Record.Entity)
        {
            case Programme p:
                (Code, Period, Kind, Funds, Countries) = (p.Code, p.Period, p.Kind, string.Join(", ", p.Funds), string.Join(", ", p.Countries));
                break;
            case Core.Groupings.Grouping g:
                LegalForm = g.LegalForm;
                break;
            case Core.Projects.Project x:
                (ProgrammeId, Themes) = (x.ProgrammeId, [.. x.Themes.Select(t => t.Slug)]);
                break;
            case Core.Organisations.Organisation o:
                (Latitude, Longitude) = (o.Latitude?.ToString(CultureInfo.InvariantCulture), o.Longitude?.ToString(CultureInfo.InvariantCulture));
                break;
            case Source s:
                (Title, Address, SourceDate, Licence) = (s.Title, s.Url, s.SourceDate, s.Licence);
                break;
        }
    }

    private async Task<bool> LoadAsync()
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
        if (type == SubjectType.Project)
        {
            var programmes = await db.Programmes.AsNoTracking().Where(p => p.DeletedAt == null).OrderBy(p => p.Code).ThenBy(p => p.Period).ToListAsync();
            Programmes = [.. programmes.Where(p => p.Id == record.Project!.ProgrammeId || EditorQueries.CanCreate(access, SubjectType.Project, p.Id))
                .Select(p => (p.Id, $"{p.Name.Best(Lang) ?? p.Code} ({p.Period})"))];
            AllThemes = [.. (await db.Themes.AsNoTracking().OrderBy(t => t.Slug).ToListAsync()).Select(t => (t.Slug, t.Label.Best(Lang) ?? t.Slug))];
        }

        return true;
    }
}
