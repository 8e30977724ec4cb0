using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;

using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

using Passerelle.Core.Common;
using Passerelle.Core.Groupings;
using Passerelle.Core.Organisations;
using Passerelle.Core.Programmes;
using Passerelle.Core.Projects;
using Passerelle.Core.Registry;
using Passerelle.Core.Search;
using Passerelle.Core.Sources;
using Passerelle.Web.Portal;
using Passerelle.Web.Tests.Infrastructure;

namespace Passerelle.Web.Tests.Security;

/// <summary>
/// Script in every text field of a programme, a grouping, a project, an organisation and a source comes back as text
/// on every page and in the API, and a javascript: address never becomes a link. There is no rich text (no field
/// holds HTML, nothing is rendered unencoded but the search snippets, which encode the text around their marks): so
/// nothing needs sanitising on save, and every field is encoded on output.
/// </summary>
public sealed partial class EscapingTests(PasserelleApp app) : IClassFixture<PasserelleApp>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Payloads, longest first; a field gets the longest that fits after its marker.</summary>
    private static readonly string[] Payloads =
    [
        "<script>alert(1)</script>\"><img src=x onerror=alert(1)>'><svg onload=alert(1)>",
        "<script>alert(1)</script>\"><img src=x onerror=alert(1)>",
        "\"><img src=x onerror=alert(1)>",
        "<svg onload=alert(1)>",
        "<i onclick=alert(1)>",
    ];

    private const string JavaScriptUrl = "javascript:alert(document.cookie)";

    private static readonly string Marker = "xsstest";

    /// <summary>A value unique to the field, with a payload: "xsstest-name.fr <script>...".</summary>
    private static string Value(string what, int maxLength = 4000)
    {
        var prefix = $"{Marker}-{what} ";
        return prefix + Payloads.First(p => prefix.Length + p.Length <= maxLength);
    }

    private static IEnumerable<FieldDefinition> TextFields(SubjectType subject) =>
        Fields.All.Where(f => f.Subject == subject && f.Kind == FieldKind.Text);

    private static readonly SemaphoreSlim Once = new(1, 1);
    private static bool _written;

    /// <summary>The records, written once for the class through the one write path (and a few columns directly).</summary>
    private async Task WriteRecordsAsync()
    {
        await Once.WaitAsync(Ct);
        try
        {
            if (_written)
            {
                return;
            }

            await app.WriteAsync(async session =>
            {
                var source = await session.SourceAsync(new Source
                {
                    Key = "xss-source",
                    Title = Value("source-title"),
                    Url = JavaScriptUrl,
                    SourceDate = Value("source-date"),
                    Licence = Value("source-licence"),
                });
                string note = Value("note");

                var programme = session.Create(new Programme
                {
                    Slug = "xss-programme",
                    Code = "XSSP",
                    Period = "2021-2027",
                    Kind = ProgrammeKind.CrossBorder,
                    Funds = [Value("fund")],
                    Countries = ["FR", Value("country")],
                    AreaNote = Value("area-note"),
                    // A column written around the write path: the pages link only what the registry holds as a web
                    // address, and even that only when it is http(s).
                    Website = JavaScriptUrl,
                });
                var grouping = session.Create(new Grouping
                {
                    Slug = "xss-grouping",
                    LegalForm = Value("legal-form-column"),
                    Members = [new GroupingMember { Name = Value("member"), Country = "FR", Level = Value("member-level") }],
                    FieldsOfAction = [Value("field-of-action")],
                    Website = JavaScriptUrl,
                });
                var organisation = session.Create(new Organisation
                {
                    Slug = "xss-organisation",
                    Name = Value("organisation-column"),
                    Aliases = [new OrganisationAlias { Name = Value("alias") }],
                    Website = JavaScriptUrl,
                });
                var project = session.Create(new Project
                {
                    Slug = "xss-project",
                    Acronym = Value("acronym-column", 100),
                    ProgrammeCode = "XSSP",
                    Programme = programme,
                    Website = JavaScriptUrl,
                });
                var participation = session.Create(new Participation
                {
                    Project = project,
                    Organisation = organisation,
                    Role = ParticipationRole.LeadPartner,
                    RoleLabel = Value("role-label", 200),
                    NameInSource = Value("name-in-source"),
                });
                project.Participations.Add(participation);

                foreach (var (record, subject) in new (object, SubjectType)[]
                {
                    (programme, SubjectType.Programme), (grouping, SubjectType.Grouping),
                    (organisation, SubjectType.Organisation), (project, SubjectType.Project),
                })
                {
                    foreach (var field in TextFields(subject))
                    {
                        session.SetValue(record, field, Value(field.Name, field.MaxLength), source, note);
                    }

                    // The write path itself refuses a javascript: address for a web-address field.
                    var website = Fields.All.Single(f => f.Subject == subject && f.Kind == FieldKind.Url);
                    var refused = Assert.Throws<RegistryWriteException>(() => session.SetValue(record, website, JavaScriptUrl, source));
                    Assert.Contains("is not a web address", refused.Message, StringComparison.Ordinal);
                }

                return 0;
            });

            // Pages, API and search see the records once this instance has read the change feed.
            var feedEnd = await app.WithDbAsync(db => db.ChangeFeed.MaxAsync(e => e.Id, Ct));
            var index = app.Services.GetRequiredService<SearchIndex>();
            await ReadinessExtensions.WaitUntilAsync(() => index.Position >= feedEnd, "the search index to read the test records");
            _written = true;
        }
        finally
        {
            Once.Release();
        }
    }

    /// <summary>Every value written, with the language of the page that shows it (null: every language).</summary>
    private static IEnumerable<(string Value, string? Language)> Expected(SubjectType subject) =>
        TextFields(subject).Select(f => (Value(f.Name, f.MaxLength), f.Language));

    private static void AssertNoMarkupFromData(string html, string where)
    {
        // Encoded data may sit inside a quoted attribute value (a footnote's title): outside the quotes, no tag of the
        // page may hold anything of a payload.
        foreach (Match tag in Tags().Matches(html))
        {
            var bare = QuotedValues().Replace(tag.Value, "\"\"");
            Assert.False(bare.Contains("alert(", StringComparison.Ordinal) || EventHandler().IsMatch(bare), $"{where}: markup from the data: {tag.Value}");
        }

        Assert.DoesNotMatch(JavaScriptHref(), html);
        Assert.DoesNotContain(JavaScriptUrl, html, StringComparison.Ordinal);
    }

    public static TheoryData<string, string, SubjectType> DetailPages => new()
    {
        { "/programmes/xss-programme", "en", SubjectType.Programme },
        { "/fr/programmes/xss-programme", "fr", SubjectType.Programme },
        { "/nl/programmes/xss-programme", "nl", SubjectType.Programme },
        { "/de/programmes/xss-programme", "de", SubjectType.Programme },
        { "/groupings/xss-grouping", "en", SubjectType.Grouping },
        { "/fr/groupings/xss-grouping", "fr", SubjectType.Grouping },
        { "/nl/groupings/xss-grouping", "nl", SubjectType.Grouping },
        { "/de/groupings/xss-grouping", "de", SubjectType.Grouping },
        { "/projects/xss-project", "en", SubjectType.Project },
        { "/fr/projects/xss-project", "fr", SubjectType.Project },
        { "/nl/projects/xss-project", "nl", SubjectType.Project },
        { "/de/projects/xss-project", "de", SubjectType.Project },
        { "/organisations/xss-organisation", "en", SubjectType.Organisation },
        { "/de/organisations/xss-organisation", "de", SubjectType.Organisation },
    };

    [Theory]
    [MemberData(nameof(DetailPages))]
    public async Task DetailPage_ScriptInEveryTextField_IsShownAsText(string path, string language, SubjectType subject)
    {
        await WriteRecordsAsync();
        using var client = app.CreateClient();
        using var response = await client.GetAsync(path, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync(Ct);
        AssertNoMarkupFromData(html, path);

        // Shown as text: the visible text (tags removed, entities decoded) has each value whole, which it would not if
        // the payload had been parsed as markup.
        var text = HtmlText.Of(html);
        foreach (var (value, fieldLanguage) in Expected(subject).Where(e => e.Language is null || e.Language == language))
        {
            Assert.Contains(value, text, StringComparison.Ordinal);
        }

        // The source: its title as text, not a link (its address is javascript:), and the note beside it.
        Assert.Contains(Value("source-title"), text, StringComparison.Ordinal);
        Assert.Contains(Value("note"), text, StringComparison.Ordinal);
        Assert.Contains(Value("source-date"), text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DetailPages_ColumnsOutsideTheFieldRegistry_AreShownAsText()
    {
        await WriteRecordsAsync();
        using var client = app.CreateClient();
        var pages = new Dictionary<string, string[]>
        {
            ["/programmes/xss-programme"] = [Value("fund"), Value("country")],
            ["/groupings/xss-grouping"] = [Value("member")],
            ["/projects/xss-project"] = [Value("role-label", 200)],
        };
        foreach (var (path, values) in pages)
        {
            var html = await client.GetStringAsync(path, Ct);
            AssertNoMarkupFromData(html, path);
            var text = HtmlText.Of(html);
            Assert.All(values, v => Assert.Contains(v, text, StringComparison.Ordinal));
        }
    }

    [Theory]
    [InlineData("/programmes")]
    [InlineData("/groupings")]
    [InlineData("/projects")]
    [InlineData("/projects?programme=xss-programme")]
    [InlineData("/organisations")]
    [InlineData("/fr/projects")]
    [InlineData("/eligibility?nuts=FRE11")]
    [InlineData("/")]
    public async Task ListPage_ScriptInTextFields_IsShownAsText(string path)
    {
        await WriteRecordsAsync();
        using var client = app.CreateClient();
        var html = await client.GetStringAsync(path, Ct);
        AssertNoMarkupFromData(html, path);
    }

    [Theory]
    [InlineData("en")]
    [InlineData("fr")]
    public async Task SearchPage_ScriptInTextFields_IsShownAsTextAndHighlighted(string language)
    {
        await WriteRecordsAsync();
        using var client = app.CreateClient();
        var path = (language == "en" ? "" : "/" + language) + "/search?q=" + Marker;
        using var response = await client.GetAsync(path, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync(Ct);
        AssertNoMarkupFromData(html, path);
        var text = HtmlText.Of(html);
        // A project's hit is named by its acronym, a programme's by its name in the page's language.
        Assert.Contains(Value("acronym", 100), text, StringComparison.Ordinal);
        Assert.Contains(Value("name." + language, 300), text, StringComparison.Ordinal);
        // The only markup of a snippet is its marks; the payload around them stays encoded.
        Assert.Contains("<mark>", html, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;", html, StringComparison.Ordinal);
    }

    public static TheoryData<string, SubjectType?> ApiRoutes => new()
    {
        { "/api/v1/programmes/xss-programme", SubjectType.Programme },
        { "/api/v1/groupings/xss-grouping", SubjectType.Grouping },
        { "/api/v1/projects/xss-project", SubjectType.Project },
        { "/api/v1/organisations/xss-organisation", SubjectType.Organisation },
        { "/api/v1/projects?programme=xss-programme", null },
        { "/api/v1/organisations?pageSize=100", null },
        { "/api/v1/groupings", null },
        { "/api/v1/programmes", null },
        { "/api/v1/search?q=" + "xsstest", null },
        { "/api/v1/projects/export.json?programme=xss-programme", null },
    };

    [Theory]
    [MemberData(nameof(ApiRoutes))]
    public async Task Api_ScriptInEveryTextField_RoundTripsAsJsonStrings(string path, SubjectType? subject)
    {
        await WriteRecordsAsync();
        using var client = app.CreateClient();
        using var response = await client.GetAsync(path, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Contains("json", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        Assert.DoesNotContain("html", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.Contains(Marker, body, StringComparison.Ordinal);

        // JSON is data, never a page: a JSON media type, nosniff (no browser reads it as HTML), and each value is
        // exactly what was written, for the client to encode where it displays it.
        var strings = Strings(JsonDocument.Parse(body).RootElement).ToHashSet(StringComparer.Ordinal);
        foreach (var (value, _) in subject is { } s ? Expected(s) : [])
        {
            Assert.Contains(value, strings);
        }
    }

    [Fact]
    public void WebAddress_OnlyHttpAndHttps_BecomeLinks()
    {
        Assert.Equal("https://example.org/a?b=c", FactHtml.WebAddress("https://example.org/a?b=c"));
        Assert.Equal("http://example.org", FactHtml.WebAddress("http://example.org"));
        foreach (var bad in new[] { JavaScriptUrl, "JavaScript:alert(1)", " javascript:alert(1)", "data:text/html,<script>alert(1)</script>",
                     "vbscript:msgbox(1)", "//evil.example/", "/relative", "ftp://example.org", "", null })
        {
            Assert.Null(FactHtml.WebAddress(bad));
        }

        using var writer = new StringWriter();
        FactHtml.Link(JavaScriptUrl, "<b>site</b>").WriteTo(writer, System.Text.Encodings.Web.HtmlEncoder.Default);
        Assert.Equal("&lt;b&gt;site&lt;/b&gt;", writer.ToString());
    }

    private static IEnumerable<string> Strings(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => [element.GetString()!],
        JsonValueKind.Array => element.EnumerateArray().SelectMany(Strings),
        JsonValueKind.Object => element.EnumerateObject().SelectMany(p => Strings(p.Value)),
        _ => [],
    };

    [GeneratedRegex("<[^>]*>")]
    private static partial Regex Tags();

    [GeneratedRegex("\"[^\"]*\"|'[^']*'")]
    private static partial Regex QuotedValues();

    [GeneratedRegex(@"(?i)\son[a-z]+\s*=")]
    private static partial Regex EventHandler();

    [GeneratedRegex(@"(?i)href\s*=\s*[""']?\s*(javascript|data|vbscript):")]
    private static partial Regex JavaScriptHref();
}
