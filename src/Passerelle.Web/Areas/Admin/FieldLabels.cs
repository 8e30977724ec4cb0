using Passerelle.Core.Registry;

namespace Passerelle.Web.Areas.Admin;

/// <summary>A field's label in the page's language ("field.total_budget_eur"), with the language of a multilingual field.</summary>
public static class FieldLabels
{
    public static string Of(AdminPage page, FieldDefinition field)
    {
        var bare = field.Language is null ? field.Name : field.Name[..field.Name.LastIndexOf('.')];
        var key = "field." + bare;
        var text = page.T(key);
        var label = text == key ? field.Label : text;
        return field.Language is null ? label : $"{label} ({field.Language.ToUpperInvariant()})";
    }
}
