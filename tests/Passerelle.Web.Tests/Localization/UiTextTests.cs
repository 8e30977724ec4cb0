using System.Text.RegularExpressions;

using Passerelle.Web.Localization;

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
    public void Keys_UsedByTheBackOffice_AllExistInEnglish()
    {
        // Every literal key a page or page model asks for (T("..."), Error("...")): a typo would show the key itself.
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
