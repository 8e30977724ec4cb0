using System.Globalization;

using Passerelle.Core.Common;

namespace Passerelle.Core.OpenData.Catalog;

/// <summary>
/// The catalogue as RDF after DCAT-AP 3.0.1: a dcat:Catalog of dcat:Datasets, each with its dcat:Distributions, the
/// API as a dcat:DataService, and every node a property points to typed with the class DCAT-AP's range shapes ask for
/// (the EU vocabularies' concepts too: no validator or harvester has to fetch them to check the catalogue; ADR 27).
/// </summary>
public static class CatalogGraph
{
    private const string Authority = "http://publications.europa.eu/resource/authority/";
    private const string DataThemeScheme = Authority + "data-theme";
    private const string MediaTypes = "http://www.iana.org/assignments/media-types/";
    private const string Nuts = "http://data.europa.eu/nuts/code/";

    /// <summary>Regulation (EU) 2021/1060 (CPR), whose Art. 49(3) lists the fields of a list of operations: its ELI.</summary>
    public const string CommonProvisionsRegulation = "http://data.europa.eu/eli/reg/2021/1060/oj";

    /// <summary>Regulation (EU) No 1303/2013, whose Art. 115(2) required the lists of operations of 2014-2020: its ELI.</summary>
    public const string CommonProvisionsRegulation2013 = "http://data.europa.eu/eli/reg/2013/1303/oj";

    /// <summary>The themes used, with their labels in the EU data-theme authority table.</summary>
    private static readonly Dictionary<string, LocalizedText> Themes = new(StringComparer.Ordinal)
    {
        ["REGI"] = new LocalizedText { En = "Regions and cities", Fr = "Régions et villes", Nl = "Regio's en steden", De = "Regionen und Städte" },
        ["GOVE"] = new LocalizedText
        {
            En = "Government and public sector",
            Fr = "Gouvernement et secteur public",
            Nl = "Overheid en publieke sector",
            De = "Regierung und öffentlicher Sektor",
        },
    };

    /// <summary>The portal's languages in the EU language authority table (ISO 639-2/B codes).</summary>
    private static readonly Dictionary<string, string> Languages = new(StringComparer.Ordinal)
    {
        ["en"] = "ENG",
        ["fr"] = "FRA",
        ["nl"] = "NLD",
        ["de"] = "DEU",
    };

    private static readonly Iri Type = Vocab.Type;

    private static Iri Dcat(string local) => Vocab.Of(Vocab.Dcat, local);

    private static Iri Dct(string local) => Vocab.Of(Vocab.Dct, local);

    private static Iri Foaf(string local) => Vocab.Of(Vocab.Foaf, local);

    private static Iri Vcard(string local) => Vocab.Of(Vocab.Vcard, local);

    private static Iri Skos(string local) => Vocab.Of(Vocab.Skos, local);

