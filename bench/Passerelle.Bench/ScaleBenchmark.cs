using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;

using Passerelle.Core.DefaultData;
using Passerelle.Core.OpenData;
using Passerelle.Core.Registry;

namespace Passerelle.Bench;

/// <summary>
/// `scale [projects=100000]`: issue 17's benchmark, end to end and over HTTP. The SYNTHETIC data set of
/// ../shared/bench/gen.py goes through the product's real import path (`import kohesio`, partners included) into a
/// real database (SQLite, or PostgreSQL with --postgres); the real web host starts on it and builds its index from the
/// database; then the 240 searches of ../shared/bench/queries.json run over HTTP with 1 and 16 clients, warm (query
/// cache on) and cold (Search:CacheQueries=false), with the server's CPU and memory read from /proc, each host measured
/// once its start-up work has ended (<see cref="ScaleHost.WaitUntilQuietAsync"/>). The baseline, in
/// the same run, is PostgreSQL full-text search on the same data and queries (../shared/bench/load.sh and bench.py).
/// Nothing generated here is ever part of the default data.
/// </summary>
public static class ScaleBenchmark
{
    private const string Usage =
        "scale [projects=100000] [--postgres] [--skip-pg] [--searches 960] [--repeat 2] [--work DIR] [--host DIR] [--reuse-import] [--searches-only] [--routes-only route...] [--record] [--smoke]";

    public static async Task<int> RunAsync(string[] args)
    {
        ScaleOptions? options;
        try
        {
            options = ScaleOptions.Parse(args);
        }
        catch (ScaleException e)
        {
            // Where to run it from (the repository): one error line, as for every other wrong start.
            Console.Error.WriteLine("error: " + e.Message);
            return 2;
        }

        if (options is null)
        {
            Console.Error.WriteLine("usage: " + Usage);
            return 2;
        }

        if (!File.Exists(Path.Combine(options.SharedBench, "gen.py")))
        {
            Console.Error.WriteLine($"error: the shared benchmark's gen.py was not found in {options.SharedBench}: set PASSERELLE_SHARED_BENCH to the folder holding gen.py and queries.json (or PASSERELLE_SHARED_DATA to its sibling data folder)");
            return 2;
        }

        try
        {
            var report = await new ScaleRun(options).RunAsync();
            Console.WriteLine();
            Console.WriteLine(report);
            if (options.Record)
            {
                var file = Path.Combine(options.RepositoryRoot, "docs", "benchmarks.md");
                await File.AppendAllTextAsync(file, "\n" + report);
                Console.WriteLine($"appended to {file}");
            }

            return 0;
        }
        catch (ScaleException e)
        {
            Console.Error.WriteLine("error: " + e.Message);
            return 1;
        }
        catch (Exception e) when (e is HttpRequestException or IOException or JsonException or FormatException)
        {
            Console.Error.WriteLine($"error: {e.GetType().Name}: {e.Message}");
            return 1;
        }
    }
}

internal sealed class ScaleException(string message) : Exception(message);

internal sealed record ScaleOptions(
    int Projects, bool Postgres, bool SkipPostgresFts, int Searches, int Repeat, string Work, bool Record, bool Smoke,
    bool ReuseImport, string RepositoryRoot, string SharedBench, int ProductPgPort, int FtsPgPort, string? HostDir = null,
    bool SearchesOnly = false, IReadOnlyList<string>? RoutesOnly = null)
{
    public static ScaleOptions? Parse(string[] args)
    {
        var projects = 100_000;
        bool postgres = false, skipPg = false, record = false, smoke = false, reuseImport = false, searchesOnly = false;
        int searches = 960, repeat = 2;
        string? work = null, host = null;
        List<string>? routes = null;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--postgres": postgres = true; break;
                case "--skip-pg": skipPg = true; break;
                case "--record": record = true; break;
                case "--smoke": smoke = true; break;
                case "--reuse-import": reuseImport = true; break;
                case "--searches-only": searchesOnly = true; break;
                case "--routes-only": routes = []; break;
                case "--searches" when i + 1 < args.Length: searches = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--repeat" when i + 1 < args.Length: repeat = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--work" when i + 1 < args.Length: work = args[++i]; break;
                case "--host" when i + 1 < args.Length: host = Path.GetFullPath(args[++i]); break;
                case var route when routes is not null && route.StartsWith('/'): routes.Add(route); break;
                default:
                    if (!int.TryParse(args[i], NumberStyles.None, CultureInfo.InvariantCulture, out projects) || projects < 1)
                    {
                        return null;
                    }

                    break;
            }
        }

        if (routes is { Count: 0 })
        {
            return null;
        }

        var root = FindRepositoryRoot();
        var shared = FindSharedBench(root);
        if (smoke)
        {
            // CI's check that the whole path works: one pass of every query, a short concurrent phase.
            (searches, repeat) = (240, 1);
        }

        return new ScaleOptions(
            projects, postgres, skipPg, searches, repeat, work ?? Path.Combine(Path.GetTempPath(), "passerelle-scale", projects.ToString(CultureInfo.InvariantCulture)),
            record, smoke, reuseImport, root, shared,
            int.Parse(Environment.GetEnvironmentVariable("SCALE_PG_PORT") ?? "55434", CultureInfo.InvariantCulture),
            int.Parse(Environment.GetEnvironmentVariable("PGB_PORT") ?? "55433", CultureInfo.InvariantCulture), host, searchesOnly, routes);
    }

    /// <summary>
    /// The shared benchmark folder (gen.py, queries.json, load.sh, bench.py): the one PASSERELLE_SHARED_BENCH names, else
    /// "bench" beside the shared data folder the product finds (<see cref="DataPaths.FindSharedData"/>: the one
    /// PASSERELLE_SHARED_DATA names, or shared/data above the working folder or the binaries), so a clone whose tests
    /// find the data finds the benchmark too; else ../shared/bench beside the repository (then named in the error).
    /// </summary>
    internal static string FindSharedBench(string root) => NamedSharedBench() ?? Path.GetFullPath(Path.Combine(root, "..", "shared", "bench"));

    /// <summary><see cref="FindSharedBench"/>'s first two places, or null.</summary>
    internal static string? NamedSharedBench()
    {
        if (Environment.GetEnvironmentVariable("PASSERELLE_SHARED_BENCH") is { Length: > 0 } named)
        {
            return Path.GetFullPath(named);
        }

        return DataPaths.FindSharedData() is { } data && Path.GetFullPath(Path.Combine(data, "..", "bench")) is var sibling && Directory.Exists(sibling)
            ? sibling
            : null;
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Passerelle.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new ScaleException("run the benchmark from the repository (Passerelle.slnx not found above the bench's output folder)");
    }
}

/// <summary>One search of queries.json as our API's address, and bench.py's id for it.</summary>
internal sealed record ScaleQuery(string Id, string Class, int Filters, string Path, bool Unsupported);

/// <summary>Timings of one phase: a set of searches run by some clients.</summary>
internal sealed record PhaseResult(
    string Label, int Clients, int Completed, double WallSeconds, double P50, double P90, double P99, double CpuMsPerSearch,
    long RssMb, IReadOnlyDictionary<string, double> ClassP50, IReadOnlyDictionary<string, int> Totals, int Errors)
{
    public double PerSecond => Completed / WallSeconds;
}

internal sealed class ScaleRun(ScaleOptions o)
{
    private readonly StringBuilder _log = new();
    private string GenDir => Path.Combine(o.Work, "gen");
    private string KohesioCsv => Path.Combine(o.Work, "kohesio.csv");
    private string IndexDir => Path.Combine(o.Work, o.Postgres ? "index-pg" : "index-sqlite");
    private string SqliteFile => Path.Combine(o.Work, "passerelle.db");
    private string ProductDatabase => "passerelle_scale_" + o.Projects.ToString(CultureInfo.InvariantCulture);
    private string FtsDatabase => "pgfts_scale_" + o.Projects.ToString(CultureInfo.InvariantCulture);
    // --host: the web host and its commands from a folder, such as the README's ReadyToRun publish (what a deploy runs),
    // instead of the build output.
    private string WebDll => o.HostDir is { } host ? Path.Combine(host, "Passerelle.Web.dll")
        : Path.Combine(o.RepositoryRoot, "src", "Passerelle.Web", "bin", "Release", "net10.0", "Passerelle.Web.dll");

