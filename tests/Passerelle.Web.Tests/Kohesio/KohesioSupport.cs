using System.Diagnostics;
using System.Text;
using System.Text.Json;

using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

using Passerelle.Core.Imports;
using Passerelle.Web.Tests.Infrastructure;

namespace Passerelle.Web.Tests.Kohesio;

/// <summary>What a Kohesio file check found: its data rows and each error as (row, column, message).</summary>
internal sealed record KohesioCheck(int Rows, List<(int Row, string Column, string Message)> Errors)
{
    public override string ToString() => $"{Rows} rows; " + string.Join("; ", Errors.Select(e => $"row {e.Row} {e.Column}: {e.Message}"));
}

/// <summary>Everything an import could have written, to show that a refused import wrote nothing.</summary>
internal sealed record RegistryCounts(int Programmes, int Projects, int Organisations, int Participations, int Facts, int Sources, int ChangeSets, int Revisions);

internal static class KohesioSupport
{
    public static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static string RepositoryRoot()
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

    /// <summary>The Kohesio validator's sample (etc/samples/IE_valid_example.csv of ISAITB/validator-resources-kohesio), as published.</summary>
    public static string Sample => Path.Combine(RepositoryRoot(), "tests", "Passerelle.Web.Tests", "Kohesio", "IE_valid_example.csv");

    /// <summary>
    /// Checks a file with the Frictionless "tableschema" npm package against the validator's Table Schema, plus the
    /// validator's extra rules, in a real node process (check-kohesio.js).
    /// </summary>
    public static KohesioCheck Check(string csv)
    {
        var root = RepositoryRoot();
        var start = new ProcessStartInfo("node")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            WorkingDirectory = root,
        };
        start.ArgumentList.Add(Path.Combine(root, "tests", "Passerelle.Web.Tests", "Kohesio", "check-kohesio.js"));
        start.ArgumentList.Add(csv);
        start.ArgumentList.Add(Path.Combine(root, "src", "Passerelle.Core", "Exports", "KohesioSchema.json"));
        using var process = Process.Start(start) ?? throw new InvalidOperationException("node did not start");
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode is 0 or 1, $"the checker failed (exit {process.ExitCode}; run `npm ci` at the repository root): {stderr.Result}");
        using var json = JsonDocument.Parse(stdout);
        var errors = json.RootElement.GetProperty("errors").EnumerateArray()
            .Select(e => (e.GetProperty("row").GetInt32(), e.GetProperty("column").GetString()!, e.GetProperty("message").GetString()!)).ToList();
        return new KohesioCheck(json.RootElement.GetProperty("rows").GetInt32(), errors);
    }

    public static async Task<(HttpResponseMessage Response, string Body)> GetAsync(PasserelleApp app, string path)
    {
        using var client = app.CreateClient();
        var response = await client.GetAsync(path, Ct);
        return (response, await response.Content.ReadAsStringAsync(Ct));
    }

    public static string TempFile(string content, string name = "operations.csv")
    {
        var file = Path.Combine(Directory.CreateTempSubdirectory("passerelle-kohesio-").FullName, name);
        File.WriteAllText(file, content, new UTF8Encoding(false));
        return file;
    }

    /// <summary>The rows of a CSV as Python's csv module reads them, by header.</summary>
    public static List<Dictionary<string, string>> Rows(string csv)
    {
        var file = TempFile(csv);
        var table = Exports.ExportTestSupport.ReadCsvWithPython(file);
        return table.Skip(1).Select(r => table[0].Select((h, i) => (h, i)).ToDictionary(x => x.h, x => r[x.i])).ToList();
    }

    public static async Task<ImportReport> ImportAsync(PasserelleApp app, string path, KohesioImportOptions? options = null)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<KohesioImporter>().ImportAsync(path, options, ct: Ct);
    }

    public static Task<RegistryCounts> CountsAsync(PasserelleApp app) => app.WithDbAsync(async db => new RegistryCounts(
        await db.Programmes.CountAsync(Ct), await db.Projects.CountAsync(Ct), await db.Organisations.CountAsync(Ct), await db.Participations.CountAsync(Ct),
        await db.Facts.CountAsync(Ct), await db.Sources.CountAsync(Ct), await db.ChangeSets.CountAsync(Ct), await db.Revisions.CountAsync(Ct)));
}