    /// <summary>
    /// The catalogue's graph. <paramref name="publicUrl"/> is the site's public address (<c>PublicUrl</c>); without it
    /// every IRI of the site is relative to the catalogue's own address.
    /// </summary>
    public static RdfGraph Build(DataCatalog catalog, CatalogOptions options, string? publicUrl, ICatalogTexts texts)
    {
        var root = publicUrl?.TrimEnd('/') ?? "";
        var g = new RdfGraph();
        Iri Site(string path) => new(root + path);
        Iri Node(string fragment) => new(root + "/catalog#" + fragment);
        void Texts(Iri subject, Iri predicate, CatalogText text)
        {
            foreach (var language in Language.Codes)
            {
                g.Add(subject, predicate, new Literal(text.In(language, texts), language));
            }
        }

        var self = Site("/catalog");
        var publisher = Node("publisher");
        var contact = Node("contact");
        var api = Node("api");
        var registryLicence = new Iri(options.LicenceIri);

        g.Add(self, Type, Dcat("Catalog"));
        Texts(self, Dct("title"), new CatalogText("catalog.title"));
        Texts(self, Dct("description"), new CatalogText("catalog.description"));
        g.Add(self, Dct("publisher"), publisher);
        g.Add(self, Foaf("homepage"), Document(g, Site("/")));
        foreach (var code in Languages.Values)
        {
            var language = new Iri(Authority + "language/" + code);
            g.Add(self, Dct("language"), language);
            g.Add(language, Type, Dct("LinguisticSystem"));
        }

        g.Add(self, Dct("license"), registryLicence);
        Dates(g, self, catalog.Issued, catalog.Modified);
        g.Add(self, Dcat("themeTaxonomy"), new Iri(DataThemeScheme));
        g.Add(self, Dcat("service"), api);
        foreach (var dataset in catalog.Datasets)
        {
            g.Add(self, Dcat("dataset"), Node(dataset.Id));
        }

        g.Add(new Iri(DataThemeScheme), Type, Skos("ConceptScheme"));
        g.Add(new Iri(DataThemeScheme), Dct("title"), new Literal("Data theme", "en"));

        g.Add(publisher, Type, Foaf("Agent"));
        g.Add(publisher, Foaf("name"), new Literal(options.PublisherName));
        g.Add(publisher, Foaf("homepage"), Document(g, Site("/")));

        g.Add(contact, Type, Vcard("Organization"));
        g.Add(contact, Type, Vcard("Kind"));
        g.Add(contact, Vcard("fn"), new Literal(options.PublisherName));
        g.Add(contact, Vcard("hasURL"), Site("/open-data"));
        if (options.ContactEmail is { Length: > 0 } email)
        {
            g.Add(contact, Vcard("hasEmail"), new Iri("mailto:" + email));
        }

        g.Add(registryLicence, Type, Dct("LicenseDocument"));

        g.Add(api, Type, Dcat("DataService"));
        Texts(api, Dct("title"), new CatalogText("catalog.api.title"));
        Texts(api, Dct("description"), new CatalogText("catalog.api.description"));
        g.Add(api, Dcat("endpointURL"), Site("/api/v1/"));
        g.Add(api, Dcat("endpointDescription"), Site("/openapi/v1.json"));
        g.Add(api, Dcat("landingPage"), Document(g, Site("/api/docs/")));
        g.Add(api, Dct("publisher"), publisher);
        g.Add(api, Dcat("contactPoint"), contact);
        g.Add(api, Dct("license"), registryLicence);
        foreach (var dataset in catalog.Datasets)
        {
            g.Add(api, Dcat("servesDataset"), Node(dataset.Id));
        }

        var boundariesTerms = Site("/open-data#boundaries");
        var attribution = Site("/open-data#attribution");
        if (catalog.Datasets.Any(d => d.Terms == DatasetTerms.Boundaries))
        {
            g.Add(boundariesTerms, Type, Dct("LicenseDocument"));
            Texts(boundariesTerms, Vocab.Of(Vocab.Rdfs, "label"), new CatalogText("catalog.boundaries.terms"));
            g.Add(attribution, Type, Dct("RightsStatement"));
            Texts(attribution, Vocab.Of(Vocab.Rdfs, "label"), new CatalogText("catalog.boundaries.attribution"));
        }

        foreach (var dataset in catalog.Datasets)
        {
            var node = Node(dataset.Id);
            g.Add(node, Type, Dcat("Dataset"));
            Texts(node, Dct("title"), dataset.Title);
            Texts(node, Dct("description"), dataset.Description);
            if (publicUrl is not null)
            {
                // A literal is not resolved against the document's address: only a whole IRI identifies the dataset.
                g.Add(node, Dct("identifier"), new Literal(node.Value));
            }

            g.Add(node, Dct("publisher"), publisher);
            g.Add(node, Dcat("contactPoint"), contact);
            g.Add(node, Dcat("landingPage"), Document(g, Site(dataset.LandingPage)));
            foreach (var code in dataset.Themes)
            {
                var theme = new Iri(Authority + "data-theme/" + code);
                g.Add(node, Dcat("theme"), theme);
                g.Add(theme, Type, Skos("Concept"));
                g.Add(theme, Skos("inScheme"), new Iri(DataThemeScheme));
                foreach (var (language, label) in Themes[code].All())
                {
                    g.Add(theme, Skos("prefLabel"), new Literal(label, language));
                }
            }

            foreach (var country in dataset.Countries)
            {
                if (CountryIri(country) is { } place)
                {
                    g.Add(node, Dct("spatial"), place);
                    g.Add(place, Type, Dct("Location"));
                }
            }

            foreach (var code in dataset.NutsCodes)
            {
                var place = new Iri(Nuts + code);
                g.Add(node, Dct("spatial"), place);
                g.Add(place, Type, Dct("Location"));
            }

            if (dataset.TemporalStart is not null || dataset.TemporalEnd is not null)
            {
                var period = Node(dataset.Id + "-period");
                g.Add(node, Dct("temporal"), period);
                g.Add(period, Type, Dct("PeriodOfTime"));
                if (dataset.TemporalStart is { } start)
                {
                    g.Add(period, Dcat("startDate"), PartialDateLiteral(start));
                }

                if (dataset.TemporalEnd is { } end)
                {
                    g.Add(period, Dcat("endDate"), PartialDateLiteral(end));
                }
            }

            Dates(g, node, dataset.Issued, dataset.Modified);
            foreach (var eli in dataset.Legislation)
            {
                var regulation = new Iri(eli);
                g.Add(node, Vocab.Of(Vocab.DcatAp, "applicableLegislation"), regulation);
                g.Add(regulation, Type, Vocab.Of(Vocab.Eli, "LegalResource"));
            }

            foreach (var distribution in dataset.Distributions)
            {
                var file = Node(distribution.Id);
                g.Add(node, Dcat("distribution"), file);
                g.Add(file, Type, Dcat("Distribution"));
                Texts(file, Dct("title"), distribution.Title);
                g.Add(file, Dcat("accessURL"), Site(distribution.Path));
                if (distribution.IsDownload)
                {
                    g.Add(file, Dcat("downloadURL"), Site(distribution.Path));
                }
                else
                {
                    g.Add(file, Dcat("accessService"), api);
                }

                var mediaType = new Iri(MediaTypes + distribution.Format.MediaType());
                g.Add(file, Dcat("mediaType"), mediaType);
                g.Add(mediaType, Type, Dct("MediaType"));
                var fileType = new Iri(Authority + "file-type/" + distribution.Format.FileType());
                g.Add(file, Dct("format"), fileType);
                g.Add(fileType, Type, Dct("MediaTypeOrExtent"));
                if (dataset.Terms == DatasetTerms.Boundaries)
                {
                    g.Add(file, Dct("license"), boundariesTerms);
                    g.Add(file, Dct("rights"), attribution);
                }
                else
                {
                    g.Add(file, Dct("license"), registryLicence);
                }

                foreach (var eli in dataset.Legislation)
                {
                    g.Add(file, Vocab.Of(Vocab.DcatAp, "applicableLegislation"), new Iri(eli));
                }
            }
        }

        return g;
    }

