using System.Globalization;

using Microsoft.AspNetCore.Http.HttpResults;

using Passerelle.Core.Common;
using Passerelle.Core.Exports;

namespace Passerelle.Web.Api;

/// <summary>
/// The list of operations in the Kohesio CSV format (ADR 28) and its companion report of the operations the format
/// cannot carry as they are, under /api/v1/exports beside the other exports.
/// </summary>
public static class KohesioEndpoints
{
    /// <summary>Response header of the Kohesio export: how many operations lack a value the format requires.</summary>
    public const string IncompleteHeader = "X-Kohesio-Incomplete-Operations";

    public static RouteGroupBuilder MapKohesioEndpoints(this RouteGroupBuilder group)
    {
        group.MapGet("/kohesio.csv", async Task<Results<PushStreamHttpResult, PhysicalFileHttpResult, ProblemHttpResult>> (
            KohesioCsv kohesio, ExportParts parts, TimeProvider clock, HttpContext http, string? programme, string? period, bool? complete, CancellationToken ct) =>
        {
            var filter = new KohesioFilter(ApiQuery.Given(programme), ApiQuery.Given(period));
            if (await CheckAsync(kohesio, filter, ct) is { } problem)
            {
                return problem;
            }

            var fileName = FileName("kohesio", filter, clock);
            if (filter is { Programme: null, Period: null } && complete != true)
            {
                // The whole file is kept in parts (ADR 39): opening it brings them up to date, reading only the programmes
                // changed since, and counts from them; the body copies exactly those parts. The published file, when one
                // is current, is served instead and neither runs.
                return await ExportsEndpoints.FullAsync(http, "kohesio", fileName, KohesioCsv.ContentType, async token =>
                {
                    var full = await kohesio.OpenFullAsync(parts, token);
                    http.Response.RegisterForDisposeAsync(full);
                    return new FullBody(Count(full.IncompleteOperations), full.WriteAsync);
                }, ct);
            }

            // The count needs its own pass over the rows (the header goes before the body); both passes stream.
            foreach (var (header, value) in Count(await kohesio.CountIncompleteAsync(filter, ct)))
            {
                http.Response.Headers[header] = value;
            }

            return TypedResults.Stream(body => kohesio.WriteAsync(body, filter, complete == true, ct), KohesioCsv.ContentType, fileName);
        })
        .WithName("ExportKohesio")
        .WithSummary("List of operations in the Kohesio CSV format (the Commission's Kohesio validator's Table Schema)")
        .WithDescription("One row per operation and beneficiary (lead partner and partners; associated partners are not beneficiaries), in the " +
            "columns of the Kohesio validator's Table Schema: dates DD/MM/YYYY, co-financing rate 0-100, amounts in EUR, a location indicator. " +
            "A value the format requires and no source gives is left empty, never invented: such operations are counted in the " +
            $"{IncompleteHeader} header and listed with their missing fields by GET /api/v1/exports/kohesio-report.csv (same filters); " +
            "complete=true leaves them out so that the file passes the validator as it is. programme: a programme's slug or code " +
            "(404 programme_not_found if none); period: 2014-2020 or 2021-2027 (400 invalid_period otherwise).")
        .Produces(StatusCodes.Status200OK, null, "text/csv")
        .ProducesProblem(StatusCodes.Status400BadRequest)
        .ProducesProblem(StatusCodes.Status404NotFound);

        group.MapGet("/kohesio-report.csv", async Task<Results<PushStreamHttpResult, ProblemHttpResult>> (
            KohesioCsv kohesio, TimeProvider clock, string? programme, string? period, CancellationToken ct) =>
        {
            var filter = new KohesioFilter(ApiQuery.Given(programme), ApiQuery.Given(period));
            if (await CheckAsync(kohesio, filter, ct) is { } problem)
            {
                return problem;
            }

            return TypedResults.Stream(body => kohesio.WriteReportAsync(body, filter, ct), KohesioCsv.ContentType, FileName("kohesio-report", filter, clock));
        })
        .WithName("ExportKohesioReport")
        .WithSummary("The operations the Kohesio CSV cannot carry as they are, with their missing fields")
        .WithDescription("One row per incomplete operation of GET /api/v1/exports/kohesio.csv with the same filters: its Operation_Unique_Identifier, " +
            "the project's slug, its name and the Kohesio columns no source gives a usable value for (e.g. \"Operation_Start_Date (2016-10: not known to the day)\").")
        .Produces(StatusCodes.Status200OK, null, "text/csv")
        .ProducesProblem(StatusCodes.Status400BadRequest)
        .ProducesProblem(StatusCodes.Status404NotFound);

        return group;
    }

    private static Dictionary<string, string> Count(long incomplete) => new()
    {
        [IncompleteHeader] = incomplete.ToString(CultureInfo.InvariantCulture),
    };

    private static async Task<ProblemHttpResult?> CheckAsync(KohesioCsv kohesio, KohesioFilter filter, CancellationToken ct)
    {
        if (filter.Period is { } period && !KohesioCsv.Periods.Contains(period))
        {
            return ApiErrors.BadRequest(ErrorCodes.InvalidPeriod, $"'{(period.Length <= 40 ? period : period[..40])}' is not a Kohesio programming period; use {string.Join(" or ", KohesioCsv.Periods)}.");
        }

        if (filter.Programme is { } programme && !await kohesio.ProgrammeExistsAsync(programme, ct))
        {
            return ApiErrors.Problem(StatusCodes.Status404NotFound, ErrorCodes.ProgrammeNotFound, $"No programme has the slug or code '{(programme.Length <= 80 ? programme : programme[..80])}'.");
        }

        return null;
    }

    /// <summary>passerelle-kohesio-fwv-2021-2027-2021-2027-2026-11-30.csv: the exports' names, with both filters.</summary>
    private static string FileName(string what, KohesioFilter filter, TimeProvider clock)
    {
        var qualifier = string.Join("-", new[] { filter.Programme, filter.Period }.OfType<string>());
        return ExportsEndpoints.FileName(what, qualifier.Length == 0 ? null : qualifier, ExportFormat.Csv, clock);
    }
}
