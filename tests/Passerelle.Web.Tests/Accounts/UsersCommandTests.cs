using Passerelle.Core.Data;
using Passerelle.Web.Tests.Hosting;
using Passerelle.Web.Tests.Infrastructure;

namespace Passerelle.Web.Tests.Accounts;

/// <summary>`users add|link|list`: the first administrator from a shell, with a one-time link and no password typed.</summary>
public sealed class UsersCommandTests
{
    [Fact]
    public async Task UsersAdd_Admin_CreatesTheUserAndPrintsAOneTimeLink()
    {
        await using var database = await ProcessDatabase.CreateAsync(DatabaseProvider.Sqlite, fromTemplate: true);
        var settings = database.Settings();
        settings["PublicUrl"] = "https://passerelle.example.eu/";

        var added = await PasserelleProcess.RunAsync(settings, "users", "add", "--admin", "first@example.org", "--name", "First Admin");
        var listed = await PasserelleProcess.RunAsync(settings, "users", "list");

        Assert.True(added.ExitCode == 0, added.ToString());
        Assert.Matches(@"https://passerelle\.example\.eu/admin/account/set-password\?user=\d+&token=\S+", added.Stdout);
        Assert.Contains("first@example.org\tFirst Admin\tAdministrator", listed.Stdout, StringComparison.Ordinal);
        Assert.Equal(1L, await database.CountAsync("Users"));
    }

    [Fact]
    public async Task UsersAdd_UnknownProgrammeOrTakenEmail_OneErrorLineExitTwoNothingWritten()
    {
        await using var database = await ProcessDatabase.CreateAsync(DatabaseProvider.Sqlite, fromTemplate: true);
        var settings = database.Settings();

        var unknown = await PasserelleProcess.RunAsync(settings, "users", "add", "--editor", "ed@example.org", "--programme", "no-such-programme");
        unknown.AssertOneErrorLine(2);
        Assert.Contains("no-such-programme", unknown.Stderr, StringComparison.Ordinal);
        Assert.Equal(0L, await database.CountAsync("Users"));

        Assert.Equal(0, (await PasserelleProcess.RunAsync(settings, "users", "add", "--viewer", "v@example.org")).ExitCode);
        var taken = await PasserelleProcess.RunAsync(settings, "users", "add", "--viewer", "v@example.org");
        taken.AssertOneErrorLine(2);
        Assert.Equal(1L, await database.CountAsync("Users"));
    }
}