    private static Iri Document(RdfGraph g, Iri page)
    {
        g.Add(page, Type, Foaf("Document"));
        return page;
    }

    private static void Dates(RdfGraph g, Iri subject, DateTime? issued, DateTime? modified)
    {
        if (issued is { } first)
        {
            g.Add(subject, Dct("issued"), DateTimeLiteral(first));
        }

        if (modified is { } last)
        {
            g.Add(subject, Dct("modified"), DateTimeLiteral(last));
        }
    }

    /// <summary>The registry stores UTC (SQLite hands it back unmarked).</summary>
    private static Literal DateTimeLiteral(DateTime at) =>
        new(DateTime.SpecifyKind(at, DateTimeKind.Utc).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture), Datatype: Vocab.Xsd + "dateTime");

    /// <summary>A partial date with the precision its source gives: xsd:gYear, xsd:gYearMonth or xsd:date.</summary>
    public static Literal PartialDateLiteral(string date) => new(date, Datatype: Vocab.Xsd + date.Length switch
    {
        4 => "gYear",
        7 => "gYearMonth",
        _ => "date",
    });

    /// <summary>
    /// The country in the EU country authority table, which is keyed by ISO 3166-1 alpha-3; the registry's codes are
    /// Eurostat's alpha-2 (EL, UK). Null for a code without an alpha-3 (XK, pending an ISO code).
    /// </summary>
    public static Iri? CountryIri(string code)
    {
        var iso = code switch
        {
            "XK" => null,
            "EL" => "GR",
            "UK" => "GB",
            _ => code,
        };
        if (iso is null)
        {
            return null;
        }

        try
        {
            var alpha3 = new RegionInfo(iso).ThreeLetterISORegionName;
            return alpha3.Length == 3 && alpha3.All(char.IsAsciiLetterUpper) ? new Iri(Authority + "country/" + alpha3) : null;
        }
        catch (ArgumentException)
        {
            return null;
        }
    }
}
