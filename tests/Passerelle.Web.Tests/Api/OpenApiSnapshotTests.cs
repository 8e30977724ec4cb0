using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

using Passerelle.Web.Tests.Infrastructure;

namespace Passerelle.Web.Tests.Api;

/// <summary>
/// The OpenAPI document of /api/v1 is the API's contract: it must equal the committed snapshot
/// (<c>tests/Passerelle.Web.Tests/Api/openapi-v1.snapshot.json</c>), so that any change to a route, a parameter or a
/// schema is seen in review and made on purpose (README, "API versioning"). To accept a change, run the test with
/// <c>UPDATE_OPENAPI_SNAPSHOT=1</c>, which rewrites the snapshot, and commit it. The document does not depend on the
/// database: SQLite only.
/// </summary>
public sealed class OpenApiSnapshotTests(PasserelleApp app) : IClassFixture<PasserelleApp>
{
    public const string UpdateVariable = "UPDATE_OPENAPI_SNAPSHOT";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string SnapshotPath => Path.Combine(RepositoryRoot(), "tests", "Passerelle.Web.Tests", "Api", "openapi-v1.snapshot.json");

    [Fact]
    public async Task OpenApiDocument_ComparedWithTheCommittedSnapshot_IsTheSame()
    {
        using var client = app.CreateClient();
        var actual = Normalise(await client.GetStringAsync("/openapi/v1.json", Ct));

        if (Environment.GetEnvironmentVariable(UpdateVariable) == "1")
        {
            await File.WriteAllTextAsync(SnapshotPath, actual, new UTF8Encoding(false), Ct);
            return;
        }

        Assert.True(File.Exists(SnapshotPath),
            $"There is no snapshot of the OpenAPI document at {SnapshotPath}. Run this test once with {UpdateVariable}=1 to write it, and commit it.");
        var expected = (await File.ReadAllTextAsync(SnapshotPath, Ct)).ReplaceLineEndings("\n");
        if (expected != actual)
        {
            Assert.Fail($"The OpenAPI document of /api/v1 differs from the committed snapshot ({SnapshotPath}):\n{FirstDifference(expected, actual)}\n" +
                        "If the change is deliberate (and additive, as the README's versioning policy asks within v1), update the snapshot with " +
                        $"`{UpdateVariable}=1 ./scripts/test.sh --filter-class \"*OpenApiSnapshotTests\"` and commit it with the change. " +
                        "A breaking change (a route, parameter, property or answer removed or changed) belongs in a new version, /api/v2.");
        }
    }

    /// <summary>
    /// The document with what varies between runs taken out (the server's address, which the test host makes up) and
    /// written the same way every time: indented, LF line ends, non-ASCII kept readable.
    /// </summary>
    private static string Normalise(string json)
    {
        var document = JsonNode.Parse(json)!.AsObject();
        document.Remove("servers");
        return document.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping })
            .ReplaceLineEndings("\n") + "\n";
    }

    private static string FirstDifference(string expected, string actual)
    {
        var a = expected.Split('\n');
        var b = actual.Split('\n');
        for (var i = 0; i < Math.Max(a.Length, b.Length); i++)
        {
            var left = i < a.Length ? a[i] : "(end of the snapshot)";
            var right = i < b.Length ? b[i] : "(end of the document)";
            if (left != right)
            {
                return $"first difference at line {i + 1}:\n  snapshot: {left.Trim()}\n  now:      {right.Trim()}";
            }
        }

        return "(they differ only in line ends)";
    }

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
