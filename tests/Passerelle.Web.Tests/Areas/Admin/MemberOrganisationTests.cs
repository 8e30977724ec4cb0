using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;

using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

using Passerelle.Core.Accounts;
using Passerelle.Core.Editing;
using Passerelle.Core.Groupings;
using Passerelle.Core.History;
using Passerelle.Core.Organisations;
using Passerelle.Web.Tests.Infrastructure;

namespace Passerelle.Web.Tests.Areas.Admin;

public sealed class SqliteMemberOrganisationTests(PasserelleApp app) : MemberOrganisationTests<PasserelleApp>(app);

public sealed class PostgresMemberOrganisationTests(PostgresApp app) : MemberOrganisationTests<PostgresApp>(app);

/// <summary>
/// A grouping's member linked to an organisation of the registry from the links page, as a secretariat does it: found
/// by a search without script, linked, changed and unlinked with a source, through the editing service (history and
/// audit), shown linked on the back office and the portal; a deleted organisation refused, another grouping's editor
/// refused, a post without antiforgery token rejected.
/// </summary>
public abstract partial class MemberOrganisationTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : PasserelleApp, new()
{
    private const string Grouping = "eurometropole";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Organisation_LinkedChangedThenUnlinked_KeepsTheMembershipsSourceAndShowsEachStepInTheHistory()
    {
        using var editor = await app.CreateUserAsync(AccessRole.Editor, groupings: [Grouping]);
        var (groupingId, member) = await MemberAsync(editor);
        var published = await OrganisationAsync("Ville de Liaison", published: true);
        var draft = await OrganisationAsync("Intercommunale de Liaison", published: false);
        var links = $"/admin/groupings/{groupingId}/links";
        var form = $"{links}?member={member.Id}";

        // The change form searches by the member's name at once, and offers the membership's source first.
        var page = await editor.Client.GetStringAsync($"{form}&find={Uri.EscapeDataString(published.Name)}", Ct);
        Assert.Equal([$"{published.Name} (BE, Liaison)"], Options(page));
        Assert.Equal(member.SourceId.ToString(), SelectedSource().Match(page).Groups[1].Value);

        using var linked = await SaveAsync(editor.Client, form, published.Id, SameSource(member));
        await AssertRedirectAsync(linked);
        var stored = await MemberOfAsync(member.Id);
        Assert.Equal((published.Id, member.SourceId), (stored.OrganisationId, stored.SourceId));
        var listed = await editor.Client.GetStringAsync(links, Ct);
        Assert.Contains($"href=\"/admin/organisations/{published.Id}\"", listed, StringComparison.Ordinal);
        Assert.Contains($"href=\"/organisations/{published.Slug}\">{member.Name}</a>", await PublicPageAsync(), StringComparison.Ordinal);

        // Another organisation, a draft: linked and marked, and the portal shows the member under its own name meanwhile.
        using var changed = await SaveAsync(editor.Client, form, draft.Id, SameSource(member));
        await AssertRedirectAsync(changed);
        Assert.Equal(draft.Id, (await MemberOfAsync(member.Id)).OrganisationId);
        Assert.Contains($"{draft.Name} (BE, Liaison) · Draft", HtmlText.Of(await editor.Client.GetStringAsync(links, Ct)), StringComparison.Ordinal);
        var portal = await PublicPageAsync();
        Assert.Contains(member.Name, portal, StringComparison.Ordinal);
        Assert.DoesNotContain($"/organisations/{draft.Slug}", portal, StringComparison.Ordinal);

        // Unlinked: the member keeps its own name.
        using var unlinked = await SaveAsync(editor.Client, form, 0, SameSource(member));
        await AssertRedirectAsync(unlinked);
        stored = await MemberOfAsync(member.Id);
        Assert.Equal((null, member.Name, member.SourceId), (stored.OrganisationId, stored.Name, stored.SourceId));
        Assert.DoesNotContain($"/organisations/{published.Slug}\"", await PublicPageAsync(), StringComparison.Ordinal);

        // Each step is a version of the grouping in the editor's name, from what to what.
        var history = HtmlText.Of(await editor.Client.GetStringAsync($"/admin/history/grouping/{groupingId}", Ct));
        var plain = $"{member.Name} (BE, local)";
        var (withPublished, withDraft) = ($"{member.Name} (BE, local, organisation {published.Slug})", $"{member.Name} (BE, local, organisation {draft.Slug})");
        Assert.Contains($"{plain} {withPublished}", history, StringComparison.Ordinal);
        Assert.Contains($"{withPublished} {withDraft}", history, StringComparison.Ordinal);
        Assert.Contains($"{withDraft} {plain}", history, StringComparison.Ordinal);
        var sets = (await app.WithDbAsync(db => db.Revisions
            .Where(r => r.SubjectType == Core.Sources.SubjectType.Grouping && r.SubjectId == groupingId && r.Field == "member" && r.Action == RevisionAction.Set)
            .Join(db.ChangeSets, r => r.ChangeSetId, c => c.Id, (r, c) => new { r.Id, r.OldValue, r.NewValue, r.SourceId, c.Actor })
            .ToListAsync(Ct)))
            .Where(s => s.OldValue?.StartsWith(member.Name, StringComparison.Ordinal) == true).OrderBy(s => s.Id).ToList();
        Assert.Equal([(plain, withPublished), (withPublished, withDraft), (withDraft, plain)], sets.Select(s => (s.OldValue!, s.NewValue!)));
        Assert.All(sets, s => Assert.Equal((member.SourceId, editor.User.DisplayName), (s.SourceId, s.Actor)));
    }

