using Microsoft.EntityFrameworkCore;

using Passerelle.Core.Accounts;
using Passerelle.Core.Data;
using Passerelle.Core.Data.Backup;
using Passerelle.Core.DefaultData;
using Passerelle.Core.History;
using Passerelle.Core.Imports;

namespace Passerelle.Web;

/// <summary>
/// Maintenance commands run by the same host as the portal, so they share its configuration:
/// `dotnet run --project src/Passerelle.Web -- migrate` (or the published Passerelle.Web binary with the same words).
/// </summary>
public static class Commands
{
    private static readonly Dictionary<string, string> Known = new(StringComparer.Ordinal)
    {
        ["migrate"] = "apply pending database migrations",
        ["seed"] = "load the default data (idempotent)",
        ["import-territories"] = "import NUTS regions, municipalities and programme areas (idempotent, all-or-nothing)",
        ["backup"] = "backup <file>: copy the whole database to a file (SQLite backup API, PostgreSQL pg_dump -Fc)",
        ["restore"] = "restore <file>: replace the database's content with a backup made by `backup`",
        ["import"] = "import projects|partners <file.csv|file.xlsx> [--source-title \"...\"] [--source-url \"...\"]: keep.eu-style tables; import kohesio <file.csv> [--programme <slug>] [--language en|fr|nl|de] [--unlisted-cci]: a Kohesio list of operations; exit 2 and nothing written on any error",
        ["reindex"] = "rebuild the search index from the database",
        ["users"] = "users add --admin|--editor|--viewer <e-mail> [--name \"...\"] [--programme <slug>]... [--grouping <slug>]... | users link <e-mail> | users list: accounts; prints a one-time link to choose the password",
    };

    /// <summary>The commands' names, in the order `help` lists them.</summary>
    public static IEnumerable<string> Names => Known.Keys;

    /// <summary>
    /// The command the arguments name, or null to run the web host: its arguments are then configuration
    /// (<c>--key=value</c>, <c>--key value</c>, <c>/key=value</c>, <c>key=value</c>).
    /// </summary>
    /// <exception cref="UsageException">The first argument is a word that names no command (a typo).</exception>
    public static string? Find(string[] args)
    {
        if (args.Length == 0)
        {
            return null;
        }

        var first = args[0];
        if (Known.ContainsKey(first) || IsHelp(first))
        {
            return first;
        }

        if (first.StartsWith('-') || first.StartsWith('/') || first.Contains('=', StringComparison.Ordinal))
        {
            return null;
        }

        throw new UsageException($"unknown command '{first}'; the commands are {string.Join(", ", Known.Keys)} (`help` describes them)");
    }

    /// <summary>
    /// `help`, and the spellings an operator tries first. `--help` must not fall through to the web host, which would
    /// take it as a configuration switch and start serving.
    /// </summary>
    private static bool IsHelp(string argument) => argument is "help" or "--help" or "-h" or "-?" or "--help-commands";

