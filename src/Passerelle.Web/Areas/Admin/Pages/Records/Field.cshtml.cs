using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

using Passerelle.Core.Accounts;
using Passerelle.Core.Editing;
using Passerelle.Core.Registry;
using Passerelle.Core.Sources;

namespace Passerelle.Web.Areas.Admin.Pages.Records;

/// <summary>
/// One field of one record: its current values with their sources, which one is shown first, and a new value that
/// always comes with its source (the last one used offered first). A conflicting value can be added beside the current
/// one instead of replacing it; the editor then chooses which is shown first.
/// </summary>
[Authorize(Policy = Policies.Edit)]
public sealed class FieldModel(EditorQueries queries, CurrentAccess current, FieldEditing editing) : AdminPage
{
    [BindProperty(SupportsGet = true)]
    public string Type { get; set; } = "";

    [BindProperty(SupportsGet = true)]
    public int Id { get; set; }

    [BindProperty(SupportsGet = true, Name = "field")]
    public string FieldName { get; set; } = "";

    [BindProperty]
    public int Version { get; set; }

    [BindProperty]
    public string? Value { get; set; }

    [BindProperty]
    public ValueAction Mode { get; set; } = ValueAction.Replace;

    [BindProperty]
    public string? Note { get; set; }

    [BindProperty]
    public long? FactId { get; set; }

    [BindProperty]
    public SourceInput Source { get; set; } = new();

    public RecordView Record { get; private set; } = null!;
    public FieldDefinition Field { get; private set; } = null!;
    public IReadOnlyList<EditorFact> Values { get; private set; } = [];
    public SourcePicker Picker { get; private set; } = null!;
    public EditConflictException? Conflict { get; private set; }
    public List<string> Errors { get; } = [];
    public string? ValueError { get; private set; }
    public string Label => FieldLabels.Of(this, Field);
    public int MaxLength => Field.MaxLength;
    public bool Multiline => Field.MaxLength > 300 && Field.Kind == FieldKind.Text;
    public string Kind => Field.Kind.ToString().ToLowerInvariant();

    public async Task<IActionResult> OnGetAsync()
    {
        if (!await LoadAsync(keepVersion: false))
        {
            return NotFound();
        }

        return Page();
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (!await LoadAsync(keepVersion: true))
        {
            return NotFound();
        }

        var choice = Source.ToChoice();
        if (choice is null)
        {
            Picker = Picker with { Error = T("source.required") };
            return Page();
        }

        var edit = Mode == ValueAction.AddBeside
            ? ValueEdit.AddBeside(Field, Value ?? "", choice, Blank(Note))
            : ValueEdit.Replace(Field, Value ?? "", choice, Blank(Note));
        return await SaveAsync(edit);
    }

    public async Task<IActionResult> OnPostMakeFirstAsync() =>
        await LoadAsync(keepVersion: true) ? await SaveAsync(ValueEdit.MakeFirst(Field, FactId ?? 0)) : NotFound();

    public async Task<IActionResult> OnPostRetractAsync() =>
        await LoadAsync(keepVersion: true) ? await SaveAsync(ValueEdit.Retract(Field, FactId ?? 0)) : NotFound();

    private async Task<IActionResult> SaveAsync(ValueEdit edit)
    {
        var access = await current.RequireAsync();
        try
        {
            await editing.SaveAsync(access, Record.Ref, Version, [edit], HttpContext.RequestAborted);
            return LocalRedirect(Link($"/{Type}/{Id}"));
        }
        catch (EditConflictException e)
        {
            // Nothing was written. The editor sees what changed meanwhile and the current values; their input stays in
            // the form, and saving again applies it over the new version, knowingly.
            Conflict = e;
            await LoadAsync(keepVersion: false);
        }
        catch (RuleViolationException e)
        {
            foreach (var v in e.Violations)
            {
                var message = Error("rule." + v.Code, v.Message);
                if (v.Field == Field.Name)
                {
                    ValueError = message;
                }
                else if (v.Field.StartsWith(Field.Name + ".source", StringComparison.Ordinal) || v.Field.StartsWith("source", StringComparison.Ordinal))
                {
                    Picker = Picker with { Error = message };
                }
                else
                {
                    Errors.Add($"{FieldLabels.Of(this, Fields.Find(Record.Type, v.Field) ?? Field)}: {message}");
                }
            }
        }

        return Page();
    }

    private async Task<bool> LoadAsync(bool keepVersion)
    {
        if (RecordTypes.Parse(Type) is not { } type || Fields.Find(type, FieldName) is not { } field)
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
        Field = field;
        Values = record.Values(field.Name);
        if (!keepVersion)
        {
            Version = record.Version;
        }

        Picker = await editing.PickerAsync(this, access, record, Source, HttpContext.RequestAborted);
        return true;
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
