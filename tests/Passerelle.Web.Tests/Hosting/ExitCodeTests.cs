using System.Net;
using System.Net.Sockets;

using Microsoft.AspNetCore.Connections;

using Npgsql;

using Passerelle.Web.Tests.Infrastructure;

namespace Passerelle.Web.Tests.Hosting;

/// <summary>
/// The real executable, started wrongly in the ways an operator does: each failure is one `error:` line on stderr and
/// the exit code README documents, with no stack trace unless --verbose.
/// </summary>
public sealed class ExitCodeTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("passerelle-exit-").FullName;

    [Fact]
    public async Task Start_DatabaseFileIsNotSqlite_Exits3WithOneLine()
    {
        var file = Path.Combine(_folder, "notes.txt");
        await File.WriteAllTextAsync(file, "These are notes, not a database.\n", TestContext.Current.CancellationToken);

        var result = await PasserelleProcess.RunAsync(PasserelleProcess.Sqlite(file), "--urls=http://127.0.0.1:0");

        result.AssertOneErrorLine(3);
        Assert.Contains("is not a SQLite database", result.Stderr, StringComparison.Ordinal);
        Assert.Contains(file, result.Stderr, StringComparison.Ordinal);
        Assert.Equal("These are notes, not a database.\n", await File.ReadAllTextAsync(file, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Migrate_SqliteDatabaseOfAnotherApplication_Exits3AndAddsNoTable()
    {
        var file = Path.Combine(_folder, "other.db");
        await using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={file};Pooling=False"))
        {
            await connection.OpenAsync(TestContext.Current.CancellationToken);
            await using var command = connection.CreateCommand();
            command.CommandText = "CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL); INSERT INTO invoices VALUES (1, 12.5);";
            await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }

        var before = PasserelleProcess.Hash(file);

        var result = await PasserelleProcess.RunAsync(PasserelleProcess.Sqlite(file), "migrate");

        result.AssertOneErrorLine(3);
        Assert.Contains("not a Passerelle one", result.Stderr, StringComparison.Ordinal);
        Assert.Equal(before, PasserelleProcess.Hash(file));
    }

    [Fact]
    public async Task Start_PostgresServerUnreachable_Exits3WithOneLine()
    {
        var port = FreePort();
        var settings = new Dictionary<string, string>
        {
            ["Database:Provider"] = "Postgres",
            ["ConnectionStrings:Passerelle"] = $"Host=127.0.0.1;Port={port};Database=passerelle;Username=passerelle;Timeout=5",
        };

        var result = await PasserelleProcess.RunAsync(settings, "--urls=http://127.0.0.1:0");

        result.AssertOneErrorLine(3);
        Assert.Contains("Cannot reach the PostgreSQL server", result.Stderr, StringComparison.Ordinal);
        Assert.Contains($"127.0.0.1:{port}", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_PortInUse_Exits6WithOneLine()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var settings = PasserelleProcess.Sqlite(Path.Combine(_folder, "passerelle.db"));
        // Only the migrations: the default data and the search index are not what this test is about.
        settings["Database:SeedOnStart"] = "false";

        var result = await PasserelleProcess.RunAsync(settings, $"--urls=http://127.0.0.1:{port}");

        result.AssertOneErrorLine(6);
        Assert.Contains($"127.0.0.1:{port}", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("address already in use", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Migrate_DatabaseFolderCannotBeCreated_Exits4WithOneLine()
    {
        // A folder under a regular file cannot be created, whoever runs the test (root ignores permissions).
        var file = Path.Combine(_folder, "a-file");
        await File.WriteAllTextAsync(file, "x", TestContext.Current.CancellationToken);

        var result = await PasserelleProcess.RunAsync(PasserelleProcess.Sqlite(Path.Combine(file, "data", "passerelle.db")), "migrate");

        result.AssertOneErrorLine(4);
        Assert.Contains($"Cannot create the folder {Path.Combine(file, "data")}", result.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("import", "bogus")]
    [InlineData("import", "projects")]
    [InlineData("import", "projects", "a.csv", "--source-tittle", "x")]
    [InlineData("restore")]
    [InlineData("migrate", "now")]
    [InlineData("imprt", "projects", "a.csv")]
    public async Task Command_BadUsage_Exits2WithOneLine(params string[] arguments)
    {
        var result = await PasserelleProcess.RunAsync(PasserelleProcess.Sqlite(Path.Combine(_folder, "passerelle.db")), arguments);

        result.AssertOneErrorLine(2);
        Assert.False(File.Exists(Path.Combine(_folder, "passerelle.db")), "a usage error opened the database");
    }

    [Theory]
    [InlineData("help")]
    [InlineData("--help")]
    [InlineData("-h")]
    public async Task Help_AnySpelling_ListsTheCommandsAndExits0WithoutStarting(string argument)
    {
        var result = await PasserelleProcess.RunAsync(PasserelleProcess.Sqlite(Path.Combine(_folder, "passerelle.db")), argument);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.NotEmpty(Commands.Names);
        foreach (var command in Commands.Names)
        {
            Assert.Matches($@"(?m)^  {command} ", result.Stdout);
        }

        Assert.Equal("", result.Stderr);
        Assert.False(File.Exists(Path.Combine(_folder, "passerelle.db")), "help opened the database");
    }

    [Fact]
    public async Task Import_FileMissing_Exits4WithOneLine()
    {
        var missing = Path.Combine(_folder, "missing.csv");

        var result = await PasserelleProcess.RunAsync(PasserelleProcess.Sqlite(Path.Combine(_folder, "passerelle.db")), "import", "projects", missing);

        result.AssertOneErrorLine(4);
        Assert.Contains(missing, result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_VerboseAnywhere_PrintsTheStackTraceThenTheErrorLine()
    {
        var port = FreePort();
        var settings = new Dictionary<string, string>
        {
            ["Database:Provider"] = "Postgres",
            ["ConnectionStrings:Passerelle"] = $"Host=127.0.0.1;Port={port};Database=passerelle;Username=passerelle;Timeout=5",
        };

        var result = await PasserelleProcess.RunAsync(settings, "--urls=http://127.0.0.1:0", "--verbose");

        Assert.True(result.ExitCode == 3, result.ToString());
        Assert.Matches(@"(?m)^\s+at \S+\(", result.Stderr);
        Assert.StartsWith("error: Cannot reach the PostgreSQL server", result.StderrLines[^1], StringComparison.Ordinal);
        Assert.Single(result.StderrLines, l => l.StartsWith("error:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Seed_PostgresDatabaseMissing_Exits3SayingToCreateIt()
    {
        var settings = new Dictionary<string, string>
        {
            ["Database:Provider"] = "Postgres",
            ["ConnectionStrings:Passerelle"] = new NpgsqlConnectionStringBuilder(TestPostgres.ServerConnectionString)
            {
                Database = $"passerelle_missing_{Guid.NewGuid():N}",
            }.ToString(),
        };

        var result = await PasserelleProcess.RunAsync(settings, "seed");

        result.AssertOneErrorLine(3);
        Assert.Contains("does not exist", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("Create it", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Classify_KestrelBindFailure_IsCannotListenWithKestrelsMessage()
    {
        var failure = new IOException("Failed to bind to address http://127.0.0.1:5080: address already in use.",
            new AddressInUseException("Address already in use", new SocketException((int)SocketError.AddressAlreadyInUse)));

        var (code, message) = ExitCodes.Classify(failure);

        Assert.Equal(ExitCodes.CannotListen, code);
        Assert.StartsWith("Failed to bind to address http://127.0.0.1:5080", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Classify_MultiLineUnexpectedFailure_IsOneLine()
    {
        var (code, message) = ExitCodes.Classify(new InvalidOperationException("first line\nsecond line"));

        Assert.Equal(ExitCodes.Unexpected, code);
        Assert.DoesNotContain('\n', message);
        Assert.Contains("--verbose", message, StringComparison.Ordinal);
    }

    [Fact]
    public void ConsoleLogFormatter_Exception_IsOneLineWithItsCauses()
    {
        Exception failure;
        try
        {
            throw new IOException("outer", new InvalidOperationException("inner"));
        }
        catch (IOException e)
        {
            failure = e;
        }

        Assert.Equal("IOException: outer ---> InvalidOperationException: inner", ConsoleLogFormatter.OneLine(failure));
    }

    [Fact]
    public void ConsoleLogFormatter_MessageEmbeddingAnException_LosesOnlyTheFrames()
    {
        const string message = "An exception occurred while iterating over the results of a query.\n" +
            "Npgsql.PostgresException (0x80004005): 3D000: database \"x\" does not exist\n" +
            "   at Npgsql.Internal.NpgsqlConnector.ReadMessageLong(Boolean async, DataRowLoadingMode dataRowLoadingMode)\n" +
            "--- End of stack trace from previous location ---\n" +
            "   at Npgsql.Internal.NpgsqlConnector.<Open>g__OpenCore|209_0(NpgsqlConnector conn)";

        Assert.Equal(
            "An exception occurred while iterating over the results of a query.\nNpgsql.PostgresException (0x80004005): 3D000: database \"x\" does not exist",
            ConsoleLogFormatter.WithoutStackFrames(message));
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
