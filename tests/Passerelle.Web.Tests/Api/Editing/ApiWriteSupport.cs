using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

using Passerelle.Core.Accounts;
using Passerelle.Core.Data.ChangeFeed;
using Passerelle.Web.Tests.Infrastructure;

namespace Passerelle.Web.Tests.Api.Editing;

/// <summary>A test user and a personal access token of theirs (the secret, as the profile page shows it once).</summary>
public sealed record ApiUser(User User, string Token, int TokenId);

/// <summary>One API answer, read whole: status, problem or body, and the headers the editing routes set.</summary>
public sealed record ApiAnswer(HttpStatusCode Status, string? MediaType, string Body, string? ETag, string? Location)
{
    public JsonElement Json => JsonDocument.Parse(Body).RootElement;

    /// <summary>The problem's errorCode, or null.</summary>
    public string? ErrorCode => MediaType == "application/problem+json" && Json.TryGetProperty("errorCode", out var code) ? code.GetString() : null;

    public int Id => Json.GetProperty("id").GetInt32();

    public int Version => Json.GetProperty("version").GetInt32();

    public string Slug => Json.GetProperty("slug").GetString()!;

    public override string ToString() => $"{(int)Status} {ETag} {Body}";
}

/// <summary>
/// Calls the API's write routes as a script would: JSON bodies, <c>Authorization: Bearer pat_…</c>, If-Match.
/// Users are made through the back office's services and their tokens through Core's <see cref="AccessTokens"/> (the
/// profile page that shows the secret is tested with the tokens).
/// </summary>
internal sealed class ApiWriter(PasserelleApp app)
{
    public static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A document source as the API takes it, distinct per title.</summary>
    public static object Doc(string title = "Test document") =>
        new { title, url = "https://example.org/" + Uri.EscapeDataString(title), date = "2025-01-15" };

    public static object Value(string field, string value, object? source = null, string action = "replace") =>
        new { field, action, value, source = source ?? Doc() };

    public static string Unique(string prefix) => prefix + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();

    public async Task<ApiUser> UserAsync(AccessRole role, IEnumerable<string>? programmes = null, IEnumerable<string>? groupings = null)
    {
        using var user = await app.CreateUserAsync(role, programmes, groupings, signIn: false);
        await using var scope = app.Services.CreateAsyncScope();
        var created = await scope.ServiceProvider.GetRequiredService<AccessTokens>().CreateAsync(user.Id, "api tests", TimeSpan.FromDays(30), Ct);
        return new ApiUser(user.User, created.Secret, created.Token.Id);
    }

    public async Task RevokeAsync(ApiUser user)
    {
        await using var scope = app.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<AccessTokens>().RevokeAsync(user.TokenId, Access.Administrator("test"), Ct);
    }

    public async Task<ApiAnswer> SendAsync(HttpMethod method, string path, ApiUser? user, object? body = null, int? ifMatch = null,
        string? rawIfMatch = null, string? rawBody = null, string contentType = "application/json")
    {
        using var client = app.CreateClient(new() { AllowAutoRedirect = false });
        using var request = new HttpRequestMessage(method, path);
        if (user is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", user.Token);
        }

        if (ifMatch is { } version)
        {
            request.Headers.TryAddWithoutValidation("If-Match", $"\"{version}\"");
        }
        else if (rawIfMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", rawIfMatch);
        }

        if (rawBody is not null)
        {
            request.Content = new StringContent(rawBody, Encoding.UTF8);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        }
        else if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        using var response = await client.SendAsync(request, Ct);
        return new ApiAnswer(response.StatusCode, response.Content.Headers.ContentType?.MediaType, await response.Content.ReadAsStringAsync(Ct),
            response.Headers.ETag?.ToString(), response.Headers.Location?.OriginalString);
    }

    public Task<ApiAnswer> GetAsync(string path, ApiUser? user = null) => SendAsync(HttpMethod.Get, path, user);

    public Task<ApiAnswer> PostAsync(string path, ApiUser? user, object? body = null, int? ifMatch = null) => SendAsync(HttpMethod.Post, path, user, body, ifMatch);

    /// <summary>A new programme, created and published by an administrator; its code is unique.</summary>
    public async Task<ApiAnswer> ProgrammeAsync(ApiUser admin)
    {
        var code = Unique("T");
        var created = await PostAsync("/api/v1/programmes", admin, new
        {
            code,
            period = "2021-2027",
            kind = "CrossBorder",
            values = new[] { Value("name.en", $"Programme {code}") },
        });
        Assert.True(created.Status == HttpStatusCode.Created, created.ToString());
        var published = await PostAsync($"/api/v1/programmes/{created.Id}/publish", admin, ifMatch: created.Version);
        Assert.True(published.Status == HttpStatusCode.OK, published.ToString());
        return published;
    }

    /// <summary>A new project (a draft) in that programme.</summary>
    public async Task<ApiAnswer> ProjectAsync(ApiUser user, int programmeId, string? acronym = null, params object[] values)
    {
        acronym ??= Unique("P");
        return await PostAsync("/api/v1/projects", user, new { programmeId, values = (object[])[Value("acronym", acronym), .. values] });
    }

    /// <summary>Until every cache and index of the instance has read the change feed (the search index among them).</summary>
    public Task CatchUpAsync() => app.Services.GetRequiredService<ChangeFeedListener>().PollAsync(Ct);

    public Task<string> ProgrammeSlugAsync(int id) => app.WithDbAsync(db => db.Programmes.Where(p => p.Id == id).Select(p => p.Slug).SingleAsync(Ct));
}