    public static async Task<int> RunAsync(WebApplication app, string command, string[] args)
    {
        if (IsHelp(command))
        {
            foreach (var (name, help) in Known)
            {
                Console.WriteLine($"  {name,-20} {help}");
            }

            Console.WriteLine("  --verbose            (anywhere) print stack traces with errors");
            return ExitCodes.Success;
        }

        // The settings the web host checks at its start (ValidateOnStart: OpenID Connect, SMTP, ...) are checked before
        // a command too, so that `users add` with a half-configured Smtp section stops before it creates anyone.
        app.Services.GetService<Microsoft.Extensions.Options.IStartupValidator>()?.Validate();

        await using var scope = app.Services.CreateAsyncScope();
        var services = scope.ServiceProvider;
        if (command == "import")
        {
            return await ImportAsync(services, args);
        }

        if (command == "users")
        {
            return await UsersAsync(services, args);
        }

        var positional = Positional(args);
        var expected = command is "backup" or "restore" ? 1 : 0;
        if (positional.Count != expected)
        {
            throw new UsageException(expected == 1 ? $"usage: {command} <file>" : $"usage: {command} (it takes no argument; got '{positional[0]}')");
        }

        // Before anything opens the database: a file that is not a Passerelle database is refused, not migrated.
        services.GetRequiredService<DatabaseFileCheck>().Check();
        var initializer = services.GetRequiredService<DatabaseInitializer>();
        switch (command)
        {
            case "migrate":
                await initializer.MigrateAsync();
                Console.WriteLine("Database migrated.");
                return ExitCodes.Success;
            case "seed":
                // Several instances (or deploy jobs) may seed at once on PostgreSQL: the lock makes them take turns,
                // and the second finds the data current and writes nothing.
                await using (await services.GetRequiredService<WriteLock>().AcquireAsync("seed"))
                {
                    var result = await initializer.SeedAsync(Actor.Command("seed", initializer.DefaultDataPath));
                    Console.WriteLine(result.Changed
                        ? $"Default data written ({result.Programmes} programmes, {result.Groupings} groupings, {result.Projects} projects, {result.Organisations} organisations, {result.Facts} facts, {result.Sources} sources): {result.Revisions} changes recorded."
                        : "Default data unchanged: nothing written.");
                }

                return ExitCodes.Success;
            case "import-territories":
                await using (await services.GetRequiredService<WriteLock>().AcquireAsync("territory import"))
                {
                    var imported = await initializer.ImportTerritoriesAsync(Actor.Command("import-territories"));
                    Console.WriteLine(imported.Changed
                        ? $"Territories imported: {imported.Nuts} NUTS regions, {imported.Municipalities} municipalities, {imported.ProgrammeAreaUnits} programme-area units, {imported.GroupingUnits} grouping municipalities; MEL-Belgium border {imported.BorderKm:F1} km."
                        : "Territory files unchanged: nothing imported.");
                }

                return ExitCodes.Success;
            case "backup":
                await services.GetRequiredService<DatabaseBackup>().BackupAsync(positional[0]);
                Console.WriteLine($"Database backed up to {Path.GetFullPath(positional[0])}.");
                await AuditAsync(services, AuditKind.Backup, "backup", Path.GetFullPath(positional[0]), $"{new FileInfo(positional[0]).Length:N0} bytes");
                return ExitCodes.Success;
            case "restore":
                var restored = await services.GetRequiredService<DatabaseBackup>().RestoreAsync(positional[0]);
                if (restored.PreviousBackup is { } previous)
                {
                    Console.WriteLine($"The replaced database was backed up to {previous}.");
                }

                Console.WriteLine($"Database restored from {Path.GetFullPath(positional[0])}" +
                    (restored.MigrationsApplied > 0 ? $", then {restored.MigrationsApplied} migration(s) applied" : "") +
                    ". Running instances reload on their next change-feed poll.");
                // Recorded in the database as restored (the entry of the replaced one is in its automatic backup).
                await AuditAsync(services, AuditKind.Restore, "restore", Path.GetFullPath(positional[0]),
                    (restored.PreviousBackup is { } replaced ? $"replaced database backed up to {replaced}" : "nothing replaced")
                    + (restored.MigrationsApplied > 0 ? $"; {restored.MigrationsApplied} migration(s) applied" : ""));
                return ExitCodes.Success;
            default: // reindex
                var indexed = await services.GetRequiredService<Passerelle.Core.Search.SearchIndex>().RebuildAsync();
                Console.WriteLine($"Search index rebuilt: {indexed} documents.");
                return ExitCodes.Success;
        }
    }

    /// <summary>
    /// Records what a command did in the audit log (ADR 0013), with the operating-system account that ran it, in a scope
    /// of its own (the command's context may still track what it wrote). The work is done by then: when the entry cannot
    /// be written, the command says so on stderr and still succeeds.
    /// </summary>
    private static async Task AuditAsync(IServiceProvider services, AuditKind kind, string command, string? subject, string detail)
    {
        try
        {
            await using var scope = services.GetRequiredService<IServiceScopeFactory>().CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<AuditLog>().RecordAsync(kind, command, subject: subject, detail: $"{detail}; run by {Environment.UserName}");
        }
        catch (Exception e) when (e is DbUpdateException or System.Data.Common.DbException or InvalidOperationException)
        {
            Console.Error.WriteLine($"warning: the audit log could not record this {command}: {e.Message}");
        }
    }

    /// <summary>The command's own arguments: after its name, without configuration given as --key=value or /key=value.</summary>
    private static List<string> Positional(string[] args) =>
        [.. args.Skip(1).Where(a => !((a.StartsWith('-') || a.StartsWith('/')) && a.Contains('=', StringComparison.Ordinal)))];

    private const string ImportUsage = "usage: import projects|partners <file.csv|file.xlsx> [--source-title \"...\"] [--source-url \"...\"] | import kohesio <file.csv> [--programme <slug>] [--language en|fr|nl|de] [--unlisted-cci] [--source-title \"...\"] [--source-url \"...\"]";

