using System.Net;
using System.Text.RegularExpressions;

using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;

using Passerelle.Web.Localization;
using Passerelle.Web.Tests.Infrastructure;

namespace Passerelle.Web.Tests.Portal;

public sealed class SqlitePortalTranslationTests(PasserelleApp app) : PortalTranslationTests<PasserelleApp>(app);

public sealed class PostgresPortalTranslationTests(PostgresApp app) : PortalTranslationTests<PostgresApp>(app);

/// <summary>
/// Every page type of the portal under /fr/, /nl/ and /de/ shows no English interface text: what a reader sees and
/// hears (<see cref="VisibleText"/>: text, aria-labels, titles; elements marked with another language left out, and the
/// registry's data, which is shown as its sources word it) contains no English text of the interface files that the
/// page's language writes otherwise, matched as whole words, and no raw key. Runs once per provider.
/// </summary>
public abstract partial class PortalTranslationTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : PasserelleApp, new()
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string> Languages => ["fr", "nl", "de"];

    private static readonly string[] FixedPages =
    [
        "", "/programmes", "/groupings", "/projects", "/organisations",
        "/search", "/search?q=lille", "/search?q=biodiversity&type=project&sort=budget-desc", "/search?sort=cheapest",
        "/eligibility", "/eligibility?lat=50,6292&lon=3,0573", "/eligibility?nuts=FRE11", "/eligibility?lat=abc&lon=3",
        "/eligibility?lat=95&lon=3", "/eligibility?nuts=ZZ9", "/eligibility?lau=12",
        "/statistics", "/statistics?theme=water", "/search?q=eurometropole", "/search?expand=region",
        "/open-data", "/no/such/page", "/projects/no-such-project",
    ];

    [Theory]
    [MemberData(nameof(Languages))]
    public async Task EveryPageType_InTheLanguage_ShowsNoEnglishInterfaceText(string language)
    {
        var pages = FixedPages.ToList();
        pages.AddRange(await app.WithDbAsync(async db =>
        {
            var slugs = new List<string>();
            slugs.AddRange((await db.Programmes.Where(p => p.IsPublished).Select(p => p.Slug).ToListAsync(Ct)).Select(s => "/programmes/" + s));
            slugs.AddRange((await db.Groupings.Where(g => g.IsPublished).Select(g => g.Slug).ToListAsync(Ct)).Select(s => "/groupings/" + s));
            slugs.AddRange((await db.Projects.Where(p => p.IsPublished).Select(p => p.Slug).ToListAsync(Ct)).Select(s => "/projects/" + s));
            slugs.AddRange((await db.Organisations.Where(o => o.IsPublished).Select(o => o.Slug).ToListAsync(Ct)).Select(s => "/organisations/" + s));
            slugs.AddRange((await db.Programmes.Where(p => p.IsPublished).Select(p => p.Slug).ToListAsync(Ct)).Select(s => $"/programmes/{s}/editions"));
            return slugs;
        }));
        // Editions of one programme, with a change between them, so that the diff page shows its tables.
        pages.Add(await Editions.EditionsSupport.SampleDiffAsync(app));
        var english = EnglishPhrases(language);
        var data = await DataTextsAsync();
        var problems = new List<string>();
        using var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        foreach (var page in pages)
        {
            var path = $"/{language}{page}";
            using var response = await client.GetAsync(path, Ct);
            Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.BadRequest or HttpStatusCode.NotFound, $"{path}: {response.StatusCode}");
            problems.AddRange(Check(path, language, await response.Content.ReadAsStringAsync(Ct), english, data));
        }

        // The error page of a failure (500), answered in the failed address's language.
        await using var failing = FailingPages.Of(app);
        using (var failingClient = failing.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false }))
        {
            var path = $"/{language}/projects?fail=1";
            using var response = await failingClient.GetAsync(path, Ct);
            Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
            problems.AddRange(Check(path, language, await response.Content.ReadAsStringAsync(Ct), english, data));
        }

        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    private static IEnumerable<string> Check(string path, string language, string html, IReadOnlyList<(string Key, string Text, Regex Pattern)> english, IReadOnlyList<string> data)
    {
        Assert.Contains($"<html lang=\"{language}\">", html, StringComparison.Ordinal);
        var text = VisibleText.Of(html, language);
        if (RawKey().Match(text) is { Success: true } key)
        {
            yield return $"{path}: shows the key {key.Value}";
        }

        var found = english.Where(e => e.Pattern.IsMatch(text)).ToList();
        if (found.Count == 0)
        {
            yield break;
        }

        // The registry's data is shown as the sources word it (often in English, its language not recorded): what
        // remains once it is taken out is the interface's.
        foreach (var value in data.Where(d => found.Any(f => d.Contains(f.Text, StringComparison.Ordinal))).OrderByDescending(d => d.Length))
        {
            text = text.Replace(value, " ", StringComparison.Ordinal);
        }

        foreach (var (k, phrase, pattern) in found)
        {
            if (pattern.Match(text) is { Success: true } match)
            {
                var at = Math.Max(0, match.Index - 60);
                yield return $"{path}: English \"{phrase}\" ({k}) in \"…{text[at..Math.Min(text.Length, match.Index + match.Length + 60)]}…\"";
            }
        }
    }

    /// <summary>
    /// The English texts of the portal's keys (and the field labels it uses) that the page's language writes
    /// differently: the parts between their {0} placeholders, each at least one word, none that the page's language
    /// also uses as a text or part of one (German "Partner" is German too).
    /// </summary>
    private static List<(string Key, string Text, Regex Pattern)> EnglishPhrases(string language)
    {
        var en = Texts("en");
        var own = Texts(language);
        var ownParts = own.Values.SelectMany(Parts).ToHashSet(StringComparer.Ordinal);
        // A single word the page's language also writes as a word of its own texts (Dutch "Type partner") is its own.
        var ownWords = own.Values.SelectMany(v => NotWord().Split(HtmlText.Of(v))).ToHashSet(StringComparer.Ordinal);
        return en
            .Where(e => PortalKeyPrefixes.Any(prefix => e.Key.StartsWith(prefix, StringComparison.Ordinal)) && own.GetValueOrDefault(e.Key) != e.Value)
            // A word between placeholders ("The {0} member authorities") is kept only when it says something alone.
            .SelectMany(e => Parts(e.Value).Where(p => !Placeholder().IsMatch(e.Value) || p.Count(char.IsLetter) >= 4).Select(p => (e.Key, Text: p)))
            .Where(p => !ownParts.Contains(p.Text) && !(ownWords.Contains(p.Text) && !NotWord().IsMatch(p.Text)))
            .DistinctBy(p => p.Text)
            // A hyphen joins a compound word: German "Lead-Partners" is not the English "Partners".
            .Select(p => (p.Key, p.Text, new Regex(@"(?<![\p{L}\p{N}-])" + Regex.Escape(p.Text) + @"(?![\p{L}\p{N}-])", RegexOptions.CultureInvariant)))
            .ToList();
    }

    private static IEnumerable<string> Parts(string text) =>
        Placeholder().Split(HtmlText.Of(text))
            .Select(p => p.Trim(' ', ',', '.', ':', ';', '(', ')', '“', '”', '«', '»', '‘', '’', '„', '—', '-', '·'))
            .Where(p => p.Count(char.IsLetter) >= 2);

    private static readonly UiText Interface = new();

    private static Dictionary<string, string> Texts(string language) =>
        Interface.Keys(language).ToDictionary(k => k, k => Interface.Get(language, k), StringComparer.Ordinal);

    /// <summary>Every text of the registry's data a page may show, as <see cref="VisibleText"/> reads it.</summary>
    private async Task<IReadOnlyList<string>> DataTextsAsync() => await app.WithDbAsync(async db =>
    {
        var texts = new List<string?>();
        texts.AddRange(await db.Facts.Select(f => f.Value).ToListAsync(Ct));
        // Notes as the page shows them: the sources they mention by key are links to those sources' entries.
        texts.AddRange((await db.Facts.Select(f => f.Note).ToListAsync(Ct)).OfType<string>().SelectMany(n => SourceKey().Split(n)));
        texts.AddRange(await db.Sources.Select(s => s.Title).ToListAsync(Ct));
        texts.AddRange(await db.Editions.Select(e => e.PublishedBy).ToListAsync(Ct));
        texts.AddRange(await db.Sources.Select(s => s.SourceDate).ToListAsync(Ct));
        texts.AddRange(await db.Programmes.Select(p => p.AreaNote).ToListAsync(Ct));
        texts.AddRange(await db.Organisations.Select(o => o.Name).ToListAsync(Ct));
        texts.AddRange(await db.OrganisationAliases.Select(a => a.Name).ToListAsync(Ct));
        texts.AddRange(await db.GroupingMembers.Select(m => m.Name).ToListAsync(Ct));
        texts.AddRange(await db.Participations.Select(p => p.RoleLabel).ToListAsync(Ct));
        texts.AddRange(await db.Participations.Select(p => p.NameInSource).ToListAsync(Ct));
        texts.AddRange(await db.Projects.Select(p => p.Acronym).ToListAsync(Ct));
        texts.AddRange((await db.Groupings.Select(g => g.FieldsOfAction).ToListAsync(Ct)).SelectMany(f => f));
        texts.AddRange(await db.TerritoryUnits.Select(t => t.Name).ToListAsync(Ct));
        texts.AddRange(await db.TerritoryUnits.Select(t => t.NameLocal).ToListAsync(Ct));
        texts.AddRange(await db.ProgrammeAreaUnits.Select(a => a.Name).ToListAsync(Ct));
        texts.AddRange(await db.ProgrammeAreaUnits.Select(a => a.NutsVersion).ToListAsync(Ct));
        return (IReadOnlyList<string>)texts.OfType<string>().Select(HtmlText.Of).Select(t => t.Trim()).Where(t => t.Length > 0).Distinct().ToList();
    });

    [GeneratedRegex(@"\b[A-Z]{1,4}[0-9]{1,4}\b")]
    private static partial Regex SourceKey();

    /// <summary>The prefixes of the keys the portal's pages show (the back office's are checked by their own tests).</summary>
    private static readonly string[] PortalKeyPrefixes = ["portal.", "field.", "stats.", "map.", "place."];

    [GeneratedRegex(@"[^\p{L}\p{N}]+")]
    private static partial Regex NotWord();

    [GeneratedRegex(@"\{\d+(:[^}]*)?\}")]
    private static partial Regex Placeholder();

    [GeneratedRegex(@"\b(portal|field|common)\.[a-z0-9_]+(\.[a-z0-9_]+)*\b")]
    private static partial Regex RawKey();
}
