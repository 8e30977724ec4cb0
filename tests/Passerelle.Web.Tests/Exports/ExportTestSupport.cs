using System.Diagnostics;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Xml.Linq;

using Microsoft.EntityFrameworkCore;

using Passerelle.Web.Tests.Infrastructure;

namespace Passerelle.Web.Tests.Exports;

/// <summary>
/// The default data plus coordinates for two organisations, so that GeoJSON has features. The coordinates are test
/// values set here only (the default data has no organisation coordinates yet).
/// </summary>
public sealed class LocatedApp : PasserelleApp
{
    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        await WithDbAsync(async db =>
        {
            await db.Organisations.Where(o => o.Slug == "lille-metropole").ExecuteUpdateAsync(s => s.SetProperty(o => o.Latitude, 50.6365).SetProperty(o => o.Longitude, 3.0635));
            await db.Organisations.Where(o => o.Slug == "sdis-59").ExecuteUpdateAsync(s => s.SetProperty(o => o.Latitude, 50.63).SetProperty(o => o.Longitude, 3.06));
            return 0;
        });
    }
}

internal static class ExportTestSupport
{
    public static string TempFile(string extension) =>
        Path.Combine(Path.GetTempPath(), "passerelle-export-" + Guid.NewGuid().ToString("N") + extension);

    /// <summary>Runs a program; returns its standard output, fails the test when it exits non-zero.</summary>
    public static string Run(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["PYTHONIOENCODING"] = "utf-8";
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start");
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{program} exited with {process.ExitCode}: {stderr.Result}");
        return stdout;
    }

    /// <summary>The rows of a CSV file as Python's csv module reads it (header row first).</summary>
    public static List<List<string>> ReadCsvWithPython(string path)
    {
        const string script = "import csv, json, sys\nwith open(sys.argv[1], newline='', encoding='utf-8-sig') as f:\n    print(json.dumps(list(csv.reader(f, strict=True))))\n";
        var json = Run("python3", "-c", script, path);
        return JsonSerializer.Deserialize<List<List<string>>>(json)!;
    }

    /// <summary>The rows of the first sheet of an XLSX file, read from the sheet XML (inline strings and numbers).</summary>
    public static List<List<string>> ReadXlsxSheet(byte[] xlsx)
    {
        using var archive = new ZipArchive(new MemoryStream(xlsx), ZipArchiveMode.Read);
        var entry = archive.GetEntry("xl/worksheets/sheet1.xml") ?? throw new InvalidOperationException("no sheet1.xml");
        using var stream = entry.Open();
        XNamespace ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
        var rows = new List<List<string>>();
        foreach (var row in XDocument.Load(stream).Descendants(ns + "row"))
        {
            var cells = new List<string>();
            foreach (var c in row.Elements(ns + "c"))
            {
                var column = ColumnIndex((string)c.Attribute("r")!);
                while (cells.Count < column)
                {
                    cells.Add("");
                }

                cells.Add((string?)c.Attribute("t") == "inlineStr"
                    ? string.Concat(c.Descendants(ns + "t").Select(t => t.Value))
                    : (string?)c.Element(ns + "v") ?? "");
            }

            rows.Add(cells);
        }

        return rows;
    }

    private static int ColumnIndex(string reference)
    {
        var index = 0;
        foreach (var ch in reference.TakeWhile(char.IsAsciiLetter))
        {
            index = (index * 26) + (ch - 'A' + 1);
        }

        return index - 1;
    }
}
