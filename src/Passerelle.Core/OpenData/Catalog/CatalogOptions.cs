namespace Passerelle.Core.OpenData.Catalog;

/// <summary>
/// Settings under <c>OpenData:</c>: who publishes this installation's catalogue and under which licence. An
/// installation is its own publisher; these are its statements about itself, not facts about the registry's records.
/// </summary>
public sealed class CatalogOptions
{
    public const string Section = "OpenData";

    /// <summary>The publisher's name (foaf:name); by default the platform's.</summary>
    public string PublisherName { get; set; } = "Passerelle";

    /// <summary>An e-mail address for questions about the data (vcard:hasEmail); none by default: the contact is the open-data page.</summary>
    public string? ContactEmail { get; set; }

    /// <summary>
    /// The licence of the registry's compilation: a code of the EU licence authority table
    /// (http://publications.europa.eu/resource/authority/licence/), or an absolute address of a licence document.
    /// CC BY 4.0 by default, the licence the European Commission reuses its own documents under.
    /// </summary>
    public string Licence { get; set; } = "CC_BY_4_0";

    /// <summary>The licence as an IRI: an authority-table code expanded, an address kept.</summary>
    public string LicenceIri => Licence.Contains(':', StringComparison.Ordinal)
        ? Licence
        : "http://publications.europa.eu/resource/authority/licence/" + Licence;
}
