using System.Net;
using System.Net.Http.Headers;
using System.Text;

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

using Passerelle.Core.Data;
using Passerelle.Core.Exports;
using Passerelle.Core.Projects;
using Passerelle.Web.Api;
using Passerelle.Web.Tests.Infrastructure;

namespace Passerelle.Web.Tests.Exports;

public sealed class SqliteExportFilesTests(SqliteClockedApp app) : ExportFilesTests<SqliteClockedApp>(app);

public sealed class PostgresExportFilesTests(PostgresClockedApp app) : ExportFilesTests<PostgresClockedApp>(app);

/// <summary>
/// The full exports are published as files written once per state of the registry and served from disk (ADR 34): the
/// same bytes and headers as a download written from the database, with ranges and an entity tag; a write, or a new
/// day, makes the file old, and the download is written from the database again until the next file is written.
/// </summary>
public abstract class ExportFilesTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : PasserelleApp, IClockedApp
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private ExportFiles Files => app.Services.GetRequiredService<ExportFiles>();

    private async Task<(HttpResponseMessage Response, byte[] Body)> GetAsync(string path, Action<HttpRequestHeaders>? headers = null)
    {
        using var client = app.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        headers?.Invoke(request.Headers);
        var response = await client.SendAsync(request, Ct);
        return (response, await response.Content.ReadAsByteArrayAsync(Ct));
    }

    /// <summary>A published project with an acronym no other has: the registry moves, and the exports must show it.</summary>
    private Task<string> WriteProjectAsync() => app.WriteAsync(session =>
    {
        var acronym = "EXPFILE" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        var project = session.Create(new Project { Slug = acronym.ToLowerInvariant(), Acronym = acronym, ProgrammeCode = "EXPFILE-TEST" });
        project.Title = new() { En = "Written by " + acronym };
        return Task.FromResult(acronym);
    });

    [Theory]
    [InlineData("/api/v1/exports/operations.csv", "operations")]
    [InlineData("/api/v1/exports/kohesio.csv", "kohesio")]
    [InlineData("/api/v1/exports/keep/projects.csv", "keep-projects")]
    [InlineData("/api/v1/exports/keep/partners.csv", "keep-partners")]
    [InlineData("/api/v1/projects/export.csv", "projects")]
    [InlineData("/api/v1/organisations/export.csv", "organisations")]
    public async Task FullCsv_OnceItsFileIsWritten_ServedFromItWithTheSameBytesHeadersRangesAndTag(string path, string name)
    {
        await WriteProjectAsync();

        var (live, liveBody) = await GetAsync(path);
        await Files.WritingAsync(name);
        var (file, fileBody) = await GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Null(live.Headers.ETag);
        Assert.Equal(HttpStatusCode.OK, file.StatusCode);
        Assert.NotNull(file.Headers.ETag);
        Assert.NotNull(file.Content.Headers.LastModified);
        Assert.Contains("bytes", file.Headers.AcceptRanges);
        Assert.Equal(Encoding.UTF8.GetString(liveBody), Encoding.UTF8.GetString(fileBody));
        Assert.Equal(live.Content.Headers.ContentType?.ToString(), file.Content.Headers.ContentType?.ToString());
        Assert.Equal(live.Content.Headers.ContentDisposition?.FileNameStar, file.Content.Headers.ContentDisposition?.FileNameStar);
        Assert.Equal(
            live.Headers.TryGetValues(KohesioEndpoints.IncompleteHeader, out var a) ? a.Single() : null,
            file.Headers.TryGetValues(KohesioEndpoints.IncompleteHeader, out var b) ? b.Single() : null);

        var (unchanged, _) = await GetAsync(path, h => h.IfNoneMatch.Add(file.Headers.ETag!));
        Assert.Equal(HttpStatusCode.NotModified, unchanged.StatusCode);

        var (part, partBody) = await GetAsync(path, h => h.Range = new RangeHeaderValue(10, 29));
        Assert.Equal(HttpStatusCode.PartialContent, part.StatusCode);
        Assert.Equal(fileBody[10..30], partBody);
    }

    [Theory]
    [InlineData("/api/v1/exports/operations.csv", "?programme=", "operations")]
    [InlineData("/api/v1/exports/kohesio.csv", "?programme=&period=", "kohesio")]
    [InlineData("/api/v1/exports/keep/partners.csv", "?programme=%20", "keep-partners")]
    [InlineData("/api/v1/projects/export.csv", "?programme=&theme=&organisation=", "projects")]
    [InlineData("/api/v1/organisations/export.csv", "?country=", "organisations")]
    public async Task FullCsv_EmptyFilterValues_SameAsNoFilterAndServedFromTheFile(string path, string empty, string name)
    {
        // What a form's "all" choice sends: no filter, not "the programme whose code is empty" (no rows).
        await GetAsync(path);
        await Files.WritingAsync(name);
        var (whole, wholeBody) = await GetAsync(path);
        var (blank, blankBody) = await GetAsync(path + empty);

        Assert.Equal(HttpStatusCode.OK, blank.StatusCode);
        Assert.NotNull(blank.Headers.ETag);
        Assert.Equal(whole.Headers.ETag, blank.Headers.ETag);
        Assert.Equal(wholeBody, blankBody);
        Assert.True(wholeBody.Count(b => b == (byte)'\n') > 1, "the export has rows");
    }

    [Fact]
    public async Task FullCsv_AfterAWrite_WrittenFromTheDatabaseWithTheNewRowThenANewFile()
    {
        const string path = "/api/v1/exports/operations.csv";
        await GetAsync(path);
        await Files.WritingAsync("operations");
        var (before, _) = await GetAsync(path);
        Assert.NotNull(before.Headers.ETag);

        var acronym = await WriteProjectAsync();
        var (live, liveBody) = await GetAsync(path);
        await Files.WritingAsync("operations");
        var (after, afterBody) = await GetAsync(path);

        Assert.Null(live.Headers.ETag);
        Assert.Contains(acronym, Encoding.UTF8.GetString(liveBody), StringComparison.Ordinal);
        Assert.NotNull(after.Headers.ETag);
        Assert.NotEqual(before.Headers.ETag, after.Headers.ETag);
        Assert.Equal(liveBody, afterBody);
        // The older file is deleted once the new one is in place: one file and its headers per export.
        Assert.Equal(2, Directory.EnumerateFiles(app.ExportFilesFolder, "operations-*", SearchOption.AllDirectories).Count());
        Assert.Empty(Directory.EnumerateFiles(app.ExportFilesFolder, "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task FullCsv_TemporaryFileLeftByACrash_DeletedOnceAnHourOldWhenTheNextFileIsWritten()
    {
        const string path = "/api/v1/exports/keep/projects.csv";
        await GetAsync(path);
        await Files.WritingAsync("keep-projects");
        var folder = Path.GetDirectoryName(Directory.EnumerateFiles(app.ExportFilesFolder, "keep-projects-*", SearchOption.AllDirectories).First())!;
        // What a process killed while writing leaves: one long ago, one that may still be written by another.
        var now = app.Clock.GetUtcNow().UtcDateTime;
        var crashed = Path.Combine(folder, $"keep-projects.{Guid.NewGuid():N}.tmp");
        var recent = Path.Combine(folder, $"keep-projects.{Guid.NewGuid():N}.tmp");
        await File.WriteAllTextAsync(crashed, "partial", Ct);
        await File.WriteAllTextAsync(recent, "partial", Ct);
        File.SetLastWriteTimeUtc(crashed, now - ExportFiles.StaleTemporary - TimeSpan.FromMinutes(1));
        File.SetLastWriteTimeUtc(recent, now - TimeSpan.FromMinutes(10));
        try
        {
            await WriteProjectAsync();
            await GetAsync(path);
            await Files.WritingAsync("keep-projects");

            Assert.False(File.Exists(crashed));
            Assert.True(File.Exists(recent));
        }
        finally
        {
            File.Delete(recent);
        }
    }

    [Fact]
    public async Task FullCsv_NextDay_WrittenAgain()
    {
        // A project's status in the project list depends on today: a file of yesterday is not served today.
        const string path = "/api/v1/projects/export.csv";
        await GetAsync(path);
        await Files.WritingAsync("projects");
        var (today, _) = await GetAsync(path);
        Assert.NotNull(today.Headers.ETag);

        app.Clock.Advance(TimeSpan.FromDays(1));
        var (tomorrow, _) = await GetAsync(path);
        await Files.WritingAsync("projects");
        var (again, _) = await GetAsync(path);

        Assert.Null(tomorrow.Headers.ETag);
        Assert.NotNull(again.Headers.ETag);
        Assert.NotEqual(today.Headers.ETag, again.Headers.ETag);
    }

    [Fact]
    public async Task TryGetAsync_FileOfAnEarlierRunForTheSameState_ServedAtOnce()
    {
        await GetAsync("/api/v1/exports/keep/partners.csv");
        await Files.WritingAsync("keep-partners");
        var (served, _) = await GetAsync("/api/v1/exports/keep/partners.csv");
        Assert.NotNull(served.Headers.ETag);

        // A new process (a restart) on the same database and folder: nothing in memory, the file on disk.
        var restarted = NewExportFiles();
        await using var scope = app.Services.CreateAsyncScope();
        var file = await restarted.TryGetAsync(scope.ServiceProvider.GetRequiredService<RegistryRead>(), "keep-partners", Ct);

        Assert.NotNull(file);
        Assert.Equal(served.Headers.ETag!.ToString(), file.Tag);
    }

    [Fact]
    public async Task WriteAsync_FileCannotBeWritten_DownloadWholeNoFileAndNotTriedAgainBeforeTheRegistryMoves()
    {
        // A folder that cannot be created (under a file), as a full or read-only disk would refuse the file.
        var notAFolder = Path.Combine(app.ExportFilesFolder, "not-a-folder");
        Directory.CreateDirectory(app.ExportFilesFolder);
        await File.WriteAllTextAsync(notAFolder, "a file", Ct);
        var logger = new ErrorCounter();
        var files = NewExportFiles(new ExportFilesOptions { FullFilesPath = Path.Combine(notAFolder, "exports") }, logger);
        var attempts = 0;
        async Task Write(Stream body, CancellationToken ct)
        {
            Interlocked.Increment(ref attempts);
            await body.WriteAsync("a whole download"u8.ToArray(), ct);
        }

        // Each download is a request: a scope of its own, which reads the registry's position once.
        async Task<string> DownloadAsync()
        {
            await using var scope = app.Services.CreateAsyncScope();
            using var body = new MemoryStream();
            await files.WriteAsync(scope.ServiceProvider.GetRequiredService<RegistryRead>(), "refused", ExportFiles.NoHeaders, Write, body, Ct);
            return Encoding.UTF8.GetString(body.ToArray());
        }

        // Each failure of the file's side is logged once, as an error.
        var first = await DownloadAsync();
        var failedFirst = logger.Errors;
        var second = await DownloadAsync();
        var failedAtOnePosition = logger.Errors;
        await WriteProjectAsync();
        var third = await DownloadAsync();

        Assert.Equal(["a whole download", "a whole download", "a whole download"], new[] { first, second, third });
        Assert.Equal(3, attempts);
        Assert.Equal((1, 1, 2), (failedFirst, failedAtOnePosition, logger.Errors));
        await using var last = app.Services.CreateAsyncScope();
        Assert.Null(await files.TryGetAsync(last.ServiceProvider.GetRequiredService<RegistryRead>(), "refused", Ct));
        Assert.Equal("a file", await File.ReadAllTextAsync(notAFolder, Ct));
    }

    [Fact]
    public async Task WriteAsync_DownloadFails_FailsAndLeavesNoFile()
    {
        static async Task Write(Stream body, CancellationToken ct)
        {
            await body.WriteAsync("half a file"u8.ToArray(), ct);
            throw new InvalidOperationException("the database went away (test)");
        }

        await using var scope = app.Services.CreateAsyncScope();
        var registry = scope.ServiceProvider.GetRequiredService<RegistryRead>();

        await Assert.ThrowsAsync<InvalidOperationException>(() =>
            Files.WriteAsync(registry, "broken", ExportFiles.NoHeaders, Write, Stream.Null, Ct));

        Assert.Null(await Files.TryGetAsync(registry, "broken", Ct));
        Assert.Empty(Directory.EnumerateFiles(app.ExportFilesFolder, "broken*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task WriteAsync_FilesOff_DownloadOnlyNothingWritten()
    {
        var files = NewExportFiles(new ExportFilesOptions { FilesPath = "", FullFilesPath = null });
        static async Task Write(Stream body, CancellationToken ct) => await body.WriteAsync("rows"u8.ToArray(), ct);

        await using var scope = app.Services.CreateAsyncScope();
        var registry = scope.ServiceProvider.GetRequiredService<RegistryRead>();
        using var body = new MemoryStream();

        await files.WriteAsync(registry, "unpublished", ExportFiles.NoHeaders, Write, body, Ct);

        Assert.False(files.IsEnabled);
        Assert.Equal("rows", Encoding.UTF8.GetString(body.ToArray()));
        Assert.Null(await files.TryGetAsync(registry, "unpublished", Ct));
        Assert.Empty(Directory.EnumerateFiles(Path.GetTempPath(), "unpublished-*", SearchOption.TopDirectoryOnly));
    }

    private ExportFiles NewExportFiles(ExportFilesOptions? options = null, ILogger<ExportFiles>? logger = null) => new(
        Options.Create(options ?? app.Services.GetRequiredService<IOptions<ExportFilesOptions>>().Value),
        app.Services.GetRequiredService<TimeProvider>(),
        logger ?? NullLogger<ExportFiles>.Instance);

    private sealed class ErrorCounter : ILogger<ExportFiles>
    {
        private int _errors;

        public int Errors => _errors;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel == LogLevel.Error)
            {
                Interlocked.Increment(ref _errors);
            }
        }
    }
}