    /// <summary>`import projects|partners|kohesio &lt;file&gt; [--source-title "..."] [--source-url "..."]` (kohesio: [--programme slug] [--language xx]).</summary>
    private static async Task<int> ImportAsync(IServiceProvider services, string[] args)
    {
        var positional = new List<string>();
        string? title = null, url = null, programme = null, language = null;
        var unlistedCci = false;
        var rest = Positional(args);
        for (var i = 0; i < rest.Count; i++)
        {
            switch (rest[i])
            {
                case "--source-title" when i + 1 < rest.Count:
                    title = rest[++i];
                    break;
                case "--source-url" when i + 1 < rest.Count:
                    url = rest[++i];
                    break;
                case "--programme" when i + 1 < rest.Count && positional.FirstOrDefault() == "kohesio":
                    programme = rest[++i];
                    break;
                case "--language" when i + 1 < rest.Count && positional.FirstOrDefault() == "kohesio":
                    language = rest[++i];
                    break;
                case "--unlisted-cci" when positional.FirstOrDefault() == "kohesio":
                    unlistedCci = true;
                    break;
                case var option when option.StartsWith("--", StringComparison.Ordinal):
                    throw new UsageException($"unknown or incomplete option '{option}'; {ImportUsage}");
                default:
                    positional.Add(rest[i]);
                    break;
            }
        }

        ImportTable? table = positional.FirstOrDefault() switch
        {
            "projects" => ImportTable.Projects,
            "partners" => ImportTable.Partners,
            "kohesio" => ImportTable.Kohesio,
            _ => null,
        };
        if (table is null || positional.Count != 2)
        {
            throw new UsageException(ImportUsage);
        }

        if (language is not null && !KohesioImporter.Languages.Contains(language))
        {
            throw new UsageException($"--language must be one of {string.Join(", ", KohesioImporter.Languages)}; {ImportUsage}");
        }

        var file = Path.GetFullPath(positional[1]);
        if (!File.Exists(file))
        {
            throw new FileNotFoundException($"Import file not found: {file}", file);
        }

        // The lock before anything touches the database: a second import is told at once that one is running, instead
        // of waiting on SQLite's busy timeout and failing half a minute later with "database is locked".
        await using var held = await services.GetRequiredService<WriteLock>().AcquireAsync("import");
        services.GetRequiredService<DatabaseFileCheck>().Check();

        // The same start-up as the web host (migrations for SQLite, default data into an empty database), so that an
        // import into a new installation finds the programmes.
        await services.GetRequiredService<DatabaseInitializer>().InitializeOnStartAsync();
        var report = table == ImportTable.Kohesio
            ? await services.GetRequiredService<KohesioImporter>().ImportAsync(file, new KohesioImportOptions(programme, language, title, url, unlistedCci))
            : await services.GetRequiredService<KeepImporter>().ImportAsync(table.Value, file, new ImportSourceOptions(title, url));
        // The report (with every error's row and column) on stdout; the failure's one line on stderr.
        Console.Out.Write(report.Format());
        await AuditAsync(services, AuditKind.Import, $"import {positional[0]}", file, report.Succeeded
            ? $"created {report.Created}, updated {report.Updated}, unchanged {report.Unchanged}" + (title is null ? "" : $"; source \"{title}\"")
            : $"refused: {report.ErrorCount} {(report.ErrorCount == 1 ? "error" : "errors")}, nothing written");
        if (!report.Succeeded)
        {
            Console.Error.WriteLine($"error: {report.File}: {report.ErrorCount} {(report.ErrorCount == 1 ? "error" : "errors")} in the file (listed above); nothing was written.");
            return ExitCodes.BadInput;
        }

        return ExitCodes.Success;
    }

    private const string UsersUsage = "usage: users add --admin|--editor|--viewer <e-mail> [--name \"...\"] [--programme <slug>]... [--grouping <slug>]... | users link <e-mail> | users list";