    public async Task<string> RunAsync()
    {
        Directory.CreateDirectory(o.Work);
        if (!OperatingSystem.IsWindows())
        {
            // load.sh's COPY is read by the PostgreSQL server's own user: the data must be readable by others (a
            // folder from `mktemp -d` is not).
            File.SetUnixFileMode(o.Work, (UnixFileMode)0b111_101_101);
        }

        if (!File.Exists(WebDll))
        {
            throw new ScaleException(o.HostDir is null
                ? $"{WebDll} not found: build with `dotnet build -c Release bench/Passerelle.Bench` first"
                : $"{WebDll} not found: publish it there first (README, \"Publish\")");
        }

        if (o.SearchesOnly)
        {
            return await SearchesOnlyAsync();
        }

        if (o.RoutesOnly is { } routes)
        {
            return await RoutesOnlyAsync(routes);
        }

        var started = DateTime.UtcNow;
        var load0 = Machine.LoadAverage();
        var generation = await GenerateAsync();
        var conversion = Convert();
        await StartProductPostgresAsync();
        var import = await ImportAsync();

        // First start: no index on disk, so the host builds it from the database in the background.
        Directory.CreateDirectory(IndexDir);
        foreach (var f in Directory.GetFiles(IndexDir))
        {
            File.Delete(f);
        }

        var port = FreePort();
        ScaleHost host;
        TimeSpan build;
        (long Rss, long Anon) buildRss;
        var settled = new List<(string Start, StartupWork Work)>();
        using (host = ScaleHost.Start(this, port, cacheQueries: true))
        {
            build = await host.WaitUntilSearchableAsync(TimeSpan.FromHours(2));
            buildRss = (host.PeakRssMb(), host.PeakAnonMb());
            // An instance in use runs on after its first search and finishes its start's work (the registry figures,
            // computed and kept for the next start, ADR 37) before it is restarted; so does this one.
            settled.Add(("first start, after the index build", await host.WaitUntilQuietAsync(TimeSpan.FromMinutes(30))));
        }

        // A restart with the index up to date on disk: the time to its first answered search.
        TimeSpan restart;
        List<ScaleQuery> queries;
        TimeSpan update;
        (double Operations, double Kohesio) exportAfterWrite;
        var phases = new List<PhaseResult>();
        using (host = ScaleHost.Start(this, port, cacheQueries: true))
        {
            restart = await host.WaitUntilSearchableAsync(TimeSpan.FromMinutes(10));
            await WarmUpAsync(host);
            settled.Add(("restart, registry unchanged", await host.WaitUntilQuietAsync(TimeSpan.FromMinutes(30))));
            queries = await QueriesAsync(port);
            phases.Add(await RunPhaseAsync(host, queries, 1, queries.Count * o.Repeat, "warm, 1 client"));
            phases.Add(await RunPhaseAsync(host, queries, 16, o.Searches, "warm, 16 clients"));
            phases.Add(await PagesPhaseAsync(host));
            update = await UpdateVisibleAsync(host);
            exportAfterWrite = await ExportAfterWriteAsync(host);
        }

        using (host = ScaleHost.Start(this, port, cacheQueries: false))
        {
            await host.WaitUntilSearchableAsync(TimeSpan.FromMinutes(10));
            await WarmUpAsync(host);
            settled.Add(("restart after the one-operation import", await host.WaitUntilQuietAsync(TimeSpan.FromMinutes(30))));
            phases.Add(await RunPhaseAsync(host, queries, 1, queries.Count * o.Repeat, "cold (query cache off), 1 client"));
            phases.Add(await RunPhaseAsync(host, queries, 16, o.Searches, "cold (query cache off), 16 clients"));
        }

        var fts = o.SkipPostgresFts ? null : await PostgresFtsAsync();
        if (phases.Sum(p => p.Errors) is var failed and > 0)
        {
            // A search that did not answer 200 is a failure of the product, whatever the timings.
            throw new ScaleException($"{failed} searches did not answer 200 (see the log above)");
        }

        return Report(started, load0, generation, conversion, import, build, buildRss, restart, settled, update, exportAfterWrite, queries, phases, fts);
    }

    /// <summary>
    /// --searches-only: the cold phases alone (query cache off, 1 and 16 clients) on the database and index already in
    /// the work folder, with the host of --host; to compare two builds' searches in one window (run it once per build,
    /// alternated) without the import, the pages, the exports and the restarts.
    /// </summary>
    private async Task<string> SearchesOnlyAsync()
    {
        if (!o.Postgres && !File.Exists(SqliteFile))
        {
            throw new ScaleException($"--searches-only: no database in {o.Work} (run the whole benchmark there first)");
        }

        var started = DateTime.UtcNow;
        var load0 = Machine.LoadAverage();
        await StartProductPostgresAsync();
        var port = FreePort();
        var phases = new List<PhaseResult>();
        using (var host = ScaleHost.Start(this, port, cacheQueries: false))
        {
            var searchable = await host.WaitUntilSearchableAsync(TimeSpan.FromHours(2));
            Log($"first search answered {searchable.TotalSeconds:F1} s after the start; peak RSS {host.PeakRssMb()} MB, anonymous {host.PeakAnonMb()} MB");
            await WarmUpAsync(host);
            await host.WaitUntilQuietAsync(TimeSpan.FromMinutes(30));
            var queries = await QueriesAsync(port);
            phases.Add(await RunPhaseAsync(host, queries, 1, queries.Count * o.Repeat, "cold (query cache off), 1 client"));
            phases.Add(await RunPhaseAsync(host, queries, 16, o.Searches, "cold (query cache off), 16 clients"));
        }

        if (phases.Sum(p => p.Errors) is var failed and > 0)
        {
            throw new ScaleException($"{failed} searches did not answer 200 (see the log above)");
        }

        var s = new StringBuilder();
        s.AppendLine(CultureInfo.InvariantCulture, $"Searches only, {o.Projects:N0} SYNTHETIC projects ({(o.Postgres ? "PostgreSQL" : "SQLite")}), {started:yyyy-MM-dd HH:mm}–{DateTime.UtcNow:HH:mm} UTC; host {WebDll}; {Environment.ProcessorCount} cores, load average {load0} at the start");
        s.AppendLine();
        PhaseTable(s, phases, "");
        s.AppendLine();
        s.AppendLine("Median ms by query class (cold, 1 client): " + ClassMedians(phases[0]) + ".");
        return s.ToString();
    }

    /// <summary>
    /// --routes-only: the given routes' latency (<see cref="HttpLatencyBenchmark.TimesAsync"/>, one client, beside a static file's) on the database and index
    /// already in the work folder, with the host of --host, once its start-up work has ended; to compare two builds'
    /// pages in one window (run it once per build, alternated), on SQLite or (--postgres) PostgreSQL. The host is
    /// configured as in the whole benchmark (<see cref="ProductEnvironment"/>).
    /// </summary>
    private async Task<string> RoutesOnlyAsync(IReadOnlyList<string> routes)
    {
        if (!o.Postgres && !File.Exists(SqliteFile))
        {
            throw new ScaleException($"--routes-only: no database in {o.Work} (run the whole benchmark there first)");
        }

        var started = DateTime.UtcNow;
        await StartProductPostgresAsync();
        var s = new StringBuilder();
        using (var host = ScaleHost.Start(this, FreePort(), cacheQueries: true))
        {
            await host.WaitUntilSearchableAsync(TimeSpan.FromHours(2));
            await host.WaitUntilQuietAsync(TimeSpan.FromMinutes(30));
            var load = Machine.LoadAverage();
            using var client = host.Client(1);
            s.AppendLine(CultureInfo.InvariantCulture, $"Routes, {o.Projects:N0} SYNTHETIC projects ({(o.Postgres ? "PostgreSQL" : "SQLite")}), {started:yyyy-MM-dd HH:mm} UTC; host {WebDll}; {Environment.ProcessorCount} cores, load average {load} once the host was quiet; {PageWarmUp} requests of each route, then {PageMeasured} measured, one client; the baseline is a static file of the same host");
            s.AppendLine();
            s.AppendLine("| route | p50 ms | p99 ms | max ms | p50 × baseline |");
            s.AppendLine("|---|---|---|---|---|");
            var baseline = await HttpLatencyBenchmark.TimesAsync(client, HttpLatencyBenchmark.BaselinePath, PageWarmUp, PageMeasured);
            Row($"`{HttpLatencyBenchmark.BaselinePath}` (baseline)", baseline);
            foreach (var route in routes)
            {
                Row($"`{route}`", await HttpLatencyBenchmark.TimesAsync(client, route, PageWarmUp, PageMeasured));
            }

            void Row(string label, double[] times) => s.AppendLine(CultureInfo.InvariantCulture,
                $"| {label} | {Percentile(times, 0.5):F1} | {Percentile(times, 0.99):F1} | {times[^1]:F1} | {Percentile(times, 0.5) / Percentile(baseline, 0.5):F1} |");
        }

        return s.ToString();
    }

