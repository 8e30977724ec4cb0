using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

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
    public sealed class Running : IDisposable
    {
        private readonly Process _process;
        private readonly StringBuilder _stdout = new();
        private readonly Task _stdoutPump;
        private readonly Task<string> _stderr;

        public Running(Process process)
        {
            _process = process;
            _stdoutPump = PumpAsync(process.StandardOutput, _stdout);
            _stderr = process.StandardError.ReadToEndAsync();
        }

        public Process Process => _process;

        /// <summary>What the process has written on stdout (its console log) so far.</summary>
        public string Stdout
        {
            get
            {
                lock (_stdout)
                {
                    return _stdout.ToString();
                }
            }
        }

        private static async Task PumpAsync(StreamReader reader, StringBuilder into)
        {
            var buffer = new char[8192];
            int read;
            while ((read = await reader.ReadAsync(buffer)) > 0)
            {
                lock (into)
                {
                    into.Append(buffer, 0, read);
                }
            }
        }

        public async Task<ProcessResult> WaitAsync()
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
            timeout.CancelAfter(Bound);
            try
            {
                await _process.WaitForExitAsync(timeout.Token);
            }
            finally
            {
                if (!_process.HasExited)
                {
                    _process.Kill(entireProcessTree: true);
                }
            }

            await _stdoutPump;
            return new ProcessResult(_process.ExitCode, Stdout, await _stderr);
        }

        /// <summary>
        /// Waits until the process has written <paramref name="text"/> on stdout (a bound against a hang, not a timing
        /// check); fails with its output if it exits first.
        /// </summary>
        public async Task WaitForOutputAsync(string text)
        {
            var deadline = DateTime.UtcNow + Bound;
            while (!Stdout.Contains(text, StringComparison.Ordinal))
            {
                if (_process.HasExited)
                {
                    var result = await WaitAsync();
                    if (result.Stdout.Contains(text, StringComparison.Ordinal))
                    {
                        return;
                    }

                    Assert.Fail($"the process ended without writing \"{text}\"; {result}");
                }

                if (DateTime.UtcNow > deadline)
                {
                    Assert.Fail($"the process did not write \"{text}\" within {Bound.TotalSeconds} s; stdout so far:\n{Stdout}");
                }

                await Task.Delay(100, TestContext.Current.CancellationToken);
            }
        }

        /// <summary>kill -9: the process ends at once, running nothing of its own (no finally, no dispose, no rollback).</summary>
        public Task<ProcessResult> KillAsync()
        {
            _process.Kill();
            return WaitAsync();
        }

        /// <summary>A graceful stop, as a service manager does it (SIGTERM), and the process's result.</summary>
        public async Task<ProcessResult> StopAsync()
        {
            using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync(TestContext.Current.CancellationToken);
            }

            return await WaitAsync();
        }

        public void Dispose()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            _process.Dispose();
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
