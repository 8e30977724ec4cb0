using System.Globalization;

using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

using Passerelle.Core.Accounts;
using Passerelle.Core.Editions;
using Passerelle.Core.Registry;
using Passerelle.Web.Tests.Infrastructure;

namespace Passerelle.Web.Tests.Editions;

/// <summary>Editions published through the real service, each call in its own scope (as one request).</summary>
internal static class EditionsSupport
{
    /// <summary>A publisher whose name is no interface word (the translation test reads it on French pages).</summary>
    public static readonly Access Publisher = Access.Administrator("Jeanne Dupont");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static async Task<T> EditionsAsync<T>(this PasserelleApp app, Func<EditionService, Task<T>> action)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<EditionService>());
    }

    public static Task<EditionInfo> PublishAsync(this PasserelleApp app, int programmeId, Access? access = null) =>
        app.EditionsAsync(e => e.PublishAsync(access ?? Publisher, programmeId, Ct));

    /// <summary>
    /// Two editions of the default programme with the most published projects, one project's end date changed in
    /// between (made once per fixture): the address of their diff page, without a language.
    /// </summary>
    public static async Task<string> SampleDiffAsync(this PasserelleApp app)
    {
        var (programmeId, slug, projectId, end) = await app.WithDbAsync(async db =>
        {
            var p = await db.Programmes.Where(x => x.IsPublished).OrderByDescending(x => db.Projects.Count(y => y.ProgrammeId == x.Id && y.IsPublished)).ThenBy(x => x.Slug)
                .Select(x => new { x.Id, x.Slug }).FirstAsync(Ct);
            var project = await db.Projects.Where(x => x.ProgrammeId == p.Id && x.IsPublished).OrderBy(x => x.Id).Select(x => new { x.Id, x.EndDate }).FirstAsync(Ct);
            return (p.Id, p.Slug, project.Id, project.EndDate);
        });
        var existing = await app.WithDbAsync(db => db.Editions.CountAsync(e => e.ProgrammeId == programmeId, Ct));
        if (existing < 2)
        {
            await app.PublishAsync(programmeId);
            await app.WriteAsync(async session =>
            {
                var project = await session.Db.Projects.SingleAsync(x => x.Id == projectId, Ct);
                await session.LoadValuesAsync([project], Ct);
                return session.SetValue(project, Fields.Project.EndDate, end == "2031-12-31" ? "2032-06-30" : "2031-12-31", await PasserelleApp.TestSourceAsync(session));
            });
            await app.PublishAsync(programmeId);
        }

        var last = await app.WithDbAsync(db => db.Editions.Where(e => e.ProgrammeId == programmeId).MaxAsync(e => e.Number, Ct));
        return string.Create(CultureInfo.InvariantCulture, $"/programmes/{slug}/editions/{last - 1}/diff/{last}");
    }
}