    [Fact]
    public async Task Organisation_ChosenWhenAddingAMemberWithoutName_GivesItsNameAndCountry()
    {
        using var editor = await app.CreateUserAsync(AccessRole.Editor, groupings: [Grouping]);
        var groupingId = await GroupingIdAsync();
        var organisation = await OrganisationAsync("Commune de Nouvelle-Adhésion", published: true);
        var page = $"/admin/groupings/{groupingId}/links?find={Uri.EscapeDataString(organisation.Name)}";

        using var added = await SaveAsync(editor.Client, page,
            [("OrganisationId", organisation.Id.ToString(CultureInfo.InvariantCulture)), ("Name", ""), ("Country", ""), ("Level", "local"),
                .. Document("Decision of the general assembly", "https://example.org/assembly")]);

        await AssertRedirectAsync(added);
        var member = await app.WithDbAsync(db => db.GroupingMembers.SingleAsync(m => m.GroupingId == groupingId && m.OrganisationId == organisation.Id, Ct));
        Assert.Equal((organisation.Name, "BE", "local"), (member.Name, member.Country, member.Level));
        Assert.NotNull(member.SourceId);
    }

    [Fact]
    public async Task Organisation_Deleted_IsNotOfferedAndRefusedWithTheMessageInThePagesLanguage()
    {
        using var editor = await app.CreateUserAsync(AccessRole.Editor, groupings: [Grouping]);
        var (groupingId, member) = await MemberAsync(editor);
        var deleted = await OrganisationAsync("Ancienne commune de Liaison", published: false, deleted: true);
        var form = $"/fr/admin/groupings/{groupingId}/links?member={member.Id}";
        var revisions = await app.WithDbAsync(db => db.Revisions.CountAsync(Ct));

        var found = await editor.Client.GetStringAsync($"{form}&find={Uri.EscapeDataString(deleted.Name)}", Ct);
        Assert.DoesNotContain($"value=\"{deleted.Id}\"", found, StringComparison.Ordinal);
        Assert.Contains("Aucune organisation dont le nom contient", HtmlText.Of(found), StringComparison.Ordinal);
        using var refused = await SaveAsync(editor.Client, form, deleted.Id, SameSource(member));

        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        Assert.Contains("Cette organisation est supprimée : restaurez-la d'abord, ou choisissez-en une autre.",
            HtmlText.Of(await refused.Content.ReadAsStringAsync(Ct)), StringComparison.Ordinal);
        Assert.Null((await MemberOfAsync(member.Id)).OrganisationId);
        Assert.Equal(revisions, await app.WithDbAsync(db => db.Revisions.CountAsync(Ct)));

        // The rule is Core's: the API and every other writer get it too, with its stable code.
        await using var scope = app.Services.CreateAsyncScope();
        var editing = scope.ServiceProvider.GetRequiredService<RecordEditor>();
        var version = await app.WithDbAsync(db => db.Groupings.Where(g => g.Id == groupingId).Select(g => g.Version).SingleAsync(Ct));
        var error = await Assert.ThrowsAsync<RuleViolationException>(() => editing.UpdateGroupingAsync(Access.Administrator("Test"), groupingId, version,
            new GroupingEdit { Members = [new MemberEdit(Id: member.Id, OrganisationId: deleted.Id)] }, Ct));
        var violation = Assert.Single(error.Violations);
        Assert.Equal(($"member.{member.Id}.organisation", RuleCodes.OrganisationDeleted), (violation.Field, violation.Code));
    }

