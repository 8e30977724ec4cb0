using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

using Passerelle.Core.Accounts;
using Passerelle.Core.Data;
using Passerelle.Core.Editing;
using Passerelle.Core.Sources;

namespace Passerelle.Web.Areas.Admin.Pages.Records;

/// <summary>A project's partners: add one or change its role and amounts (each with its source), or remove one.</summary>
[Authorize(Policy = Policies.Edit)]
public sealed class PartnersModel(EditorQueries queries, RecordEditor editor, CurrentAccess current, FieldEditing editing, PasserelleDbContext db) : AdminPage
{
    [BindProperty(SupportsGet = true)] public int Id { get; set; }
    [BindProperty(SupportsGet = true)] public string? Find { get; set; }
    [BindProperty] public int Version { get; set; }
    [BindProperty] public int OrganisationId { get; set; }
    [BindProperty] public string Role { get; set; } = "partner";
    [BindProperty] public string? Budget { get; set; }
    [BindProperty] public string? EuContribution { get; set; }
    [BindProperty] public SourceInput Source { get; set; } = new();

    public RecordView Record { get; private set; } = null!;
    public List<(int Id, string Name)> Candidates { get; private set; } = [];
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

        List<ValueEdit> values = [ValueEdit.Replace("role", Role, choice)];
        if (!string.IsNullOrWhiteSpace(Budget))
        {
            values.Add(ValueEdit.Replace("budget_eur", Budget.Trim(), choice));
        }

        if (!string.IsNullOrWhiteSpace(EuContribution))
        {
            values.Add(ValueEdit.Replace("eu_contribution_eur", EuContribution.Trim(), choice));
        }

        return await SaveAsync(new PartnerEdit(OrganisationId, values));
    }

    public async Task<IActionResult> OnPostRemoveAsync() =>
        await LoadAsync(keepVersion: true) ? await SaveAsync(new PartnerEdit(OrganisationId, Remove: true)) : NotFound();

    private async Task<IActionResult> SaveAsync(PartnerEdit partner)
    {
        var access = await current.RequireAsync();
        try
        {
            await editor.UpdateProjectAsync(access, Id, Version, new ProjectEdit { Partners = [partner] }, HttpContext.RequestAborted);
            return LocalRedirect(Link($"/projects/{Id}/partners"));
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
        var access = await current.RequireAsync();
        var record = await RecordView.LoadEditableAsync(queries, access, SubjectType.Project, Id, Lang, HttpContext.RequestAborted);
        if (record is null)
        {
            return false;
        }

        Record = record;
        if (!keepVersion)
        {
            Version = record.Version;
        }

        // The current partners, then organisations matching the search: never a list of every organisation (2 million projects' partners).
        var partners = record.Project!.Participations.Select(p => (p.OrganisationId, p.Organisation.Name)).ToList();
        var found = string.IsNullOrWhiteSpace(Find) ? [] : await db.Organisations.AsNoTracking()
            .Where(o => o.DeletedAt == null && o.Name.ToLower().Contains(Find.Trim().ToLower()))
            .OrderBy(o => o.Name).Take(50).Select(o => new { o.Id, o.Name }).ToListAsync(HttpContext.RequestAborted);
        Candidates = [.. found.Select(o => (o.Id, o.Name)), .. partners.Where(p => found.All(f => f.Id != p.OrganisationId))];
        Picker = await editing.PickerAsync(this, access, record, Source, HttpContext.RequestAborted);
        return true;
    }
}
