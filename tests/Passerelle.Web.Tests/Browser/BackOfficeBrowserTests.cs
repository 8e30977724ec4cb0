using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

using Passerelle.Core.Accounts;
using Passerelle.Core.Projects;
using Passerelle.Core.Registry;
using Passerelle.Web.Tests.Infrastructure;

using static Microsoft.Playwright.Assertions;

namespace Passerelle.Web.Tests.Browser;

/// <summary>
/// The back office in a real Chromium, as an administrator uses it: sign in with a password and an authenticator
/// code, change a draft project's budget with a new document as its source, publish it, then see the value with its
/// source on the public page and the change in the record's history.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class BackOfficeBrowserTests(BrowserFixture browser)
{
    private const string Programme = "fwv-2021-2027";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Administrator_EditsADraftsBudgetWithANewSourceAndPublishes_PublicPageAndHistoryShowIt()
    {
        var app = browser.App;
        using var admin = await app.CreateUserAsync(AccessRole.Administrator, signIn: false);
        var acronym = "BRW" + Guid.NewGuid().ToString("N")[..6].ToUpperInvariant();
        // A draft of the programme, so that publishing is part of the story (the default data's projects are published).
        var project = await app.WriteAsync(async session =>
        {
            var programme = await session.Db.Programmes.SingleAsync(p => p.Slug == Programme, Ct);
            var source = await PasserelleApp.TestSourceAsync(session);
            var p = session.Create(new Project
            {
                Slug = acronym.ToLowerInvariant(),
                Acronym = acronym,
                ProgrammeCode = programme.Code,
                ProgrammeId = programme.Id,
                IsPublished = false,
            });
            session.SetValue(p, Fields.Project.Acronym, acronym, source);
            session.SetValue(p, Fields.Project.Title.En, "Cross-border river contracts", source);
            session.SetValue(p, Fields.Project.TotalBudget, "1000000", source);
            return p;
        });

        await using var context = await browser.NewContextAsync();
        var page = await context.NewPageAsync();
        var problems = PageChecks.RecordProblems(page);

        // Sign in: password, then the code the authenticator shows now.
        await page.GotoAsync("/admin/account/sign-in");
        await page.GetByLabel("E-mail address").FillAsync(admin.Email);
        await page.GetByLabel("Password").FillAsync(admin.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/admin/account/two-factor"));
        await page.Locator("#code").FillAsync(Totp.Code(admin.AuthenticatorKey!, DateTimeOffset.UtcNow));
        await page.Locator("form button[type=submit]").First.ClickAsync();
        await Expect(page).Not.ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/admin/account/"));

        // The draft in the back office, then its budget.
        await page.GotoAsync($"/admin/projects/{project.Id}");
        await Expect(page.GetByText("Draft", new() { Exact = true })).ToBeVisibleAsync();
        await page.GotoAsync($"/admin/projects/{project.Id}/fields/total_budget_eur");
        await page.Locator("#value").FillAsync("1234567");
        await page.Locator("#mode-replace").CheckAsync();
        await page.GetByLabel("A document or web page").CheckAsync();
        await page.Locator("#source-title").FillAsync("Decision of the monitoring committee, 12 March 2026");
        await page.Locator("#source-url").FillAsync("https://example.org/decisions/2026-03-12.pdf");
        await PageChecks.SaveScreenshotAsync(page, "admin-field-edit");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save", Exact = true }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex($"/admin/projects/{project.Id}$"));

        await page.GetByRole(AriaRole.Button, new() { Name = "Publish", Exact = true }).ClickAsync();
        await Expect(page.GetByText("Published", new() { Exact = true })).ToBeVisibleAsync();

        // The public page: the new value, and its source among the page's sources.
        await page.GotoAsync($"/projects/{project.Slug}");
        var budget = page.Locator("dt:text-is('Total budget') + dd");
        await Expect(budget).ToContainTextAsync("EUR 1,234,567");
        await Expect(page.Locator("body")).ToContainTextAsync("Decision of the monitoring committee, 12 March 2026");

        // The history: the old value and the new one, the new one with its source.
        await page.GotoAsync($"/admin/history/project/{project.Id}");
        await Expect(page.Locator("main")).ToContainTextAsync("1000000");
        await Expect(page.Locator("main")).ToContainTextAsync("1234567");
        await Expect(page.Locator("main")).ToContainTextAsync("Decision of the monitoring committee, 12 March 2026");
        await PageChecks.SaveScreenshotAsync(page, "admin-history");

        Assert.Empty(problems);
        var stored = await app.WithDbAsync(db => db.Projects.SingleAsync(p => p.Id == project.Id, Ct));
        Assert.True(stored.IsPublished);
        Assert.Equal(1234567m, stored.TotalBudget);
    }
}
