using System.Globalization;

using Passerelle.Core.Exports;
using Passerelle.Core.OpenData;
using Passerelle.Core.Projects;

namespace Passerelle.Web.Api;

/// <summary>
/// The full CSV exports that are published as files (ADR 34): every published row, no filter. Each writes exactly what
/// its route streams without a file, with the same services, so a download is the same whichever way it is served.
/// </summary>
public static class FullExports
{
    public static readonly PublishedExport Operations = Csv("operations", services =>
        (body, ct) => ExportRunner.WriteAsync(ExportFormat.Csv, body, OperationsList.Columns, services.GetRequiredService<OperationsList>().Operations(null), "Operations", null, ct));

    public static readonly PublishedExport KeepProjects = Csv("keep-projects", services =>
        (body, ct) => ExportRunner.WriteAsync(ExportFormat.Csv, body, KeepTables.ProjectColumns, services.GetRequiredService<KeepTables>().Projects(null), "Projects", null, ct));

    public static readonly PublishedExport KeepPartners = Csv("keep-partners", services =>
        (body, ct) => ExportRunner.WriteAsync(ExportFormat.Csv, body, KeepTables.PartnerColumns, services.GetRequiredService<KeepTables>().Partners(null), "Partners", null, ct));

    public static readonly PublishedExport Projects = Csv("projects", services =>
    {
        var exports = services.GetRequiredService<ListExports>();
        return (body, ct) => ExportRunner.WriteAsync(ExportFormat.Csv, body, exports.ProjectColumns(), exports.Projects(new ProjectFilter()), "Projects", null, ct);
    });

    public static readonly PublishedExport Organisations = Csv("organisations", services =>
        (body, ct) => ExportRunner.WriteAsync(ExportFormat.Csv, body, ListExports.OrganisationColumns, services.GetRequiredService<ListExports>().Organisations(null), "Organisations", null, ct));

    /// <summary>The Kohesio CSV with every operation, complete or not; the count of incomplete ones goes in a header.</summary>
    public static readonly PublishedExport Kohesio = new(
        "kohesio",
        async (services, ct) => new Dictionary<string, string>
        {
            [KohesioEndpoints.IncompleteHeader] = (await services.GetRequiredService<KohesioCsv>().CountIncompleteAsync(new KohesioFilter(), ct))
                .ToString(CultureInfo.InvariantCulture),
        },
        (services, body, ct) => services.GetRequiredService<KohesioCsv>().WriteAsync(body, new KohesioFilter(), complete: false, ct));

    private static PublishedExport Csv(string name, Func<IServiceProvider, Func<Stream, CancellationToken, Task<ExportResult>>> writer) => new(
        name,
        (_, _) => Task.FromResult(PublishedExport.NoHeaders),
        (services, body, ct) => writer(services)(body, ct));
}
