using System.Globalization;

using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

using Passerelle.Core.Data;
using Passerelle.Core.Data.ChangeFeed;
using Passerelle.Core.Exports;
using Passerelle.Core.History;
using Passerelle.Core.OpenData;
using Passerelle.Core.Registry;
using Passerelle.Core.Sources;

namespace Passerelle.Bench;

/// <summary>
/// The full list of operations (or a keep.eu table) kept in parts (ADR 39), in process over an existing SQLite database: the first write
/// after one project's edit (its programme's part read from the database, the others copied from their files), against
/// the list written from the database in one pass (the path before the parts: the baseline), in the same run. Then the
/// write with nothing changed (every part copied), and the parted file compared with the one-pass file by SHA-256
/// after the last edit. The sink counts bytes, as a response body does; the parts are written to disk.
/// Usage: Passerelle.Bench export-parts &lt;passerelle.db (a copy: each run edits one project)&gt; [--runs 5] [--parts folder]
/// [--export operations|keep-projects|keep-partners|kohesio] [--edit project|programme]. The Kohesio CSV's download is its
/// incomplete operations' count (a header, before the body) and its body: two passes from the database before the parts,
/// the parts brought up to date and summed then copied with them. --edit programme renames a published programme (in
/// English) in place of a project's budget edit: the parts of its projects are read again.
/// </summary>
public static class ExportPartsBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var file = args.FirstOrDefault(a => !a.StartsWith("--", StringComparison.Ordinal));
        if (file is null || !File.Exists(file))
        {
            Console.Error.WriteLine("error: give a SQLite database file (a copy: each run edits one project's budget)");
            return 2;
        }

        var runs = int.Parse(Value(args, "--runs") ?? "5", CultureInfo.InvariantCulture);
        var export = Value(args, "--export") ?? "operations";
        if (export is not ("operations" or "keep-projects" or "keep-partners" or "kohesio"))
        {
            Console.Error.WriteLine("error: --export is operations, keep-projects, keep-partners or kohesio");
            return 2;
        }

        var edit = Value(args, "--edit") ?? "project";
        if (edit is not ("project" or "programme"))
        {
            Console.Error.WriteLine("error: --edit is project or programme");
            return 2;
        }

        var folder = Path.GetFullPath(Value(args, "--parts") ?? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(file))!, "bench-export-parts"));
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }

        // The write path's interceptors: an edit writes its change-feed entries, which the parts read.
        var options = new DbContextOptionsBuilder<SqliteDbContext>().UseSqlite($"Data Source={file};Pooling=True")
            .AddInterceptors(new WritePathGuard(), new ChangeFeedInterceptor()).Options;
        PasserelleDbContext Open() => new SqliteDbContext(options);
        var parts = new ExportParts(Options.Create(new ExportFilesOptions { FullFilesPath = folder }), NullLogger<ExportParts>.Instance);

        List<int> ids;
        await using (var db = Open())
        {
            ids = edit == "project"
                ? await db.Projects.Where(p => p.IsPublished).OrderBy(p => p.Id).Select(p => p.Id).ToListAsync()
                : await db.Programmes.Where(g => g.IsPublished && db.Projects.Any(p => p.IsPublished && p.ProgrammeId == g.Id)).OrderBy(g => g.Id).Select(g => g.Id).ToListAsync();
            Console.WriteLine($"# export-parts {export}, each edit of a {edit}: SQLite {file}, {await db.Projects.CountAsync(p => p.IsPublished):N0} published projects, {await db.Participations.CountAsync():N0} participations; parts in {folder}");
        }

        Console.WriteLine($"# {Environment.ProcessorCount} cores, load average {Machine.LoadAverage()}, .NET {Environment.Version}, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC; medians of {runs} runs; SYNTHETIC data");
        Console.WriteLine($"{"measure",-46} {"median s",9} {"CPU s",7} {"rows/s",11} {"MB/s",8} {"MB/CPU s",9} {"MB out",8} {"peak WS MB",11}");

        var onePass = await ExportScaleBenchmark.MeasureAsync(Open, runs, db => OnePassAsync(db, export, hash: false).ContinueWith(t => (t.Result.Rows, t.Result.Bytes), TaskScheduler.Default));
        ExportScaleBenchmark.Print("one pass from the database (baseline)", onePass);

        var first = await ExportScaleBenchmark.MeasureAsync(Open, 1, db => PartedAsync(db, export, parts));
        ExportScaleBenchmark.Print("parts: first write (every part read)", first);
        Report(parts, export);

        // Projects spread over the list, one edit per run.
        var random = new Random(17);
        var edited = new List<ExportScaleBenchmark.Measure>();
        for (var run = 0; run < runs; run++)
        {
            await EditAsync(Open, edit, ids[random.Next(ids.Count)]);
            edited.Add(await ExportScaleBenchmark.MeasureAsync(Open, 1, db => PartedAsync(db, export, parts)));
            Report(parts, export);
        }

        var afterEdit = edited.OrderBy(m => m.Seconds).ElementAt(runs / 2);
        ExportScaleBenchmark.Print("parts: first write after one edit", afterEdit);
        var unchanged = await ExportScaleBenchmark.MeasureAsync(Open, runs, db => PartedAsync(db, export, parts));
        ExportScaleBenchmark.Print("parts: nothing changed (every part copied)", unchanged);

        string partedHash;
        await using (var db = Open())
        {
            var sink = new CountingStream(hash: true);
            await WriteFullAsync(db, export, parts, sink);
            partedHash = sink.Hash();
        }

        string onePassHash;
        await using (var db = Open())
        {
            onePassHash = (await OnePassAsync(db, export, hash: true)).Hash;
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"# after one edit: {afterEdit.Bytes / afterEdit.Seconds / 1e6:F0} MB/s against {onePass.Bytes / onePass.Seconds / 1e6:F1} MB/s in one pass ({onePass.Seconds / afterEdit.Seconds:F1}× faster, {onePass.CpuSeconds / afterEdit.CpuSeconds:F1}× less CPU); SHA-256 of the parted and one-pass files {(partedHash == onePassHash ? "identical" : "DIFFERENT")} ({partedHash[..16]}…)"));
        return partedHash == onePassHash ? 0 : 1;
    }

    private static async Task<(long Rows, long Bytes, string Hash)> OnePassAsync(PasserelleDbContext db, string export, bool hash)
    {
        var sink = new CountingStream(hash);
        if (export == "kohesio")
        {
            // The download before the parts: the header's count in one pass, then the body in another.
            var kohesio = new KohesioCsv(db);
            await kohesio.CountIncompleteAsync(new KohesioFilter(), CancellationToken.None);
            var rows = await kohesio.WriteAsync(sink, new KohesioFilter(), complete: false, CancellationToken.None);
            return (rows.RowsWritten, sink.Length, hash ? sink.Hash() : "");
        }

        var csv = new CsvExportWriter();
        var result = await (export switch
        {
            "operations" => csv.WriteAsync(sink, OperationsList.Columns, new OperationsList(db).Operations()),
            "keep-projects" => csv.WriteAsync(sink, KeepTables.ProjectColumns, new KeepTables(db).Projects()),
            _ => csv.WriteAsync(sink, KeepTables.PartnerColumns, new KeepTables(db).Partners()),
        });
        return (result.RowsWritten, sink.Length, hash ? sink.Hash() : "");
    }

    private static async Task<(long Rows, long Bytes)> PartedAsync(PasserelleDbContext db, string export, ExportParts parts)
    {
        var sink = new CountingStream(hash: false);
        var result = await WriteFullAsync(db, export, parts, sink);
        return (result.RowsWritten, sink.Length);
    }

    private static async Task<ExportResult> WriteFullAsync(PasserelleDbContext db, string export, ExportParts parts, Stream sink)
    {
        if (export == "kohesio")
        {
            // As the route: opening brings the parts up to date and counts from them, the body copies them.
            await using var full = await new KohesioCsv(db).OpenFullAsync(parts, CancellationToken.None);
            return await full.WriteAsync(sink, CancellationToken.None);
        }

        return await (export switch
        {
            "operations" => new OperationsList(db).WriteFullCsvAsync(parts, sink, CancellationToken.None),
            "keep-projects" => new KeepTables(db).WriteFullProjectsCsvAsync(parts, sink, CancellationToken.None),
            _ => new KeepTables(db).WriteFullPartnersCsvAsync(parts, sink, CancellationToken.None),
        });
    }

    private static void Report(ExportParts parts, string export)
    {
        var last = parts.Last[export];
        Console.WriteLine($"#   {last.Copied} parts copied, {last.Read} read from the database; keys read again: {(last.Stale is null ? "all" : string.Join(", ", last.Stale))}");
    }

    /// <summary>One project's total budget set through the write path, as an editor's change is.</summary>
    private static async Task EditAsync(Func<PasserelleDbContext> open, string edit, int id)
    {
        await using var db = open();
        var writer = new RegistryWriter(db, new RegistryWriterOptions(), TimeProvider.System, NullLogger<RegistryWriter>.Instance);
        await using var session = await writer.BeginAsync(Actor.Command("bench export-parts"));
        var source = await session.SourceAsync(new Source { Key = "bench-export-parts", Title = "SYNTHETIC benchmark edit (bench export-parts)" });
        if (edit == "programme")
        {
            var programme = await db.Programmes.SingleAsync(g => g.Id == id);
            await session.LoadValuesAsync([programme]);
            session.SetValue(programme, Fields.Programme.Name.En, $"SYNTHETIC programme renamed {DateTime.UtcNow.Ticks}", source);
            await session.CommitAsync();
            return;
        }

        var project = await db.Projects.SingleAsync(p => p.Id == id);
        await session.LoadValuesAsync([project]);
        // A value the project has not had (runs on the same copy pick the same projects): an unchanged value writes nothing.
        var value = 1_000_000 + DateTime.UtcNow.Ticks % 1_000_000_000;
        session.SetValue(project, Fields.Project.TotalBudget, value.ToString(CultureInfo.InvariantCulture), source);
        await session.CommitAsync();
    }

    private static string? Value(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
