using System.Globalization;

using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;

using Passerelle.Core.Common;
using Passerelle.Core.Data;
using Passerelle.Core.Exports;
using Passerelle.Core.OpenData;
using Passerelle.Core.Projects;

namespace Passerelle.Web.Api;

/// <summary>
/// Downloads of the open data: any list as CSV, XLSX, JSON or GeoJSON, the keep.eu-style project and partner tables and
/// the Art. 49(3) list of operations as CSV or XLSX. Rows stream from the database to the response body, so memory does
/// not grow with the number of rows.
/// </summary>
public static class ExportsEndpoints
{
    /// <summary>Response header: rows left out of a GeoJSON file because they have no location.</summary>
    public const string SkippedHeader = "X-Rows-Without-Location";

    private static readonly string[] AllTypes =
        ["text/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "application/json", "application/geo+json"];

    private static readonly string[] TableTypes = ["text/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"];

    public static RouteGroupBuilder MapExportsEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("/projects/export.{format}", async Task<Results<PushStreamHttpResult, PhysicalFileHttpResult, ProblemHttpResult>> (
            ListExports exports, TimeProvider clock, HttpContext http, string format, string? programme, string? theme, string? organisation, CancellationToken ct) =>
        {
            if (ExportFormats.Parse(format) is not { } f)
            {
                return UnsupportedFormat(format, "csv, xlsx, json or geojson");
            }

            var filter = new ProjectFilter(ApiQuery.Given(programme), ApiQuery.Given(theme), ApiQuery.Given(organisation));
            var placement = f == ExportFormat.GeoJson ? await exports.PlaceProjectsAsync(filter, ct) : null;
            if (placement is not null)
            {
                http.Response.Headers[SkippedHeader] = placement.WithoutLocation.ToString(CultureInfo.InvariantCulture);
            }

            var columns = exports.ProjectColumns();
            Func<Stream, CancellationToken, Task<ExportResult>> write = (body, token) => placement is not null
                ? ExportRunner.WriteAsync(f, body, ListExports.WithLocation(columns), exports.LocatedProjects(placement, token), "Projects", ListExports.Position, token)
                : ExportRunner.WriteAsync(f, body, columns, exports.Projects(filter, token), "Projects", null, token);
            var fileName = FileName("projects", filter.Programme ?? filter.Theme ?? filter.Organisation, f, clock);
            return f == ExportFormat.Csv && filter == new ProjectFilter()
                ? await FullAsync(http, "projects", fileName, ExportRunner.ContentType(f), write, ct)
                : Stream(f, fileName, ct, write);
        })
        .WithTags("Exports")
        .WithName("ExportProjects")
        .WithSummary("Download the project list (csv, xlsx, json, geojson)")
        .WithDescription("The same projects and filters as GET /projects, every row. GeoJSON places a project at its lead partner's " +
            "coordinates or, when only the lead partner's municipality is known, at a point inside it (locationPrecision \"municipality\", " +
            $"locationApproximate true); projects placed neither way are left out and counted in the {SkippedHeader} header.")
        .Produces(StatusCodes.Status200OK, null, AllTypes[0], AllTypes[1..]);

        api.MapGet("/organisations/export.{format}", async Task<Results<PushStreamHttpResult, PhysicalFileHttpResult, ProblemHttpResult>> (
            ListExports exports, TimeProvider clock, HttpContext http, string format, string? country, CancellationToken ct) =>
        {
            if (ExportFormats.Parse(format) is not { } f)
            {
                return UnsupportedFormat(format, "csv, xlsx, json or geojson");
            }

            country = ApiQuery.Given(country);
            if (country is not null && (country.Length != 2 || !country.All(char.IsAsciiLetterUpper)))
            {
                return ApiErrors.BadRequest(ErrorCodes.InvalidParameter, "country must be a two-letter upper-case code, e.g. BE");
            }

            var placement = f == ExportFormat.GeoJson ? await exports.PlaceOrganisationsAsync(country, ct) : null;
            if (placement is not null)
            {
                http.Response.Headers[SkippedHeader] = placement.WithoutLocation.ToString(CultureInfo.InvariantCulture);
            }

            Func<Stream, CancellationToken, Task<ExportResult>> write = (body, token) => placement is not null
                ? ExportRunner.WriteAsync(f, body, ListExports.WithLocation(ListExports.OrganisationColumns), exports.LocatedOrganisations(placement, token),
                    "Organisations", ListExports.Position, token)
                : ExportRunner.WriteAsync(f, body, ListExports.OrganisationColumns, exports.Organisations(country), "Organisations", null, token);
            var fileName = FileName("organisations", country, f, clock);
            return f == ExportFormat.Csv && country is null
                ? await FullAsync(http, "organisations", fileName, ExportRunner.ContentType(f), write, ct)
                : Stream(f, fileName, ct, write);
        })
        .WithTags("Exports")
        .WithName("ExportOrganisations")
        .WithSummary("Download the organisation list (csv, xlsx, json, geojson)")
        .WithDescription("The same organisations and filter as GET /organisations, every row. GeoJSON places an organisation at its coordinates or, " +
            "when only its municipality is known (the city a source gives names exactly one municipality of its country), at a point inside it, " +
            $"marked locationPrecision \"municipality\" and locationApproximate true; the others are left out and counted in the {SkippedHeader} header.")
        .Produces(StatusCodes.Status200OK, null, AllTypes[0], AllTypes[1..]);

        var group = api.MapGroup("/exports").WithTags("Exports");
        group.MapGet("/keep/projects.{format}", Task<Results<PushStreamHttpResult, PhysicalFileHttpResult, ProblemHttpResult>> (
            KeepTables keep, ExportParts parts, TimeProvider clock, HttpContext http, string format, string? programme, CancellationToken ct) =>
            Table(http, format, "keep-projects", programme, clock, ct, (f, given, body, token) => f == ExportFormat.Csv && given is null
                ? keep.WriteFullProjectsCsvAsync(parts, body, token)
                : ExportRunner.WriteAsync(f, body, KeepTables.ProjectColumns, keep.Projects(given), "Projects", null, token)))
        .WithName("ExportKeepProjects")
        .WithSummary("keep.eu-style project table (csv, xlsx)")
        .WithDescription("One row per project with keep.eu's project fields; unknown values are empty. The import command reads the same columns.")
        .Produces(StatusCodes.Status200OK, null, TableTypes[0], TableTypes[1..]);

        group.MapGet("/keep/partners.{format}", Task<Results<PushStreamHttpResult, PhysicalFileHttpResult, ProblemHttpResult>> (
            KeepTables keep, ExportParts parts, TimeProvider clock, HttpContext http, string format, string? programme, CancellationToken ct) =>
            Table(http, format, "keep-partners", programme, clock, ct, (f, given, body, token) => f == ExportFormat.Csv && given is null
                ? keep.WriteFullPartnersCsvAsync(parts, body, token)
                : ExportRunner.WriteAsync(f, body, KeepTables.PartnerColumns, keep.Partners(given), "Partners", null, token)))
        .WithName("ExportKeepPartners")
        .WithSummary("keep.eu-style partner table (csv, xlsx)")
        .WithDescription("One row per participation: project, partner, role, legal status, city, country, NUTS 3 (empty until territories are linked).")
        .Produces(StatusCodes.Status200OK, null, TableTypes[0], TableTypes[1..]);

        group.MapGet("/operations.{format}", Task<Results<PushStreamHttpResult, PhysicalFileHttpResult, ProblemHttpResult>> (
            OperationsList operations, ExportParts parts, TimeProvider clock, HttpContext http, string format, string? programme, CancellationToken ct) =>
            Table(http, format, "operations", programme, clock, ct, (f, given, body, token) => f == ExportFormat.Csv && given is null
                ? operations.WriteFullCsvAsync(parts, body, token)
                : ExportRunner.WriteAsync(f, body, OperationsList.Columns, operations.Operations(given), "Operations", null, token)))
        .WithName("ExportOperations")
        .WithSummary("List of operations with the fields of Art. 49(3) of Regulation (EU) 2021/1060 (csv, xlsx)")
        .WithDescription("One row per operation (project), per programme (?programme=fwv-2014-2020) or all; the lead partner is the beneficiary and " +
            "the other partners are listed. The Art. 49(3) field list is used for every period, 2014-2020 included (Art. 115 of Reg. 1303/2013 applied then).")
        .Produces(StatusCodes.Status200OK, null, TableTypes[0], TableTypes[1..]);

        group.MapKohesioEndpoints();
        return api;
    }

