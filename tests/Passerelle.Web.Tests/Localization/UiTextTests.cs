using System.Text.RegularExpressions;

using Passerelle.Core.Common;
using Passerelle.Core.Organisations;
using Passerelle.Core.Programmes;
using Passerelle.Core.Projects;
using Passerelle.Core.Search;
using Passerelle.Core.Territories;
using Passerelle.Web.Localization;
using Passerelle.Web.Portal;

namespace Passerelle.Web.Tests.Localization;

public sealed partial class UiTextTests
{
    private readonly UiText _text = new();

    [Fact]
    public void Keys_EveryLanguage_HasEveryEnglishKeyAndNoOther()
    {
        var english = _text.Keys("en").ToHashSet(StringComparer.Ordinal);
        foreach (var language in UiText.Languages)
        {
            var keys = _text.Keys(language).ToHashSet(StringComparer.Ordinal);
            Assert.Empty(english.Except(keys).Order(StringComparer.Ordinal));
            Assert.Empty(keys.Except(english).Order(StringComparer.Ordinal));
        }
    }

    [Fact]
    public void Keys_UsedByThePortalAndTheBackOffice_AllExistInEnglish()
    {
        // Every literal key a page, partial or page model asks for (T("..."), portal.T("...")): a typo would show the key.
        var root = Path.Combine(RepositoryRoot(), "src", "Passerelle.Web");
        var used = Directory.EnumerateFiles(root, "*.*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".cshtml", StringComparison.Ordinal) || f.EndsWith(".cs", StringComparison.Ordinal))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(f => KeyUse().Matches(File.ReadAllText(f)).Select(m => (File: Path.GetFileName(f), Key: m.Groups["key"].Value)))
            .ToList();
        Assert.NotEmpty(used);
        var english = _text.Keys("en").ToHashSet(StringComparer.Ordinal);
        Assert.Empty(used.Where(u => !english.Contains(u.Key)).Select(u => $"{u.File}: {u.Key}").Distinct());
    }

    [Fact]
    public void Keys_NamesOfTheRegistrysCodes_EveryValueHasOne()
    {
        // The portal shows these by name (PortalPage.Label, CodeName, FacetLabel), never as codes: a value without a
        // text would show its code.
        var keys = new List<string>();
        keys.AddRange(Enum.GetValues<ProgrammeKind>().Select(v => PortalPage.EnumKey(v)));
        keys.AddRange(Enum.GetValues<ParticipationRole>().Select(v => PortalPage.EnumKey(v)));
        keys.AddRange(Enum.GetValues<ProjectStatus>().Select(v => PortalPage.EnumKey(v)));
        keys.AddRange(Enum.GetValues<LegalStatus>().Select(v => PortalPage.EnumKey(v)));
        keys.AddRange(Enum.GetValues<TerritoryKind>().Select(v => PortalPage.EnumKey(v)));
        keys.AddRange(TerritoryQueries.Perimeters.SelectMany(p => new[] { "portal.perimeter." + p.Flag, "portal.perimeter_long." + p.Flag }));
        keys.AddRange(SearchFacets.All.Select(f => "portal.search.facet." + f.Name()));
        keys.AddRange(Enum.GetValues<SearchDocType>().Select(t => "portal.search.type." + SearchFacets.TypeValue(t)));
        keys.AddRange(new decimal?[] { 1, 200_000, 2_000_000, 9_000_000 }.Select(b => "portal.search.budget." + SearchFacets.BudgetBand(b).Replace("-", "", StringComparison.Ordinal)));
        keys.AddRange(new[] { "not_found", "method_not_allowed", "too_many_requests", "server", "other" }.SelectMany(k => new[] { "portal.error." + k, "portal.error." + k + "_text" }));
        keys.AddRange(Language.Codes.Select(l => "portal.language." + l));
        keys.AddRange([MapAttribution.Nuts, MapAttribution.Municipalities, MapView.PreparingKey]);
        var english = _text.Keys("en").ToHashSet(StringComparer.Ordinal);
        var missing = keys.Where(k => !english.Contains(k)).ToList();
        Assert.Empty(missing);
    }

    [Theory]
    [InlineData("fr", "account.sign_in", "Se connecter")]
    [InlineData("nl", "account.sign_in", "Aanmelden")]
    [InlineData("de", "account.sign_in", "Anmelden")]
    public void Get_KnownKey_ReturnsTheLanguagesText(string language, string key, string expected) =>
        Assert.Equal(expected, _text.Get(language, key));

    [Fact]
    public void Get_UnknownLanguage_FallsBackToEnglish() => Assert.Equal("Sign in", _text.Get("xx", "account.sign_in"));

    [GeneratedRegex("""\bT\("(?<key>[a-z_]+\.[a-z0-9_.]+)"[,)]""")]
    private static partial Regex KeyUse();

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Passerelle.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Passerelle.slnx not found above " + AppContext.BaseDirectory);
    }
}
