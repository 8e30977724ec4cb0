using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

using Passerelle.Core.Data;
using Passerelle.Core.Editing;
using Passerelle.Core.Programmes;
using Passerelle.Core.Registry;
using Passerelle.Core.Sources;

namespace Passerelle.Web.Areas.Admin.Pages.Records;

/// <summary>Creates a record as a draft, with what it cannot exist without and the source of its name.</summary>
[Authorize(Policy = Policies.Edit)]
public sealed class CreateModel(RecordEditor editor, EditorQueries queries, CurrentAccess current, PasserelleDbContext db) : AdminPage
{
    [BindProperty(SupportsGet = true)]
    public string Type { get; set; } = "";

    [BindProperty] public string? Code { get; set; }
    [BindProperty] public string? Period { get; set; }
    [BindProperty] public ProgrammeKind Kind { get; set; } = ProgrammeKind.CrossBorder;
    [BindProperty] public string? LegalForm { get; set; }
    [BindProperty] public int? ProgrammeId { get; set; }
    [BindProperty] public string? Acronym { get; set; }
    [BindProperty] public string? Country { get; set; }
    [BindProperty] public string? Name { get; set; }
    [BindProperty] public string Language { get; set; } = "en";
    [BindProperty] public string? Title { get; set; }
    [BindProperty(Name = "Url")] public string? Address { get; set; }
    [BindProperty] public string? SourceDate { get; set; }
    [BindProperty] public string? Licence { get; set; }
    [BindProperty] public SourceInput Source { get; set; } = new();

    public List<(int Id, string Label)> Programmes { get; private set; } = [];
    public SourcePicker Picker { get; private set; } = null!;
    public List<string> Errors { get; } = [];

    public async Task<IActionResult> OnGetAsync()
    {
        Language = Lang;
        return await PrepareAsync() ? Page() : NotFound();
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (!await PrepareAsync())
        {
            return NotFound();
        }

        var access = await current.RequireAsync();
        var choice = Source.ToChoice();
        if (Type != "sources" && choice is null)
        {
            Picker = Picker with { Error = T("source.required") };
            return Page();
        }

        var language = Passerelle.Web.Localization.UiText.Languages.Contains(Language) ? Language : "en";
        var ct = HttpContext.RequestAborted;
        try
        {
            var result = Type switch
            {
                "programmes" => await editor.CreateProgrammeAsync(access, new ProgrammeEdit
                {
                    Code = Code,
                    Period = Period,
                    Kind = Kind,
                    Values = [ValueEdit.Replace("name." + language, Name ?? "", choice!)],
                }, ct),
                "groupings" => await editor.CreateGroupingAsync(access, new GroupingEdit
                {
                    LegalForm = LegalForm,
                    Values = [ValueEdit.Replace("name." + language, Name ?? "", choice!)],
                }, ct),
                "projects" => await editor.CreateProjectAsync(access, new ProjectEdit
                {
                    ProgrammeId = ProgrammeId,
                    Values = [ValueEdit.Replace("acronym", Acronym ?? "", choice!), .. Blank(Name) is { } title ? [ValueEdit.Replace("title." + language, title, choice!)] : Array.Empty<ValueEdit>()],
                }, ct),
                "organisations" => await editor.CreateOrganisationAsync(access, new OrganisationEdit
                {
                    Values = [ValueEdit.Replace("name", Name ?? "", choice!), .. Blank(Country) is { } country ? [ValueEdit.Replace("country", country.ToUpperInvariant(), choice!)] : Array.Empty<ValueEdit>()],
                }, ct),
                _ => await editor.CreateSourceAsync(access, new SourceEdit { Title = Title, Url = Blank(Address), SourceDate = Blank(SourceDate), Licence = Blank(Licence) }, ct),
            };
            return LocalRedirect(Link($"/{Type}/{result.Record.Id}"));
        }
        catch (RuleViolationException e)
        {
            var subject = RecordTypes.Parse(Type)!.Value;
            Errors.AddRange(e.Violations.Select(v =>
                $"{(Fields.Find(subject, v.Field) is { } f ? FieldLabels.Of(this, f) : v.Field)}: {Error("rule." + v.Code, v.Message)}"));
            return Page();
        }
    }

    private async Task<bool> PrepareAsync()
    {
        if (RecordTypes.Parse(Type) is not { } type)
        {
            return false;
        }

        var access = await current.RequireAsync();
        if (type == SubjectType.Project)
        {
            // Editors create projects in the programmes of their scope: those are the choices.
            var programmes = await db.Programmes.AsNoTracking().Where(p => p.DeletedAt == null).OrderBy(p => p.Code).ThenBy(p => p.Period).ToListAsync();
            Programmes = [.. programmes.Where(p => EditorQueries.CanCreate(access, SubjectType.Project, p.Id))
                .Select(p => (p.Id, $"{p.Name.Best(Lang) ?? p.Code} ({p.Period})"))];
        }

        if (type == SubjectType.Project ? Programmes.Count == 0 : !EditorQueries.CanCreate(access, type))
        {
            throw new Core.Accounts.AccessDeniedException($"{access.Name} may not create a {type}.");
        }

        Picker = new SourcePicker(this, Source, await queries.RecentSourcesAsync(access, 10, HttpContext.RequestAborted), [], null);
        return true;
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