    [Fact]
    public async Task Organisation_EditorOfAnotherGrouping_IsRefusedAndNothingIsWritten()
    {
        using var owner = await app.CreateUserAsync(AccessRole.Editor, groupings: [Grouping]);
        var (groupingId, member) = await MemberAsync(owner);
        var organisation = await OrganisationAsync("Ville de Portée", published: true);
        var other = await OtherGroupingAsync();
        using var outsider = await app.CreateUserAsync(AccessRole.Editor, groupings: [other]);
        var form = $"/admin/groupings/{groupingId}/links?member={member.Id}";
        var revisions = await app.WithDbAsync(db => db.Revisions.CountAsync(Ct));

        using var get = await outsider.Client.GetAsync(form, Ct);
        // A valid token of the outsider's own session, so that the refusal is authorization's, not antiforgery's.
        var token = await outsider.Client.AntiforgeryTokenAsync("/admin/profile/tokens");
        using var post = await outsider.Client.PostFormAsync($"/admin/groupings/{groupingId}/links?handler=Organisation",
            [("Version", "1"), ("Member", member.Id.ToString(CultureInfo.InvariantCulture)), ("OrganisationId", organisation.Id.ToString(CultureInfo.InvariantCulture)),
                .. SameSource(member), ("__RequestVerificationToken", token)]);

        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, post.StatusCode);
        Assert.Null((await MemberOfAsync(member.Id)).OrganisationId);
        Assert.Equal(revisions, await app.WithDbAsync(db => db.Revisions.CountAsync(Ct)));
    }

    [Fact]
    public async Task Organisation_PostWithoutAntiforgeryToken_IsRejected()
    {
        using var editor = await app.CreateUserAsync(AccessRole.Editor, groupings: [Grouping]);
        var (groupingId, member) = await MemberAsync(editor);
        var organisation = await OrganisationAsync("Ville de Jeton", published: true);
        var html = await editor.Client.GetStringAsync($"/admin/groupings/{groupingId}/links?member={member.Id}", Ct);

        using var post = await editor.Client.PostFormAsync($"/admin/groupings/{groupingId}/links?handler=Organisation",
            [("Version", VersionField().Match(html).Groups[1].Value), ("Member", member.Id.ToString(CultureInfo.InvariantCulture)),
                ("OrganisationId", organisation.Id.ToString(CultureInfo.InvariantCulture)), .. SameSource(member)]);

        Assert.Equal(HttpStatusCode.BadRequest, post.StatusCode);
        Assert.Null((await MemberOfAsync(member.Id)).OrganisationId);
    }

    [Fact]
    public async Task Find_MoreMatchesThanTheLimit_ListsTheFirstOnesNamesStartingWithTheTextFirstAndSaysSo()
    {
        using var editor = await app.CreateUserAsync(AccessRole.Editor, groupings: [Grouping]);
        var groupingId = await GroupingIdAsync();
        var word = "Zq" + Guid.NewGuid().ToString("N")[..8];
        await app.WriteAsync(async session =>
        {
            for (var i = 0; i < 30; i++)
            {
                session.Create(new Organisation { Slug = $"{word.ToLowerInvariant()}-{i:00}", Name = $"Commune {i:00} {word}", Country = "BE", IsPublished = true });
            }

            // Found by another of its names; and the one whose name starts with the text comes first.
            var aliased = session.Create(new Organisation { Slug = $"{word.ToLowerInvariant()}-alias", Name = "Known otherwise", Country = "FR", IsPublished = true });
            session.Create(new Organisation { Slug = $"{word.ToLowerInvariant()}-first", Name = $"{word} Agglomeration", Country = "FR", IsPublished = true });
            await session.FlushAsync(ct: Ct);
            session.Db.OrganisationAliases.Add(new OrganisationAlias { OrganisationId = aliased.Id, Name = $"Alias {word}" });
            return 0;
        });

        var page = await editor.Client.GetStringAsync($"/admin/groupings/{groupingId}/links?find={word.ToUpperInvariant()}", Ct);

        var options = Options(page);
        Assert.Equal(Web.Areas.Admin.Pages.Records.LinksModel.CandidateLimit, options.Count);
        Assert.StartsWith($"{word} Agglomeration", options[0], StringComparison.Ordinal);
        Assert.Contains("The first 20 organisations found are listed", HtmlText.Of(page), StringComparison.Ordinal);
        var byAlias = await editor.Client.GetStringAsync($"/admin/groupings/{groupingId}/links?find=alias%20{word}", Ct);
        Assert.Contains("Known otherwise (FR)", WebUtility.HtmlDecode(byAlias), StringComparison.Ordinal);
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private Task<int> GroupingIdAsync() => app.WithDbAsync(db => db.Groupings.Where(g => g.Slug == Grouping).Select(g => g.Id).SingleAsync(Ct));

    /// <summary>A new member of the grouping, not linked, added through the page with its source (the test's own: the seed's members stay as they are).</summary>
    private async Task<(int GroupingId, GroupingMember Member)> MemberAsync(TestUser editor)
    {
        var groupingId = await GroupingIdAsync();
        var name = "Commune " + Guid.NewGuid().ToString("N")[..8];
        using var added = await SaveAsync(editor.Client, $"/admin/groupings/{groupingId}/links",
            [("Name", name), ("Country", "BE"), ("Level", "local"), .. Document("Convention of the grouping", "https://example.org/convention")]);
        await AssertRedirectAsync(added);
        return (groupingId, await app.WithDbAsync(db => db.GroupingMembers.SingleAsync(m => m.GroupingId == groupingId && m.Name == name, Ct)));
    }

    private Task<GroupingMember> MemberOfAsync(int id) => app.WithDbAsync(db => db.GroupingMembers.AsNoTracking().SingleAsync(m => m.Id == id, Ct));

    private Task<Organisation> OrganisationAsync(string name, bool published, bool deleted = false)
    {
        name += " " + Guid.NewGuid().ToString("N")[..6];
        return app.WriteAsync(async session =>
        {
            var organisation = session.Create(new Organisation
            {
                Slug = name.ToLowerInvariant().Replace(' ', '-').Replace('é', 'e'),
                Name = name,
                Country = "BE",
                City = "Liaison",
                IsPublished = published,
                DeletedAt = deleted ? DateTime.UtcNow : null,
            });
            await session.FlushAsync(ct: Ct);
            return organisation;
        });
    }

    private async Task<string> OtherGroupingAsync()
    {
        var slug = "other-" + Guid.NewGuid().ToString("N")[..8];
        await app.WriteAsync(async session =>
        {
            session.Create(new Grouping { Slug = slug, LegalForm = "EGTC" });
            await session.FlushAsync(ct: Ct);
            return 0;
        });
        return slug;
    }

    private async Task<string> PublicPageAsync()
    {
        using var anonymous = app.CreateClient();
        return await anonymous.GetStringAsync($"/groupings/{Grouping}", Ct);
    }

    private static IEnumerable<(string, string)> Document(string title, string url) =>
        [("Source.Mode", "document"), ("Source.Title", title), ("Source.Url", url), ("Source.Date", "2026-11-30")];

    /// <summary>The source the change form offers first: the membership's.</summary>
    private static IEnumerable<(string, string)> SameSource(GroupingMember member) =>
        [("Source.Mode", "existing"), ("Source.SourceId", member.SourceId!.Value.ToString(CultureInfo.InvariantCulture))];

    /// <summary>The change form of a member (the page with ?member=), posted as a browser does with the organisation chosen.</summary>
    private static Task<HttpResponseMessage> SaveAsync(HttpClient client, string form, int organisationId, IEnumerable<(string, string)> source) =>
        SaveAsync(client, form, [("Member", MemberQuery().Match(form).Groups[1].Value), ("OrganisationId", organisationId.ToString(CultureInfo.InvariantCulture)), .. source],
            "Organisation");

    /// <summary>Posts a form of <paramref name="page"/> with its antiforgery token and the version it shows, as a browser does.</summary>
    private static async Task<HttpResponseMessage> SaveAsync(HttpClient client, string page, IEnumerable<(string, string)> fields, string? handler = null)
    {
        var html = await client.GetStringAsync(page, Ct);
        var target = handler is null ? page : page[..(page.IndexOf('?', StringComparison.Ordinal) is var q and >= 0 ? q : page.Length)] + "?handler=" + handler;
        return await client.PostFormAsync(target, [.. fields, ("Version", VersionField().Match(html).Groups[1].Value), ("__RequestVerificationToken", TestAccounts.AntiforgeryToken(html)!)]);
    }

    /// <summary>The organisations the page offers to choose from (not the "none" option).</summary>
    private static List<string> Options(string page) =>
        [.. OrganisationOption().Matches(OrganisationSelect().Match(page).Value).Select(m => WebUtility.HtmlDecode(m.Groups[1].Value))];

    private static async Task AssertRedirectAsync(HttpResponseMessage response) =>
        Assert.True(response.StatusCode == HttpStatusCode.Redirect,
            $"{(int)response.StatusCode} {response.Headers.Location}: {HtmlText.Of(await response.Content.ReadAsStringAsync(Ct))}");

    [GeneratedRegex("name=\"Version\" value=\"(\\d+)\"")]
    private static partial Regex VersionField();

    [GeneratedRegex("member=(\\d+)")]
    private static partial Regex MemberQuery();

    [GeneratedRegex("<select id=\"source-id\" name=\"Source.SourceId\">\\s*<option value=\"(\\d+)\" selected=\"selected\">")]
    private static partial Regex SelectedSource();

    [GeneratedRegex("<select id=\"organisation-id\".*?</select>", RegexOptions.Singleline)]
    private static partial Regex OrganisationSelect();

    [GeneratedRegex("<option value=\"[1-9]\\d*\"[^>]*>([^<]+)</option>")]
    private static partial Regex OrganisationOption();
}