    private static async Task<Results<PushStreamHttpResult, PhysicalFileHttpResult, ProblemHttpResult>> Table(
        HttpContext http, string format, string name, string? programme, TimeProvider clock, CancellationToken ct,
        Func<ExportFormat, string?, Stream, CancellationToken, Task<ExportResult>> write)
    {
        programme = ApiQuery.Given(programme);
        if (ExportFormats.Parse(format) is not { } f || f is not (ExportFormat.Csv or ExportFormat.Xlsx))
        {
            return UnsupportedFormat(format, "csv or xlsx");
        }

        var fileName = FileName(name, programme, f, clock);
        return f == ExportFormat.Csv && programme is null
            ? await FullAsync(http, name, fileName, ExportRunner.ContentType(f), (body, token) => write(f, programme, body, token), ct)
            : Stream(f, fileName, ct, (body, token) => write(f, programme, body, token));
    }

    /// <summary>
    /// A full export (every row, CSV; <paramref name="name"/> names its file): its published file when one is current for
    /// the registry, with ranges, entity tag and last-modified date; otherwise <paramref name="write"/> streams it from the
    /// database, and the same bytes go to the file for the next downloads (ADR 34).
    /// </summary>
    internal static Task<Results<PushStreamHttpResult, PhysicalFileHttpResult, ProblemHttpResult>> FullAsync(
        HttpContext http, string name, string fileName, string contentType, Func<Stream, CancellationToken, Task> write, CancellationToken ct) =>
        FullAsync(http, name, fileName, contentType, _ => Task.FromResult(new FullBody(ExportFiles.NoHeaders, write)), ct);

