using System.Diagnostics;
using System.Security.Cryptography;

namespace Passerelle.Web.Tests.Hosting;

/// <summary>What a run of the real executable printed and returned.</summary>
public sealed record ProcessResult(int ExitCode, string Stdout, string Stderr)
{
    public string[] StderrLines => Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public override string ToString() => $"exit code {ExitCode}\n--- stderr:\n{Stderr}\n--- stdout:\n{Stdout}";

    /// <summary>The failure as an operator sees it: one `error:` line on stderr, and no stack trace anywhere.</summary>
    public void AssertOneErrorLine(int exitCode)
    {
        Assert.True(exitCode == ExitCode, $"expected exit code {exitCode}; {this}");
        var line = Assert.Single(StderrLines);
        Assert.StartsWith("error: ", line, StringComparison.Ordinal);
        AssertNoStackTrace(Stderr);
        AssertNoStackTrace(Stdout);
    }

    public static void AssertNoStackTrace(string text) =>
        Assert.DoesNotMatch(@"(?m)^\s+at \S+\(", text);
}

/// <summary>
/// Runs the built Passerelle.Web.dll (next to the test binaries) as an operator does, with only the settings given here
/// as environment variables, so that nothing of the developer's own configuration leaks in.
/// </summary>
public static class PasserelleProcess
{
    // A bound, not a timing check: under a parallel test run a fresh process can take a while to start.
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(240);

    public static async Task<ProcessResult> RunAsync(IReadOnlyDictionary<string, string> settings, params string[] arguments)
    {
        using var running = Start(settings, arguments);
        return await running.WaitAsync();
    }

    /// <summary>Starts the executable; <see cref="Running.WaitAsync"/> collects its result.</summary>
    public static Running Start(IReadOnlyDictionary<string, string> settings, params string[] arguments)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Passerelle.Web.dll"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (key, value) in settings)
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        return new Running(Process.Start(start)!);
    }

    /// <summary>A started process, its output read as it comes so that a full pipe never blocks it.</summary>
    public sealed class Running(Process process) : IDisposable
    {
        private readonly Task<string> _stdout = process.StandardOutput.ReadToEndAsync();
        private readonly Task<string> _stderr = process.StandardError.ReadToEndAsync();

        public Process Process => process;

        public async Task<ProcessResult> WaitAsync()
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
            timeout.CancelAfter(Bound);
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            finally
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                }
            }

            return new ProcessResult(process.ExitCode, await _stdout, await _stderr);
        }

        public void Dispose()
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            process.Dispose();
        }
    }

    /// <summary>Settings for a SQLite file, without the start-up's optional steps that these tests do not need.</summary>
    public static Dictionary<string, string> Sqlite(string file) => new()
    {
        ["Database:Provider"] = "Sqlite",
        ["ConnectionStrings:Passerelle"] = $"Data Source={file}",
        ["Territories:ImportOnStart"] = "false",
    };

    /// <summary>The database's content as a hash: the main file and its write-ahead log, where committed pages may wait.</summary>
    public static string Hash(string databaseFile)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(File.ReadAllBytes(databaseFile));
        var wal = databaseFile + "-wal";
        sha.AppendData(File.Exists(wal) ? File.ReadAllBytes(wal) : []);
        return Convert.ToHexString(sha.GetHashAndReset());
    }
}
