using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

using Passerelle.Core.Accounts;
using Passerelle.Core.Data;
using Passerelle.Core.Data.ChangeFeed;
using Passerelle.Core.Editing;
using Passerelle.Core.Programmes;
using Passerelle.Core.Registry;
using Passerelle.Core.Sources;
using Passerelle.Web.Tests.Infrastructure;

namespace Passerelle.Web.Tests.Editing;

/// <summary>The editor and its queries resolved from the real app, each call in its own scope (as one request).</summary>
internal sealed class EditingSupport(PasserelleApp app)
{
    public static readonly Access Admin = Access.Administrator("admin@example.test");

    public static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A document source, distinct per title.</summary>
    public static SourceChoice Document(string title = "Test document") =>
        SourceChoice.Document(title, "https://example.org/" + Uri.EscapeDataString(title), "2025-01-15");

    public async Task<T> EditAsync<T>(Func<RecordEditor, Task<T>> action)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<RecordEditor>());
    }

    public async Task<T> QueryAsync<T>(Func<EditorQueries, Task<T>> action)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<EditorQueries>());
    }

    public Task<T> DbAsync<T>(Func<PasserelleDbContext, Task<T>> action) => app.WithDbAsync(action);

    /// <summary>Until every instance's caches and indexes have read the change feed (the search index among them).</summary>
    public Task CatchUpAsync() => app.Services.GetRequiredService<ChangeFeedListener>().PollAsync(Ct);

    /// <summary>A new programme (as an administrator), published, with a unique code.</summary>
    public async Task<EditResult> ProgrammeAsync(string? code = null)
    {
        code ??= "T" + Guid.NewGuid().ToString("N")[..6].ToUpperInvariant();
        var created = await EditAsync(e => e.CreateProgrammeAsync(Admin, new ProgrammeEdit
        {
            Code = code,
            Period = "2021-2027",
            Kind = ProgrammeKind.CrossBorder,
            Values = [ValueEdit.Replace("name.en", $"Programme {code}", Document())],
        }, Ct));
        return await EditAsync(e => e.PublishAsync(Admin, created.Record, created.Version, Ct));
    }

    /// <summary>A new project in that programme (as <paramref name="access"/>, default the administrator), a draft.</summary>
    public Task<EditResult> ProjectAsync(int programmeId, string? acronym = null, Access? access = null, params ValueEdit[] values)
    {
        acronym ??= "P" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        return EditAsync(e => e.CreateProjectAsync(access ?? Admin, new ProjectEdit
        {
            ProgrammeId = programmeId,
            Values = [ValueEdit.Replace("acronym", acronym, Document()), .. values],
        }, Ct));
    }

    /// <summary>A new organisation, published.</summary>
    public async Task<EditResult> OrganisationAsync(string? name = null, string country = "BE")
    {
        name ??= "Organisation " + Guid.NewGuid().ToString("N")[..8];
        var created = await EditAsync(e => e.CreateOrganisationAsync(Admin, new OrganisationEdit
        {
            Values = [ValueEdit.Replace("name", name, Document()), ValueEdit.Replace("country", country, Document())],
        }, Ct));
        return await EditAsync(e => e.PublishAsync(Admin, created.Record, created.Version, Ct));
    }

    public Task<EditResult> UpdateProjectAsync(EditResult project, ProjectEdit edit, Access? access = null) =>
        EditAsync(e => e.UpdateProjectAsync(access ?? Admin, project.Record.Id, project.Version, edit, Ct));

    /// <summary>The current values of a record's field, shown first first: (value, source title).</summary>
    public Task<List<(string Value, string Source)>> ValuesAsync(SubjectType type, int id, FieldDefinition field) => DbAsync(db =>
        db.Facts.AsNoTracking().Where(f => f.SubjectType == type && f.SubjectId == id && f.Field == field.Name && !f.Retracted)
            .OrderBy(f => f.Rank).Select(f => new ValueTuple<string, string>(f.Value, f.Source.Title)).ToListAsync(Ct));

    public Task<int> ChangeSetCountAsync() => DbAsync(db => db.ChangeSets.CountAsync(Ct));

    public Task<int> ProjectVersionAsync(int id) => DbAsync(db => db.Projects.Where(p => p.Id == id).Select(p => p.Version).SingleAsync(Ct));
}
