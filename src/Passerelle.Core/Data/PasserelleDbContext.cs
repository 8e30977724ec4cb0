using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

using Passerelle.Core.Data.ChangeFeed;
using Passerelle.Core.Groupings;
using Passerelle.Core.Organisations;
using Passerelle.Core.Programmes;
using Passerelle.Core.Projects;
using Passerelle.Core.Sources;
using Passerelle.Core.Territories;
using Passerelle.Core.Themes;

namespace Passerelle.Core.Data;

/// <summary>
/// The registry's database. Each provider has a subclass (<see cref="SqliteDbContext"/>, <see cref="PostgresDbContext"/>)
/// only so that each keeps its own migrations; the model is the same.
/// </summary>
public abstract class PasserelleDbContext(DbContextOptions options) : IdentityUserContext<Accounts.User, int>(options), IDataProtectionKeyContext
{
    public DbSet<Source> Sources => Set<Source>();
    public DbSet<Fact> Facts => Set<Fact>();
    public DbSet<Theme> Themes => Set<Theme>();
    public DbSet<Programme> Programmes => Set<Programme>();
    public DbSet<Grouping> Groupings => Set<Grouping>();
    public DbSet<GroupingMember> GroupingMembers => Set<GroupingMember>();
    public DbSet<Organisation> Organisations => Set<Organisation>();
    public DbSet<OrganisationAlias> OrganisationAliases => Set<OrganisationAlias>();
    public DbSet<Project> Projects => Set<Project>();
    public DbSet<Participation> Participations => Set<Participation>();
    public DbSet<TerritoryUnit> TerritoryUnits => Set<TerritoryUnit>();
    public DbSet<TerritoryName> TerritoryNames => Set<TerritoryName>();
    public DbSet<ProgrammeAreaUnit> ProgrammeAreaUnits => Set<ProgrammeAreaUnit>();
    public DbSet<GroupingTerritoryUnit> GroupingTerritoryUnits => Set<GroupingTerritoryUnit>();
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();
    public DbSet<Common.AppSetting> AppSettings => Set<Common.AppSetting>();

    /// <summary>Values computed from the whole registry, kept for the next start (ADR 37).</summary>
    public DbSet<KeptRegistryValue> KeptRegistryValues => Set<KeptRegistryValue>();
    public DbSet<ChangeEntry> ChangeFeed => Set<ChangeEntry>();
    public DbSet<History.ChangeSet> ChangeSets => Set<History.ChangeSet>();
    public DbSet<History.Revision> Revisions => Set<History.Revision>();
    public DbSet<History.RecordVersion> RecordVersions => Set<History.RecordVersion>();
    public DbSet<Accounts.UserScope> UserScopes => Set<Accounts.UserScope>();
    public DbSet<Accounts.AccessToken> AccessTokens => Set<Accounts.AccessToken>();
    public DbSet<Accounts.AuditEntry> AuditEntries => Set<Accounts.AuditEntry>();
    public DbSet<Editions.Edition> Editions => Set<Editions.Edition>();
    public DbSet<Editions.EditionOperation> EditionOperations => Set<Editions.EditionOperation>();
    public DbSet<Editions.EditionContent> EditionContents => Set<Editions.EditionContent>();
    public DbSet<Editions.OperationCode> OperationCodes => Set<Editions.OperationCode>();

    /// <summary>The write session open on this context, if any (<see cref="Registry.RegistryWriter"/>).</summary>
    internal Registry.WriteSession? ActiveWriteSession { get; set; }

    /// <summary>The transaction <see cref="ChangeFeedInterceptor"/> opened around one SaveChanges, if it had to.</summary>
    internal IDbContextTransaction? FeedTransaction { get; set; }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        // Identity's users, claims, logins and tokens (no Identity roles: a user has one role and a scope, Accounts/User).
        base.OnModelCreating(modelBuilder);
        modelBuilder.Entity<IdentityUserClaim<int>>().ToTable("UserClaims");
        modelBuilder.Entity<IdentityUserLogin<int>>().ToTable("UserLogins");
        modelBuilder.Entity<IdentityUserToken<int>>().ToTable("UserTokens");
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(PasserelleDbContext).Assembly);
    }
}

public sealed class SqliteDbContext(DbContextOptions<SqliteDbContext> options) : PasserelleDbContext(options)
{
    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // SQLite has no decimal type and EF cannot order by decimals stored as text there; amounts in EUR with
        // cents fit a double exactly enough to round-trip (15 significant digits).
        configurationBuilder.Properties<decimal>().HaveConversion<double>();
        configurationBuilder.Properties<decimal?>().HaveConversion<double?>();
    }
}

public sealed class PostgresDbContext(DbContextOptions<PostgresDbContext> options) : PasserelleDbContext(options);