    /// <summary>The search phases' table of a report (the rows' labels after <paramref name="prefix"/>).</summary>
    private static void PhaseTable(StringBuilder s, IEnumerable<PhaseResult> phases, string prefix)
    {
        s.AppendLine("| phase | clients | searches | searches/s | p50 ms | p90 ms | p99 ms | server CPU ms/search | server RSS MB |");
        s.AppendLine("|---|---|---|---|---|---|---|---|---|");
        foreach (var p in phases)
        {
            s.AppendLine(CultureInfo.InvariantCulture, $"| {prefix}{p.Label} | {p.Clients} | {p.Completed} | {p.PerSecond:F1} | {p.P50:F1} | {p.P90:F1} | {p.P99:F1} | {p.CpuMsPerSearch:F2} | {p.RssMb} |");
        }
    }

    private static string ClassMedians(PhaseResult phase) =>
        string.Join(", ", phase.ClassP50.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => string.Create(CultureInfo.InvariantCulture, $"{c.Key} {c.Value:F1}")));

    internal void Log(string line)
    {
        Console.WriteLine($"[{DateTime.UtcNow:HH:mm:ss}] {line}");
        _log.AppendLine(line);
    }

    // ------------------------------------------------------------ data

    private async Task<TimeSpan> GenerateAsync()
    {
        var readme = Path.Combine(GenDir, "README.txt");
        if (File.Exists(readme) && File.Exists(Path.Combine(GenDir, "projects.csv")))
        {
            Log($"gen.py data already in {GenDir}");
            return TimeSpan.Zero;
        }

        Log($"generating {o.Projects:N0} SYNTHETIC projects with gen.py into {GenDir}");
        var clock = Stopwatch.StartNew();
        var (code, _, error) = await ScaleProcess.RunAsync("/usr/bin/python3",
            [Path.Combine(o.SharedBench, "gen.py"), "--projects", o.Projects.ToString(CultureInfo.InvariantCulture), "--out", GenDir, "--jobs", "2"], null);
        if (code != 0)
        {
            throw new ScaleException("gen.py failed: " + Last(error));
        }

        return clock.Elapsed;
    }

    private TimeSpan Convert()
    {
        if (File.Exists(KohesioCsv) && File.GetLastWriteTimeUtc(KohesioCsv) > File.GetLastWriteTimeUtc(Path.Combine(GenDir, "projects.csv")))
        {
            Log($"Kohesio CSV already in {KohesioCsv}");
            return TimeSpan.Zero;
        }

        Log("converting gen.py's tables to a Kohesio list of operations (one row per beneficiary)");
        var clock = Stopwatch.StartNew();
        if (GenToKohesio.Run([GenDir, KohesioCsv]) != 0)
        {
            throw new ScaleException("gen-to-kohesio failed");
        }

        return clock.Elapsed;
    }

    private Dictionary<string, string?> ProductEnvironment() => new()
    {
        ["Database__Provider"] = o.Postgres ? "Postgres" : "Sqlite",
        ["ConnectionStrings__Passerelle"] = o.Postgres
            ? $"Host=127.0.0.1;Port={o.ProductPgPort};Username=postgres;Database={ProductDatabase}"
            : $"Data Source={SqliteFile}",
        ["Search__IndexPath"] = IndexDir,
        ["Exports__FilesPath"] = Path.Combine(o.Work, o.Postgres ? "exports-pg" : "exports-sqlite"),
        ["RateLimits__ApiPerMinute"] = "1000000",
        ["ASPNETCORE_ENVIRONMENT"] = "Production",
        ["Logging__LogLevel__Default"] = "Warning",
        ["Logging__LogLevel__Passerelle.Core.Search"] = "Information",
        ["Logging__LogLevel__Passerelle.Core.Exports"] = "Information",
    };

    /// <summary>Whether the product runs on PostgreSQL (whose server's CPU the host's quiet counts, <see cref="ScaleHost.WaitUntilQuietAsync"/>).</summary>
    internal bool Postgres => o.Postgres;

    private string ImportFiguresFile => Path.Combine(o.Work, o.Postgres ? "import-pg.txt" : "import-sqlite.txt");

    private async Task<ImportFigures> ImportAsync()
    {
        // --reuse-import: a 2 M import takes 46 minutes here; the search, page and restart phases of a later build can be
        // measured on the database an earlier run imported (its figures are reported again, marked as reused).
        if (o.ReuseImport && File.Exists(ImportFiguresFile) && (o.Postgres || File.Exists(SqliteFile)))
        {
            var saved = File.ReadAllText(ImportFiguresFile).Trim().Split(' ');
            Log($"import reused from an earlier run ({ImportFiguresFile})");
            double Seconds(int i) => double.Parse(saved[i], CultureInfo.InvariantCulture);
            return new ImportFigures(
                TimeSpan.FromSeconds(Seconds(0)), TimeSpan.FromSeconds(Seconds(1)), long.Parse(saved[2], CultureInfo.InvariantCulture), Reused: true,
                // Files from before the baseline have three figures.
                saved.Length >= 5 ? (TimeSpan.FromSeconds(Seconds(3)), TimeSpan.FromSeconds(Seconds(4))) : null);
        }

        File.Delete(ImportFiguresFile);
        if (o.Postgres)
        {
            await PsqlAsync(o.ProductPgPort, "postgres", $"DROP DATABASE IF EXISTS {ProductDatabase}");
            await PsqlAsync(o.ProductPgPort, "postgres", $"CREATE DATABASE {ProductDatabase}");
            // The production path (README, "PostgreSQL"): migrations, then the default data, then the import. A start on
            // PostgreSQL does neither (Database:MigrateOnStart, SeedOnStart), and `import-territories` needs the default
            // data's programmes for their areas.
            await DotnetCommandAsync(["migrate"], "migrate");
            await DotnetCommandAsync(["seed"], "seed");
        }
        else
        {
            foreach (var f in Directory.GetFiles(o.Work, "passerelle.db*"))
            {
                File.Delete(f);
            }
        }

        var size = new FileInfo(KohesioCsv).Length;
        Log($"importing {KohesioCsv} ({size / 1e6:F0} MB) with `import kohesio` into {(o.Postgres ? "PostgreSQL" : "SQLite")}");
        var (wall, cpu, rss) = await DotnetCommandAsync(["import", "kohesio", KohesioCsv, "--unlisted-cci", "--source-title", "SYNTHETIC benchmark data (gen.py)"], "import");
        (TimeSpan Wall, TimeSpan Cpu)? floor = null;
        if (!o.Postgres)
        {
            // The import's baseline in the same run (ADR 30, "SQLite's floor"): SQLite alone writing the rows it wrote,
            // with the write session's page cache; before anything else is written to the database.
            var copy = Path.Combine(o.Work, "floor.db");
            var measured = SqliteFloor.Measure(SqliteFile, copy, cacheMegabytes: RegistryWriterOptions.DefaultSqliteCacheMegabytes);
            foreach (var suffix in (string[])["", "-wal", "-shm"])
            {
                File.Delete(copy + suffix);
            }

            floor = (TimeSpan.FromSeconds(measured.Wall), TimeSpan.FromSeconds(measured.Cpu));
            Log($"baseline, SQLite alone writing the same {measured.Rows:N0} rows: {measured.Wall:F1} s wall, {measured.Cpu:F1} s CPU");
        }

        // The territories as an installation has them (the deploy step), so that no import runs in the background of
        // the measurements (Territories:ImportOnStart) and the places are in the index from its first build.
        await DotnetCommandAsync(["import-territories"], "import-territories");
        // And an administrator, as an installation in use has: without one, every start issues a setup link (a write
        // and an audit entry) before it serves, which the restart figure would count (ADR 36).
        await DotnetCommandAsync(["users", "add", "--admin", "scale-benchmark@example.org", "--name", "Scale benchmark"], "users add");
        var figures = string.Create(CultureInfo.InvariantCulture, $"{wall.TotalSeconds:F1} {cpu.TotalSeconds:F1} {rss}") +
            (floor is { } kept ? string.Create(CultureInfo.InvariantCulture, $" {kept.Wall.TotalSeconds:F1} {kept.Cpu.TotalSeconds:F1}") : "");
        await File.WriteAllTextAsync(ImportFiguresFile, figures);
        return new ImportFigures(wall, cpu, rss, Reused: false, floor);
    }

    /// <param name="Floor">SQLite alone writing the rows the import wrote (SQLite only).</param>
    private sealed record ImportFigures(TimeSpan Wall, TimeSpan Cpu, long PeakRssMb, bool Reused, (TimeSpan Wall, TimeSpan Cpu)? Floor);

    /// <summary>Runs a command of the product (`dotnet Passerelle.Web.dll ...`) under /usr/bin/time: wall, CPU, peak RSS.</summary>
    private async Task<(TimeSpan Wall, TimeSpan Cpu, long PeakRssMb)> DotnetCommandAsync(string[] command, string label)
    {
        var timeFile = Path.Combine(o.Work, "time.txt");
        var (code, output, error) = await ScaleProcess.RunAsync("/usr/bin/time",
            ["-f", "%e %U %S %M", "-o", timeFile, "dotnet", WebDll, .. command], ProductEnvironment(), Path.Combine(o.RepositoryRoot, "src", "Passerelle.Web"));
        if (code != 0)
        {
            throw new ScaleException($"{label} failed (exit {code}): {Last(error)} {Last(output)}");
        }

        var parts = File.ReadAllText(timeFile).Trim().Split('\n')[^1].Split(' ');
        var wall = TimeSpan.FromSeconds(double.Parse(parts[0], CultureInfo.InvariantCulture));
        var cpu = TimeSpan.FromSeconds(double.Parse(parts[1], CultureInfo.InvariantCulture) + double.Parse(parts[2], CultureInfo.InvariantCulture));
        var rss = long.Parse(parts[3], CultureInfo.InvariantCulture) / 1024;
        Log($"{label}: {wall.TotalSeconds:F1} s wall, {cpu.TotalSeconds:F1} s CPU, peak RSS {rss} MB");
        return (wall, cpu, rss);
    }

    private async Task StartProductPostgresAsync()
    {
        if (!o.Postgres)
        {
            return;
        }

        // The product's database in its own throwaway cluster (not the FTS peer's), so the two never share a cache.
        var root = Path.Combine(Path.GetTempPath(), "passerelle-scale-pg");
        var (code, _, error) = await ScaleProcess.RunAsync("/bin/bash", ["-c", $$"""
            set -e
            bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
            as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
            if [ ! -f {{root}}/data/PG_VERSION ]; then
              mkdir -p {{root}}; [ "$(id -u)" = 0 ] && chown postgres:postgres {{root}}
              as_pg "$bin/initdb" -D {{root}}/data -U postgres --auth=trust -E UTF8 >/dev/null
            fi
            as_pg "$bin/pg_ctl" -D {{root}}/data -l {{root}}/log.txt -w status >/dev/null 2>&1 || \
              as_pg "$bin/pg_ctl" -D {{root}}/data -l {{root}}/log.txt -w -o "-p {{o.ProductPgPort}} -k {{root}} -c listen_addresses=127.0.0.1 -c fsync=off -c shared_buffers=1GB" start >/dev/null
            """], null);
        if (code != 0)
        {
            throw new ScaleException("could not start PostgreSQL for the product: " + Last(error));
        }
    }

    private static async Task PsqlAsync(int port, string database, string sql)
    {
        var bin = Directory.GetDirectories("/usr/lib/postgresql").Order().Last();
        var (code, _, error) = await ScaleProcess.RunAsync(Path.Combine(bin, "bin", "psql"),
            ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture), "-U", "postgres", "-d", database, "-c", sql], null);
        if (code != 0)
        {
            throw new ScaleException($"psql failed: {Last(error)}");
        }
    }

    // ------------------------------------------------------------ queries

    /// <summary>
    /// queries.json as our API's addresses. The words are the query's terms; a "words" query ends with a space so the
    /// last word is not taken as a prefix being typed, a "prefix" query without. Filters: bench.py's programme id is the
    /// gen.py programme of that number (found by its synthetic name).
    /// Projects only, like the peer. 20 hits, every facet counted, each listing its 20 most frequent values with the
    /// number of values it has (facetLimit=20: what a search interface shows; the portal shows 8).
    /// </summary>
    private async Task<List<ScaleQuery>> QueriesAsync(int port)
    {
        using var document = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(o.SharedBench, "queries.json")));
        var programmes = await ProgrammeCodesAsync(port);
        var list = new List<ScaleQuery>();
        foreach (var q in document.RootElement.GetProperty("queries").EnumerateArray())
        {
            var terms = q.GetProperty("terms").EnumerateArray().Select(t => t.GetString()!).ToList();
            var prefix = q.GetProperty("kind").GetString() == "prefix";
            var text = string.Join(' ', terms) + (prefix ? "" : " ");
            var path = new StringBuilder("/api/v1/search?type=project&pageSize=20&facetLimit=20&q=").Append(Uri.EscapeDataString(text));
            var unsupported = false;
            foreach (var f in q.GetProperty("filters").EnumerateObject())
            {
                var value = f.Value.ValueKind == JsonValueKind.Number ? f.Value.GetInt32().ToString(CultureInfo.InvariantCulture) : f.Value.GetString()!;
                string? ours = f.Name switch
                {
                    "programme" => programmes.GetValueOrDefault(int.Parse(value, CultureInfo.InvariantCulture)),
                    // Neither import format carries themes (Kohesio's category is an intervention field), and Kohesio
                    // knows two periods: gen.py's older programmes are imported as 2014-2020 (see GenToKohesio).
                    "theme" => null,
                    "period" when value is not ("2014-2020" or "2021-2027") => null,
                    _ => value,
                };
                if (ours is null)
                {
                    unsupported = true;
                    continue;
                }

                path.Append('&').Append(f.Name).Append('=').Append(Uri.EscapeDataString(ours));
            }

            list.Add(new ScaleQuery(q.GetProperty("id").GetString()!, q.GetProperty("class").GetString()!,
                q.GetProperty("nfilters").GetInt32(), path.ToString(), unsupported));
        }

        return list;
    }

    /// <summary>gen.py programme number to the registry's programme code, from the programmes the import created.</summary>
    private static async Task<Dictionary<int, string>> ProgrammeCodesAsync(int port)
    {
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        var codes = new Dictionary<int, string>();
        for (var page = 1; page < 100; page++)
        {
            using var response = await client.GetAsync($"/api/v1/programmes?page={page}&pageSize=100");
            if (!response.IsSuccessStatusCode)
            {
                break;
            }

            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            var items = json.RootElement.GetProperty("items");
            if (items.GetArrayLength() == 0)
            {
                break;
            }

            foreach (var p in items.EnumerateArray())
            {
                var text = p.ToString();
                var at = text.IndexOf("Synthetic programme ", StringComparison.Ordinal);
                if (at >= 0 && int.TryParse(text.AsSpan(at + 20, 3), CultureInfo.InvariantCulture, out var number)
                    && p.TryGetProperty("code", out var code) && code.GetString() is { } c)
                {
                    codes[number] = c;
                }
            }
        }

        return codes;
    }

    /// <summary>
    /// Searches of every shape the measured ones have (one word, two words, a word being typed, one and two filters),
    /// five times each, so that the code they run is compiled to its final tier before a phase measures it: at a
    /// start the runtime compiles a method quickly first, then again optimised once it is called often, in the
    /// background. The words and filter values are in no query of queries.json, so no cache of theirs is warmed.
    /// </summary>
    private async Task WarmUpAsync(ScaleHost host)
    {
        string[] texts = ["synthetic ", "region ", "cooperation ", "climate ", "smart city ", "health care ", "cult", "mobil"];
        string[] filters = ["", "&country=PL", "&country=PT&period=2000-2006", "&country=HU&country=CZ"];
        using var client = host.Client(1);
        var clock = Stopwatch.StartNew();
        var count = 0;
        for (var round = 0; round < 5; round++)
        {
            foreach (var text in texts)
            {
                foreach (var filter in filters)
                {
                    var path = $"/api/v1/search?type=project&pageSize=20&facetLimit=20&q={Uri.EscapeDataString(text)}{filter}";
                    using var response = await client.GetAsync(path);
                    if (response.StatusCode != HttpStatusCode.OK)
                    {
                        throw new ScaleException($"the warm-up search {path} answered {(int)response.StatusCode}");
                    }

                    count++;
                }
            }
        }

        Log(string.Create(CultureInfo.InvariantCulture, $"warm-up: {count} searches of the measured shapes with other words and filter values in {clock.Elapsed.TotalSeconds:F1} s"));
    }

    private async Task<PhaseResult> RunPhaseAsync(ScaleHost host, List<ScaleQuery> queries, int clients, int searches, string label)
    {
        var order = new List<int>(searches);
        var random = new Random(7);
        while (order.Count < searches)
        {
            var pass = Enumerable.Range(0, queries.Count).ToArray();
            random.Shuffle(pass);
            order.AddRange(pass);
        }

        order.RemoveRange(searches, order.Count - searches);
        using var client = host.Client(clients);
        // Warm-up: the host's JIT and connections, not the queries' caches (a different, fixed address).
        for (var i = 0; i < 20; i++)
        {
            using var _ = await client.GetAsync("/api/v1/search?q=synthetic&pageSize=20");
        }

        var latencies = new double[order.Count];
        var totals = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
        var errors = 0;
        var next = -1;
        var cpu0 = host.CpuTime();
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < order.Count)
            {
                var q = queries[order[i]];
                var t = Stopwatch.GetTimestamp();
                using var response = await client.GetAsync(q.Path);
                var body = await response.Content.ReadAsByteArrayAsync();
                latencies[i] = Stopwatch.GetElapsedTime(t).TotalMilliseconds;
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    Interlocked.Increment(ref errors);
                    continue;
                }

                totals.TryAdd(q.Id, ReadTotal(body));
            }
        })));
        var wall = clock.Elapsed.TotalSeconds;
        var cpu = host.CpuTime() - cpu0;
        var sorted = latencies.Order().ToArray();
        var byClass = order.Select((q, i) => (queries[q].Class, latencies[i])).GroupBy(x => x.Class)
            .ToDictionary(g => g.Key, g => Percentile(g.Select(x => x.Item2).Order().ToArray(), 0.5));
        var result = new PhaseResult(label, clients, order.Count, wall, Percentile(sorted, 0.5), Percentile(sorted, 0.9), Percentile(sorted, 0.99),
            cpu.TotalMilliseconds / order.Count, host.RssMb(), byClass, totals, errors);
        Log($"{label}: {result.Completed} searches in {wall:F1} s = {result.PerSecond:F1}/s; p50 {result.P50:F1} ms, p90 {result.P90:F1}, p99 {result.P99:F1}; "
            + $"server CPU {result.CpuMsPerSearch:F2} ms/search; RSS {result.RssMb} MB; errors {errors}");
        return result;
    }

    private static int ReadTotal(byte[] body)
    {
        var reader = new Utf8JsonReader(body);
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.PropertyName && reader.ValueTextEquals("total"u8) && reader.CurrentDepth == 1)
            {
                reader.Read();
                return reader.GetInt32();
            }
        }

        return -1;
    }

    /// <summary>
    /// Requests of each route before its <see cref="PageMeasured"/> measured ones: the targets are a running server's, and the runtime compiles
    /// a method again, optimised, only after its first 30 calls (tiered compilation). With one request left out, as
    /// until 2 December 2026, the home page's p99 at 100 k was mostly its JIT: 41.5 ms in CI's run of 0d7f8f2, against
    /// 13 ms after 300 visits (docs/benchmarks.md).
    /// </summary>
    private const int PageWarmUp = 60;

    /// <summary>The measured requests of each route, after <see cref="PageWarmUp"/> unmeasured ones.</summary>
    private const int PageMeasured = 30;

    /// <summary>
    /// Pages, lists, statistics and exports at this size: each route <see cref="PageMeasured"/> times, one client, after
    /// <see cref="PageWarmUp"/> unmeasured requests of it.
    /// </summary>
    private async Task<PhaseResult> PagesPhaseAsync(ScaleHost host)
    {
        using var client = host.Client(1);
        using var first = await client.GetAsync("/api/v1/search?type=project&pageSize=1&q=synthetic");
        using var json = JsonDocument.Parse(await first.Content.ReadAsStringAsync());
        var slug = json.RootElement.GetProperty("items")[0].GetProperty("slug").GetString();
        // That project's programme and first partner: their pages list projects filtered by them.
        using var details = await client.GetAsync($"/api/v1/projects/{slug}");
        using var project = JsonDocument.Parse(await details.Content.ReadAsStringAsync());
        var programme = project.RootElement.GetProperty("summary").GetProperty("programme").GetProperty("slug").GetString();
        var organisation = project.RootElement.GetProperty("participations")[0].GetProperty("organisation").GetProperty("slug").GetString();
        string[] routes =
        [
            "/projects", "/projects?p=2", "/projects?p=1000", "/api/v1/projects?page=1&pageSize=50", "/organisations",
            $"/projects/{slug}", $"/api/v1/projects/{slug}", $"/programmes/{programme}", $"/organisations/{organisation}",
            $"/api/v1/projects?organisation={organisation}", "/statistics", "/api/v1/statistics?q=water", "/search?q=water", "/",
        ];
        var figures = new Dictionary<string, double>();
        var all = new List<double>();
        foreach (var route in routes)
        {
            var times = await HttpLatencyBenchmark.TimesAsync(client, route, PageWarmUp, PageMeasured);
            figures[route] = Percentile(times, 0.99);
            all.AddRange(times);
            Log($"{route}: p50 {Percentile(times, 0.5):F1} ms, p99 {figures[route]:F1} ms");
        }

        // The full export through the real route: the first download after the import is written from the database as
        // it streams and starts the published file's writing (ADR 34); once the route serves the file (an entity tag),
        // the same download again. Memory read after each.
        const string exportRoute = "/api/v1/exports/operations.csv";
        var (live, liveBytes, liveSeconds) = await DownloadAsync(client, exportRoute);
        figures["export MB/s"] = liveBytes / 1e6 / liveSeconds;
        Log($"{exportRoute} ({(live ? "published file" : "from the database")}): {liveBytes / 1e6:F1} MB in {liveSeconds:F1} s = {figures["export MB/s"]:F1} MB/s; RSS after {host.RssMb()} MB");
        var waited = Stopwatch.StartNew();
        while (!live && waited.Elapsed < TimeSpan.FromMinutes(30))
        {
            await Task.Delay(TimeSpan.FromSeconds(1));
            using var probe = await client.GetAsync(exportRoute, HttpCompletionOption.ResponseHeadersRead);
            live = probe.Headers.ETag is not null;
        }

        figures["export file ready s"] = waited.Elapsed.TotalSeconds + liveSeconds;
        var (fromFile, fileBytes, fileSeconds) = await DownloadAsync(client, exportRoute);
        if (!fromFile)
        {
            throw new ScaleException($"{exportRoute} was still not served from its published file {waited.Elapsed.TotalMinutes:F0} min after the first download");
        }

        figures["export file MB/s"] = fileBytes / 1e6 / fileSeconds;
        Log($"{exportRoute} (published file, ready {figures["export file ready s"]:F1} s after the first download began): {fileBytes / 1e6:F1} MB in {fileSeconds:F2} s = {figures["export file MB/s"]:F0} MB/s; RSS after {host.RssMb()} MB");

        // The Kohesio CSV's first download: its count of incomplete operations (a header) brings every part up to date
        // from the database, then the body copies them (ADR 39). The download after the one-row import reads one part.
        // Not in the smoke check: the tests compare its bytes and count on both databases, and CI's time is spent.
        if (!o.Smoke)
        {
            var (kohesioFromFile, kohesioBytes, kohesioSeconds) = await DownloadAsync(client, KohesioRoute);
            if (kohesioFromFile)
            {
                throw new ScaleException($"{KohesioRoute} was served from a file published before the import");
            }

            figures["kohesio MB/s"] = kohesioBytes / 1e6 / kohesioSeconds;
            Log($"{KohesioRoute} (from the database, every part read): {kohesioBytes / 1e6:F1} MB in {kohesioSeconds:F1} s = {figures["kohesio MB/s"]:F1} MB/s; RSS after {host.RssMb()} MB");
        }
        // The project and organisation lists (ADR 32): not in parts, so their first download after a change (here, the
        // import) always runs their queries, as every filtered download does.
        foreach (var (route, key) in new[] { ("/api/v1/projects/export.csv", "projects list MB/s"), ("/api/v1/organisations/export.csv", "organisations list MB/s") })
        {
            var (listFromFile, listBytes, listSeconds) = await DownloadAsync(client, route);
            if (listFromFile)
            {
                throw new ScaleException($"{route} was served from a file published before the import");
            }

            figures[key] = listBytes / 1e6 / listSeconds;
            Log($"{route} (from the database): {listBytes / 1e6:F1} MB in {listSeconds:F1} s = {figures[key]:F1} MB/s; RSS after {host.RssMb()} MB");
        }

        all.Sort();
        return new PhaseResult("pages (p99 per route)", 1, all.Count, 1, Percentile([.. all], 0.5), Percentile([.. all], 0.9), Percentile([.. all], 0.99),
            0, host.RssMb(), figures, new Dictionary<string, int>(), 0);
    }

    /// <summary>Reads a download to its end: whether it came from a published file (it has an entity tag), bytes, seconds.</summary>
    private static async Task<(bool FromFile, long Bytes, double Seconds)> DownloadAsync(HttpClient client, string route)
    {
        var clock = Stopwatch.StartNew();
        using var response = await client.GetAsync(route, HttpCompletionOption.ResponseHeadersRead);
        if (!response.IsSuccessStatusCode)
        {
            throw new ScaleException($"{route} answered {(int)response.StatusCode}");
        }

        await using var stream = await response.Content.ReadAsStreamAsync();
        var buffer = new byte[1 << 16];
        long bytes = 0;
        int n;
        while ((n = await stream.ReadAsync(buffer)) > 0)
        {
            bytes += n;
        }

        return (response.Headers.ETag is not null, bytes, clock.Elapsed.TotalSeconds);
    }

    /// <summary>
    /// How soon a write shows in search: one operation of the data set imported again under a new identifier and a
    /// word no other record has, with the real import command while the host runs; then the host is asked for the word
    /// until it answers it (the change feed carries the write to the index).
    /// </summary>
    private async Task<TimeSpan> UpdateVisibleAsync(ScaleHost host)
    {
        // The data set's first row, read by the importers' own CSV reader.
        Dictionary<string, string>? first = null;
        await using (var stream = File.OpenRead(KohesioCsv))
        {
            await foreach (var r in new CsvTableReader().ReadAsync(stream, KohesioCsv))
            {
                first = r.ToDictionary(c => c.Key, c => c.Value, StringComparer.Ordinal);
                break;
            }
        }

        var row = first ?? throw new ScaleException($"{KohesioCsv} has no row");
        var word = "zqxupdate" + DateTime.UtcNow.Ticks.ToString(CultureInfo.InvariantCulture)[^8..];
        row["Operation_Unique_Identifier"] = "synthetic-update-" + word;
        row["Operation_Name_English"] += " " + word;
        row["Operation_Name_Programme_Language"] += " " + word;
        var header = row.Keys.ToList();
        var file = Path.Combine(o.Work, "update.csv");
        await File.WriteAllLinesAsync(file, [string.Join(',', header.Select(Quote)), string.Join(',', header.Select(h => Quote(row[h])))]);
        await DotnetCommandAsync(["import", "kohesio", file, "--unlisted-cci", "--source-title", "SYNTHETIC benchmark update"], "import of one operation");
        var clock = Stopwatch.StartNew();
        using var client = host.Client(1);
        while (clock.Elapsed < TimeSpan.FromMinutes(2))
        {
            using var response = await client.GetAsync("/api/v1/search?q=" + word);
            if (response.IsSuccessStatusCode && ReadTotal(await response.Content.ReadAsByteArrayAsync()) > 0)
            {
                Log($"the imported operation was found by search {clock.Elapsed.TotalSeconds:F1} s after the import ended");
                return clock.Elapsed;
            }

            await Task.Delay(50);
        }

        throw new ScaleException("an operation imported while the host ran was not found by search within 2 minutes");
    }

    /// <summary>
    /// The full list of operations downloaded again after the one-row import of <see cref="UpdateVisibleAsync"/>: the
    /// first download after a write, written from the list's parts (ADR 39): the programme the import changed read from
    /// the database, the others copied from their files.
    /// </summary>
    private async Task<(double Operations, double Kohesio)> ExportAfterWriteAsync(ScaleHost host)
    {
        using var client = host.Client(1);
        async Task<double> AfterWriteAsync(string route)
        {
            var (fromFile, bytes, seconds) = await DownloadAsync(client, route);
            if (fromFile)
            {
                throw new ScaleException($"{route} was served from a file published before the write");
            }

            Log($"{route} after a write (from its parts and the database): {bytes / 1e6:F1} MB in {seconds:F2} s = {bytes / 1e6 / seconds:F0} MB/s; RSS after {host.RssMb()} MB");
            return bytes / 1e6 / seconds;
        }

        return (await AfterWriteAsync("/api/v1/exports/operations.csv"), o.Smoke ? double.NaN : await AfterWriteAsync(KohesioRoute));
    }

    private const string KohesioRoute = "/api/v1/exports/kohesio.csv";

    private static string Quote(string cell) =>
        cell.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? "\"" + cell.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : cell;

    // ------------------------------------------------------------ the peer

    private sealed record FtsPhase(string Label, double PerSecond, double P50, double P90, double P99, int Completed);

    private sealed record FtsResult(TimeSpan Load, IReadOnlyList<FtsPhase> Phases, IReadOnlyDictionary<string, int> Totals);

    private async Task<FtsResult> PostgresFtsAsync()
    {
        var env = new Dictionary<string, string?> { ["PGB_PORT"] = o.FtsPgPort.ToString(CultureInfo.InvariantCulture) };
        Log($"PostgreSQL FTS: load.sh {GenDir} {FtsDatabase}");
        var clock = Stopwatch.StartNew();
        var (code, _, error) = await ScaleProcess.RunAsync("/bin/bash", [Path.Combine(o.SharedBench, "load.sh"), GenDir, FtsDatabase], env);
        if (code != 0)
        {
            throw new ScaleException("load.sh failed: " + Last(error));
        }

        var load = clock.Elapsed;
        try
        {
            return await RunPostgresFtsAsync(env, load);
        }
        finally
        {
            // The peer's throwaway cluster is stopped after its run, so it holds no memory during anything else.
            await ScaleProcess.RunAsync("/bin/bash", [Path.Combine(o.SharedBench, "load.sh"), "--stop"], env);
        }
    }

    private async Task<FtsResult> RunPostgresFtsAsync(Dictionary<string, string?> env, TimeSpan load)
    {
        var output = Path.Combine(o.Work, "pgfts.json");
        var (code, _, error) = await ScaleProcess.RunAsync("/usr/bin/python3",
        [
            Path.Combine(o.SharedBench, "bench.py"), "--db", FtsDatabase, "run", "--clients", "16",
            "--searches", o.Searches.ToString(CultureInfo.InvariantCulture), "--single-repeat", o.Repeat.ToString(CultureInfo.InvariantCulture),
            "--max-seconds", o.Smoke ? "300" : "1800", "--out", output,
        ], env);
        if (code != 0)
        {
            throw new ScaleException("bench.py failed: " + Last(error));
        }

        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(output));
        var phases = new List<FtsPhase>();
        foreach (var (name, label) in new[] { ("single", "1 client"), ("concurrent", "16 clients") })
        {
            if (json.RootElement.GetProperty("phases").TryGetProperty(name, out var p))
            {
                var overall = p.GetProperty("summary").GetProperty("overall");
                phases.Add(new FtsPhase(label, p.GetProperty("searches_per_s").GetDouble(), overall.GetProperty("p50").GetDouble(),
                    overall.GetProperty("p90").GetDouble(), overall.GetProperty("p99").GetDouble(), p.GetProperty("completed").GetInt32()));
            }
        }

        var totals = new Dictionary<string, int>();
        foreach (var r in json.RootElement.GetProperty("raw").GetProperty("single").EnumerateArray())
        {
            totals[r.GetProperty("q").GetString()!] = r.GetProperty("total").GetInt32();
        }

        Log($"PostgreSQL FTS: loaded in {load.TotalSeconds:F0} s; " + string.Join("; ", phases.Select(p => $"{p.Label} {p.PerSecond:F1}/s p50 {p.P50:F0} ms p99 {p.P99:F0} ms")));
        return new FtsResult(load, phases, totals);
    }

    // ------------------------------------------------------------ report

    private string Report(
        DateTime started, string load0, TimeSpan generation, TimeSpan conversion, ImportFigures import, TimeSpan build, (long Rss, long Anon) buildRss,
        TimeSpan restart, List<(string Start, StartupWork Work)> settled, TimeSpan update, (double Operations, double Kohesio) exportAfterWrite, List<ScaleQuery> queries, List<PhaseResult> phases,
        FtsResult? fts)
    {
        var s = new StringBuilder();
        var db = o.Postgres ? "PostgreSQL" : "SQLite";
        s.AppendLine(CultureInfo.InvariantCulture, $"## Scale, {o.Projects:N0} SYNTHETIC projects over HTTP ({db}), {started:yyyy-MM-dd HH:mm} UTC (issue 17)");
        s.AppendLine();
        s.AppendLine(CultureInfo.InvariantCulture, $"Command: `dotnet run -c Release --project bench/Passerelle.Bench -- scale {o.Projects}{(o.Postgres ? " --postgres" : "")}{(o.ReuseImport ? " --reuse-import" : "")}{(o.SkipPostgresFts ? " --skip-pg" : "")}{(o.Smoke ? " --smoke" : "")}{(o.HostDir is null ? "" : " --host " + o.HostDir)}`. ");
        s.AppendLine(CultureInfo.InvariantCulture, $"Web host: {(o.HostDir is null ? "the build output (JIT-compiled)" : $"{WebDll} (published; ReadyToRun when published as the README says)")}.");
        s.AppendLine(CultureInfo.InvariantCulture, $"Machine: {Environment.ProcessorCount} cores, {MemoryGb()} GB; load average at start {load0}, at end {Machine.LoadAverage()}.");
        s.AppendLine();
        s.AppendLine(CultureInfo.InvariantCulture, $"- gen.py: {(generation == TimeSpan.Zero ? "reused" : $"{generation.TotalSeconds:F0} s")}; conversion to Kohesio CSV: {(conversion == TimeSpan.Zero ? "reused" : $"{conversion.TotalSeconds:F0} s")}.");
        s.AppendLine(CultureInfo.InvariantCulture, $"- Import (`import kohesio`, partners included) into {db}: {import.Wall.TotalSeconds:F1} s wall ({o.Projects / import.Wall.TotalSeconds:N0} projects/s), {import.Cpu.TotalSeconds:F1} s CPU, peak RSS {import.PeakRssMb} MB{(import.Reused ? " (measured by an earlier run on this database, --reuse-import)" : "")}.");
        if (import.Floor is { } floor)
        {
            s.AppendLine(CultureInfo.InvariantCulture, $"- The import's baseline in the same run: SQLite alone writing the same rows into an empty file of the same schema (ADR 30, \"SQLite's floor\"): {floor.Wall.TotalSeconds:F1} s wall ({o.Projects / floor.Wall.TotalSeconds:N0} projects/s), {floor.Cpu.TotalSeconds:F1} s CPU; the import took {import.Wall / floor.Wall:F2}× its wall time and {import.Cpu / floor.Cpu:F2}× its CPU.");
        }

        s.AppendLine(CultureInfo.InvariantCulture, $"- Index build from the database at the first start, until the first search answers: {build.TotalSeconds:F1} s; peak RSS {buildRss.Rss} MB, of which the process's own (anonymous) memory peaked at {buildRss.Anon} MB; the rest is pages of the memory-mapped index files, which the kernel reclaims.");
        s.AppendLine(CultureInfo.InvariantCulture, $"- Restart with the index on disk, until the first search answers: {restart.TotalSeconds:F1} s.");
        s.AppendLine("- Work after the first search (the registry figures, ADR 33, computed or read as kept, ADR 37; the statistics' arrays; the territory index), at each start (after the warm-up's searches on a restart): "
            + string.Join("; ", settled.Select(w => string.Create(CultureInfo.InvariantCulture, $"{w.Start}: busy {w.Work.Busy.TotalSeconds:F1} s more, {w.Work.Cpu.TotalSeconds:F1} s of CPU{(o.Postgres ? $" and {w.Work.ServerCpu.TotalSeconds:F1} s of the database server's" : "")}{(w.Work.Quiet ? "" : " (still busy when the wait ended)")}")))
            + ". The measured phases begin once it has ended, so their CPU per search is the searches' own.");
        s.AppendLine(CultureInfo.InvariantCulture, $"- An operation imported while the host runs (`import kohesio`, one row): found by search {update.TotalSeconds:F1} s after the import command ended.");
        var unsupported = queries.Count(q => q.Unsupported);
        if (unsupported > 0)
        {
            s.AppendLine(CultureInfo.InvariantCulture, $"- {unsupported} of {queries.Count} queries have a filter the imported data cannot express; they run without it.");
        }

        s.AppendLine();
        PhaseTable(s, phases.Where(p => p.Clients > 0 && !p.Label.StartsWith("pages", StringComparison.Ordinal)), "Passerelle, ");

        foreach (var p in fts?.Phases ?? [])
        {
            s.AppendLine(CultureInfo.InvariantCulture, $"| PostgreSQL FTS, {p.Label} | {(p.Label == "1 client" ? 1 : 16)} | {p.Completed} | {p.PerSecond:F1} | {p.P50:F1} | {p.P90:F1} | {p.P99:F1} | | |");
        }

        if (fts is { Phases.Count: 2 })
        {
            var ours = phases.Where(p => p.Label.StartsWith("cold", StringComparison.Ordinal)).ToList();
            s.AppendLine();
            s.AppendLine(string.Create(CultureInfo.InvariantCulture, $"Passerelle (cold, query cache off) against PostgreSQL in this run, searches/s ours ÷ theirs and latency theirs ÷ ours (above 1: Passerelle ahead): 1 client {ours[0].PerSecond / fts.Phases[0].PerSecond:F2}× searches/s, p50 {fts.Phases[0].P50 / ours[0].P50:F2}×; ")
                + string.Create(CultureInfo.InvariantCulture, $"16 clients {ours[1].PerSecond / fts.Phases[1].PerSecond:F2}× searches/s, p99 {fts.Phases[1].P99 / ours[1].P99:F2}×."));
        }

        s.AppendLine();
        s.AppendLine("Median ms by query class (cold, 1 client): " + ClassMedians(phases.First(p => p.Label.StartsWith("cold", StringComparison.Ordinal))) + ".");
        var pages = phases.First(p => p.Label.StartsWith("pages", StringComparison.Ordinal));
        s.AppendLine();
        s.AppendLine($"Pages, p99 ms over 30 requests (one client, after {PageWarmUp} unmeasured ones): " + string.Join(", ",
            pages.ClassP50.Where(f => f.Key.StartsWith('/')).Select(f => $"`{f.Key}` {f.Value:F1}")) + $"; full operations CSV export {pages.ClassP50["export MB/s"]:F0} MB/s from the database (the first download after a change), "
            + $"{pages.ClassP50["export file MB/s"]:F0} MB/s from its published file (written {pages.ClassP50["export file ready s"]:F0} s after that download began; ADR 34); "
            + $"{exportAfterWrite.Operations:F0} MB/s for the first download after the one-row import below (its programme's part from the database, the others from their files; ADR 39). "
            + (o.Smoke ? "Kohesio CSV: not downloaded in the smoke check."
                : $"Kohesio CSV: {pages.ClassP50["kohesio MB/s"]:F1} MB/s for its first download (its count of incomplete operations brings every part up to date from the database, the body copies them), "
                    + $"{exportAfterWrite.Kohesio:F0} MB/s for the first download after the one-row import (ADR 39).")
            + $" Project list CSV {pages.ClassP50["projects list MB/s"]:F1} MB/s, organisation list CSV {pages.ClassP50["organisations list MB/s"]:F1} MB/s, each from the database (ADR 32).");
        if (fts is not null)
        {
            var ours = phases.First(p => p.Label.StartsWith("cold", StringComparison.Ordinal)).Totals;
            var compared = queries.Where(q => !q.Unsupported && ours.ContainsKey(q.Id) && fts.Totals.ContainsKey(q.Id)).ToList();
            var equal = compared.Count(q => ours[q.Id] == fts.Totals[q.Id]);
            var inflated = compared.Where(q => ours[q.Id] > fts.Totals[q.Id] * 1.5 + 10).OrderByDescending(q => (double)ours[q.Id] / Math.Max(1, fts.Totals[q.Id])).Take(5).ToList();
            s.AppendLine();
            s.AppendLine(string.Create(CultureInfo.InvariantCulture, $"Hit totals: {equal} of {compared.Count} queries equal PostgreSQL's; ")
                + string.Create(CultureInfo.InvariantCulture, $"{compared.Count(q => ours[q.Id] > fts.Totals[q.Id])} higher, {compared.Count(q => ours[q.Id] < fts.Totals[q.Id])} lower. ")
                + (inflated.Count == 0 ? "None more than 1.5× PostgreSQL's." : "Most inflated: " + string.Join(", ", inflated.Select(q => string.Create(CultureInfo.InvariantCulture, $"{q.Id} {ours[q.Id]:N0} vs {fts.Totals[q.Id]:N0}"))) + "."));
            s.AppendLine("(The imported operations carry their texts in English and their programme's language, as Kohesio's do, where the peer indexes all four of gen.py's languages; and Passerelle's search also matches partner, programme and place names. So totals differ by design here: the like-for-like relevance check is `gen-search --compare`, ADR 7.)");
            var totalsFile = Path.Combine(o.Work, "totals.csv");
            File.WriteAllLines(totalsFile, ["id,class,filters,passerelle,postgresql", .. queries.Select(q =>
                $"{q.Id},{q.Class},{q.Filters},{(ours.TryGetValue(q.Id, out var a) ? a : -1)},{(fts.Totals.TryGetValue(q.Id, out var b) ? b : -1)}")]);
            s.AppendLine(CultureInfo.InvariantCulture, $"Per query: `{totalsFile}`.");
        }

        return s.ToString();
    }

    // ------------------------------------------------------------ helpers

    internal static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];

    private static string MemoryGb()
    {
        var line = File.Exists("/proc/meminfo") ? File.ReadLines("/proc/meminfo").First() : null;
        return line is null ? "?" : (long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024 / 1024).ToString(CultureInfo.InvariantCulture);
    }

    private static string Last(string text) => text.Trim().Split('\n').LastOrDefault(l => l.Trim().Length > 0)?.Trim() ?? "";

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    internal Dictionary<string, string?> HostEnvironment(bool cacheQueries)
    {
        var env = ProductEnvironment();
        env["Search__CacheQueries"] = cacheQueries ? "true" : "false";
        return env;
    }

    internal string WebAssembly => WebDll;

    internal string ContentRoot => Path.Combine(o.RepositoryRoot, "src", "Passerelle.Web");
}

/// <summary>The real web host in its own process, with its CPU time and memory read from /proc.</summary>
internal sealed class ScaleHost : IDisposable
{
    private readonly Process _process;
    private readonly ScaleRun _run;
    private readonly int _port;
    private readonly Stopwatch _since = Stopwatch.StartNew();

    private readonly Timer _anonSampler;
    private long _peakAnonKb;

    private ScaleHost(Process process, ScaleRun run, int port)
    {
        (_process, _run, _port) = (process, run, port);
        // VmHWM counts the index's memory-mapped files as they are read (file pages the kernel can drop at any time);
        // the process's own memory is RssAnon, which /proc gives only as a current value: sampled every 100 ms.
        _anonSampler = new Timer(_ => SampleAnon(), null, TimeSpan.Zero, TimeSpan.FromMilliseconds(100));
    }

    private void SampleAnon()
    {
        try
        {
            var kb = StatusKb("RssAnon:");
            if (kb > Interlocked.Read(ref _peakAnonKb))
            {
                Interlocked.Exchange(ref _peakAnonKb, kb);
            }
        }
        catch (Exception e) when (e is IOException or InvalidOperationException)
        {
            // The process has exited (its /proc folder gone, or the Process object disposed by a stop in progress).
        }
    }

    /// <summary>The highest anonymous resident memory sampled since the start, in MB.</summary>
    public long PeakAnonMb() => Interlocked.Read(ref _peakAnonKb) / 1024;

    public static ScaleHost Start(ScaleRun run, int port, bool cacheQueries)
    {
        var info = new ProcessStartInfo("dotnet") { WorkingDirectory = run.ContentRoot, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { run.WebAssembly, "--urls", $"http://127.0.0.1:{port}", "--contentRoot", run.ContentRoot })
        {
            info.ArgumentList.Add(a);
        }

        foreach (var (k, v) in run.HostEnvironment(cacheQueries))
        {
            info.Environment[k] = v;
        }

        var process = Process.Start(info) ?? throw new ScaleException("could not start the web host");
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is { } line && (line.Contains("search", StringComparison.OrdinalIgnoreCase) || line.Contains("error", StringComparison.OrdinalIgnoreCase)))
            {
                run.Log("host: " + line.Trim());
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                run.Log("host stderr: " + line.Trim());
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        run.Log($"web host started (pid {process.Id}, port {port}, query cache {(cacheQueries ? "on" : "off")})");
        return new ScaleHost(process, run, port);
    }

    public HttpClient Client(int connections) => new(new SocketsHttpHandler { MaxConnectionsPerServer = Math.Max(2, connections), PooledConnectionLifetime = TimeSpan.FromHours(1) })
    {
        BaseAddress = new Uri($"http://127.0.0.1:{_port}"),
        Timeout = TimeSpan.FromMinutes(5),
    };

    /// <summary>Polls a search until it answers 200 (503 while the index is built or opened): the time since the start.</summary>
    public async Task<TimeSpan> WaitUntilSearchableAsync(TimeSpan limit)
    {
        using var client = Client(1);
        client.Timeout = TimeSpan.FromSeconds(30);
        while (_since.Elapsed < limit)
        {
            if (_process.HasExited)
            {
                throw new ScaleException($"the web host exited with code {_process.ExitCode}");
            }

            try
            {
                using var response = await client.GetAsync("/api/v1/search?q=synthetic&pageSize=1");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    var elapsed = _since.Elapsed;
                    _run.Log($"first search answered {elapsed.TotalSeconds:F1} s after the start; RSS {RssMb()} MB");
                    return elapsed;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }

            await Task.Delay(100);
        }

        throw new ScaleException($"no search answered within {limit.TotalMinutes:F0} minutes");
    }

    /// <summary>
    /// Waits until the work a start does after its first search has ended (the registry figures computed after the
    /// start, ADR 33; the statistics' arrays; the territory index): under 10 % of a core for three seconds in a row,
    /// the host's CPU and, on PostgreSQL, the database server's. At 100 k that work takes 13–19 s of CPU on both cores;
    /// a phase measured during it would count it as the searches' (a phase of 240 searches takes a few seconds). On
    /// PostgreSQL the figures' queries run in the server while the host waits: counting the host alone, the 2 M run of
    /// 6 December 2026 measured its searches beside a server busy on one core. Returns how long they stayed busy from
    /// the call on, and their CPU in that time.
    /// </summary>
    public async Task<StartupWork> WaitUntilQuietAsync(TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        var last = CpuTime();
        var server = _run.Postgres ? DatabaseServerTicks() : [];
        var (hostCpu, serverCpu) = (TimeSpan.Zero, TimeSpan.Zero);
        var quietSeconds = 0;
        var busy = TimeSpan.Zero;
        while (quietSeconds < 3 && clock.Elapsed < limit)
        {
            await Task.Delay(1000);
            var now = CpuTime();
            var serverNow = _run.Postgres ? DatabaseServerTicks() : [];
            // A process that ended since (a closed connection's backend) takes its ticks with it; a new one brings all of its.
            var serverDelta = TimeSpan.FromMilliseconds(10 * serverNow.Sum(p => p.Value - Math.Min(p.Value, server.GetValueOrDefault(p.Key))));
            (hostCpu, serverCpu) = (hostCpu + (now - last), serverCpu + serverDelta);
            if ((now - last + serverDelta).TotalMilliseconds < 100)
            {
                quietSeconds++;
            }
            else
            {
                quietSeconds = 0;
                busy = clock.Elapsed;
            }

            (last, server) = (now, serverNow);
        }

        var work = new StartupWork(busy, hostCpu, quietSeconds >= 3, serverCpu);
        _run.Log(string.Create(CultureInfo.InvariantCulture, $"host busy {work.Busy.TotalSeconds:F1} s more ({work.Cpu.TotalSeconds:F1} s of CPU")
            + (_run.Postgres ? string.Create(CultureInfo.InvariantCulture, $", and {serverCpu.TotalSeconds:F1} s of the database server's)") : ")")
            + (work.Quiet ? "; quiet now" : $"; still busy after {limit.TotalMinutes:F0} minutes, going on anyway"));
        return work;
    }

    /// <summary>Each PostgreSQL server process's CPU so far (utime + stime, clock ticks), by process id, from /proc.</summary>
    private static Dictionary<int, long> DatabaseServerTicks()
    {
        var ticks = new Dictionary<int, long>();
        foreach (var folder in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(folder), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            try
            {
                var stat = File.ReadAllText(Path.Combine(folder, "stat"));
                // The command name (the kernel's, which a backend's changed title does not change) is in parentheses.
                if (stat.AsSpan(stat.IndexOf('(') + 1, stat.LastIndexOf(')') - stat.IndexOf('(') - 1) is not "postgres")
                {
                    continue;
                }

                ticks[pid] = CpuTicks(stat);
            }
            catch (IOException)
            {
                // The process ended between the listing and the read.
            }
        }

        return ticks;
    }

    public TimeSpan CpuTime() => TimeSpan.FromMilliseconds(CpuTicks(File.ReadAllText($"/proc/{_process.Id}/stat")) * 10);

    /// <summary>A process's CPU so far from its /proc/&lt;pid&gt;/stat line: utime and stime, fields 14 and 15, in clock ticks (100 per second on Linux).</summary>
    private static long CpuTicks(string stat)
    {
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
    }

    public long RssMb() => Status("VmRSS:");

    public long PeakRssMb() => Status("VmHWM:");

    private long Status(string key) => StatusKb(key) is var kb and >= 0 ? kb / 1024 : -1;

    private long StatusKb(string key)
    {
        var line = File.ReadLines($"/proc/{_process.Id}/status").FirstOrDefault(l => l.StartsWith(key, StringComparison.Ordinal));
        return line is null ? -1 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Stops the host as a service manager does, with SIGTERM: it shuts down gracefully (and saves the search index's
    /// table file, ADR 7 "Restart"), so the next start is a real restart; killed if it has not exited within 30 s.
    /// </summary>
    public void Dispose()
    {
        _anonSampler.Dispose();
        if (!_process.HasExited)
        {
            using (var term = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-TERM", _process.Id.ToString(CultureInfo.InvariantCulture) } }))
            {
                term?.WaitForExit(5_000);
            }

            if (!_process.WaitForExit(30_000))
            {
                _run.Log("the web host did not stop within 30 s of SIGTERM; killed");
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(10_000);
            }
        }

        _process.Dispose();
    }
}

/// <summary>What a start did after its first search: how long it stayed busy, its CPU, and whether it ended in the wait.</summary>
internal sealed record StartupWork(TimeSpan Busy, TimeSpan Cpu, bool Quiet, TimeSpan ServerCpu = default);

internal static class ScaleProcess
{
    public static async Task<(int Code, string Output, string Error)> RunAsync(
        string file, IEnumerable<string> arguments, IReadOnlyDictionary<string, string?>? environment, string? workingDirectory = null)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workingDirectory ?? "" };
        foreach (var a in arguments)
        {
            info.ArgumentList.Add(a);
        }

        foreach (var (k, v) in environment ?? new Dictionary<string, string?>())
        {
            info.Environment[k] = v;
        }

        using var process = Process.Start(info) ?? throw new ScaleException($"could not start {file}");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output, await error);
    }
}