    /// <summary>
    /// A full export whose body comes with headers it cannot carry (a count): its published file with the headers kept
    /// beside it, when one is current; otherwise <paramref name="open"/> runs, once, and gives the headers and the body's
    /// writer of one read of the registry, both sent and kept with the file, so both ways give the same bytes and headers.
    /// </summary>
    internal static async Task<Results<PushStreamHttpResult, PhysicalFileHttpResult, ProblemHttpResult>> FullAsync(
        HttpContext http, string name, string fileName, string contentType, Func<CancellationToken, Task<FullBody>> open, CancellationToken ct)
    {
        var files = http.RequestServices.GetRequiredService<ExportFiles>();
        var registry = http.RequestServices.GetRequiredService<RegistryRead>();
        if (await files.TryGetAsync(registry, name, ct) is { } file)
        {
            SetHeaders(http, file.Headers);
            return TypedResults.PhysicalFile(file.Path, contentType, fileName, file.WrittenAt, EntityTagHeaderValue.Parse(file.Tag), enableRangeProcessing: true);
        }

        var full = await open(ct);
        SetHeaders(http, full.Headers);
        return TypedResults.Stream(body => files.WriteAsync(registry, name, full.Headers, full.Write, body, ct), contentType, fileName);
    }

    private static void SetHeaders(HttpContext http, IReadOnlyDictionary<string, string> headers)
    {
        foreach (var (header, value) in headers)
        {
            http.Response.Headers[header] = value;
        }
    }

    /// <summary>The callback's stream is the response body; the request's token stops the query when the client goes away.</summary>
    private static PushStreamHttpResult Stream(ExportFormat format, string fileName, CancellationToken ct, Func<Stream, CancellationToken, Task<ExportResult>> write) =>
        TypedResults.Stream(stream => write(stream, ct), ExportRunner.ContentType(format), fileName);

    private static ProblemHttpResult UnsupportedFormat(string format, string supported) =>
        ApiErrors.BadRequest(ErrorCodes.UnsupportedFormat, $"'{format}' is not an export format here; use {supported}.");

    /// <summary>passerelle-projects-fwv-2014-2020-2025-06-01.csv: what, for which filter, on which day.</summary>
    internal static string FileName(string what, string? qualifier, ExportFormat format, TimeProvider clock)
    {
        var filter = qualifier is null ? "" : "-" + Slug.From(qualifier);
        var day = clock.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        return $"passerelle-{what}{filter}-{day}.{format.Extension()}";
    }
}

/// <summary>A whole export's response headers and the writer of its body, which belong to one read of the registry.</summary>
internal sealed record FullBody(IReadOnlyDictionary<string, string> Headers, Func<Stream, CancellationToken, Task> Write);