    /// <summary>
    /// Accounts from a shell, above all the first administrator: no password is ever typed here (it would stay in the
    /// shell's history); the command prints a one-time link on which the person chooses it.
    /// </summary>
    private static async Task<int> UsersAsync(IServiceProvider services, string[] args)
    {
        var rest = Positional(args);
        string? name = null;
        Passerelle.Core.Accounts.AccessRole? role = null;
        List<string> programmes = [], groupings = [], positional = [];
        for (var i = 0; i < rest.Count; i++)
        {
            switch (rest[i])
            {
                case "--admin":
                    role = Passerelle.Core.Accounts.AccessRole.Administrator;
                    break;
                case "--editor":
                    role = Passerelle.Core.Accounts.AccessRole.Editor;
                    break;
                case "--viewer":
                    role = Passerelle.Core.Accounts.AccessRole.Viewer;
                    break;
                case "--name" when i + 1 < rest.Count:
                    name = rest[++i];
                    break;
                case "--programme" when i + 1 < rest.Count:
                    programmes.Add(rest[++i]);
                    break;
                case "--grouping" when i + 1 < rest.Count:
                    groupings.Add(rest[++i]);
                    break;
                case var option when option.StartsWith("--", StringComparison.Ordinal):
                    throw new UsageException($"unknown or incomplete option '{option}'; {UsersUsage}");
                default:
                    positional.Add(rest[i]);
                    break;
            }
        }

        services.GetRequiredService<DatabaseFileCheck>().Check();
        await services.GetRequiredService<DatabaseInitializer>().InitializeOnStartAsync();
        var db = services.GetRequiredService<PasserelleDbContext>();
        var directory = services.GetRequiredService<Passerelle.Core.Accounts.UserDirectory>();
        var configuration = services.GetRequiredService<IConfiguration>();
        var links = services.GetRequiredService<Areas.Admin.Pages.Users.PasswordLinks>();
        switch (positional)
        {
            case ["list"]:
                foreach (var u in await db.Users.AsNoTracking().OrderBy(u => u.Email).ToListAsync())
                {
                    Console.WriteLine($"{u.Email}\t{u.DisplayName}\t{u.Role}{(u.TwoFactorEnabled ? "\tauthenticator" : "")}{(u.DisabledAt is null ? "" : "\tdisabled")}");
                }

                return ExitCodes.Success;
            case ["add", var email] when role is not null:
                var programmeIds = await IdsAsync(db.Programmes.Select(p => new { p.Id, p.Slug }).ToListAsync(), programmes, "programme", x => x.Slug, x => x.Id);
                var groupingIds = await IdsAsync(db.Groupings.Select(g => new { g.Id, g.Slug }).ToListAsync(), groupings, "grouping", x => x.Slug, x => x.Id);
                var user = await directory.CreateAsync(email, name ?? email, role.Value, programmeIds, groupingIds, "users add");
                Console.WriteLine($"User {user.Email} created ({role.Value}).");
                return PrintLink(configuration, await links.IssueAsync(user, "users add", user.Language, newAccount: true));
            case ["link", var email]:
                var existing = await services.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<Passerelle.Core.Accounts.User>>().FindByEmailAsync(email)
                    ?? throw new UsageException($"no user has the e-mail {email} (`users list` shows them)");
                Console.WriteLine($"New password link for {existing.Email}.");
                return PrintLink(configuration, await links.IssueAsync(existing, "users link", existing.Language, newAccount: false));
            default:
                throw new UsageException(UsersUsage);
        }
    }

    private static async Task<List<int>> IdsAsync<T>(Task<List<T>> all, List<string> slugs, string kind, Func<T, string> slug, Func<T, int> id)
    {
        var known = (await all).ToDictionary(slug, id, StringComparer.OrdinalIgnoreCase);
        return [.. slugs.Select(s => known.TryGetValue(s, out var found) ? found
            : throw new UsageException($"no {kind} has the slug '{s}'; the {kind}s are {string.Join(", ", known.Keys.Order(StringComparer.Ordinal))}"))];
    }

    /// <summary>
    /// Says where the link went: mailed (SMTP set), or printed for the administrator to pass on. A failed mail prints the
    /// link too, so nothing is lost, and ends with the mail exit code (the account itself is made).
    /// </summary>
    private static int PrintLink(IConfiguration configuration, Areas.Admin.Pages.Users.PasswordLinkResult issued)
    {
        if (issued.Mailed)
        {
            Console.WriteLine($"One-time link to choose the password (valid 3 days) sent by e-mail to {issued.Email}.");
            return ExitCodes.Success;
        }

        Console.WriteLine($"One-time link to choose the password (valid 3 days): {issued.Link}");
        if (string.IsNullOrEmpty(configuration["PublicUrl"]))
        {
            Console.WriteLine("(after the portal's address, e.g. http://localhost:5080; set PublicUrl to print whole links)");
        }

        if (issued.MailError is null)
        {
            return ExitCodes.Success;
        }

        Console.Error.WriteLine($"error: the e-mail to {issued.Email} could not be sent ({issued.MailError}); give them the link above yourself");
        return ExitCodes.MailFailed;
    }
}
