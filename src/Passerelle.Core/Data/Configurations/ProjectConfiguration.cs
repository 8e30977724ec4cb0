using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

using Passerelle.Core.Projects;

namespace Passerelle.Core.Data.Configurations;

internal sealed class ProjectConfiguration : IEntityTypeConfiguration<Project>
{
    public void Configure(EntityTypeBuilder<Project> builder)
    {
        builder.HasIndex(p => p.Slug).IsUnique();
        // A programme's projects (its page, the lists and exports filtered by it: its id or its code), in the list's
        // order and covering its filter, as the keyset index below: a programme of 1,698 projects at 2 M counted in
        // 0.3 ms and its page of 100 read in 0.8 ms, where checking each row's IsPublished in the table took 9 and 10 ms.
        builder.HasIndex(p => new { p.ProgrammeId, p.Acronym, p.Id, p.IsPublished });
        builder.HasIndex(p => new { p.ProgrammeCode, p.Acronym, p.Id, p.IsPublished });
        builder.Property(p => p.ProgrammeCode).HasMaxLength(32);
        builder.HasIndex(p => p.StartDate);
        // The keyset order of the projects list (issue 17): a page after a cursor is a range of this index. IsPublished
        // last makes it cover the list's filter: a page by offset (`?p=1000`) skips its 19,980 rows in the index alone,
        // where checking each row's IsPublished in the table cost 33 ms at 100 k (ADR 31).
        builder.HasIndex(p => new { p.Acronym, p.Id, p.IsPublished });
        // Only the unpublished projects, a few in a registry that publishes what it holds: their ids are read once by a
        // statement and excluded, instead of each participation's project read for its flag (Data/Unpublished, ADR 31).
        // The filter is the text both providers' translation of `!p.IsPublished` gives, so that SQLite, which matches a
        // partial index's WHERE to the query's by expression, uses it.
        builder.HasIndex(p => p.IsPublished, "IX_Projects_Unpublished").HasFilter("NOT \"IsPublished\"");
        builder.Property(p => p.Slug).HasMaxLength(150);
        builder.Property(p => p.Acronym).HasMaxLength(100);
        builder.Property(p => p.Priority).HasMaxLength(500);
        builder.Property(p => p.SpecificObjective).HasMaxLength(1000);
        builder.Property(p => p.InterventionField).HasMaxLength(1000);
        builder.Property(p => p.ProjectType).HasMaxLength(100);
        builder.Property(p => p.Portfolio).HasMaxLength(200);
        builder.Property(p => p.StartDate).HasMaxLength(10);
        builder.Property(p => p.EndDate).HasMaxLength(10);
        builder.Property(p => p.Website).HasMaxLength(500);
        builder.Property(p => p.KeepEuId).HasMaxLength(32);
        builder.Property(p => p.TotalBudget).HasPrecision(18, 2);
        builder.Property(p => p.EuContribution).HasPrecision(18, 2);
        builder.Property(p => p.StatedEuRate).HasPrecision(7, 4);
        builder.ComplexProperty(p => p.Title, b => b.Localized(1000));
        builder.ComplexProperty(p => p.Summary, b => b.Localized(4000));
        builder.HasOne(p => p.Programme).WithMany().HasForeignKey(p => p.ProgrammeId).OnDelete(DeleteBehavior.Restrict);
        builder.HasMany(p => p.Themes).WithMany().UsingEntity("ProjectThemes");
        builder.HasMany(p => p.Participations).WithOne(p => p.Project).HasForeignKey(p => p.ProjectId).OnDelete(DeleteBehavior.Cascade);
        builder.Property(x => x.Version).IsConcurrencyToken().HasDefaultValue(1);
    }
}

internal sealed class ParticipationConfiguration : IEntityTypeConfiguration<Participation>
{
    public void Configure(EntityTypeBuilder<Participation> builder)
    {
        builder.HasIndex(p => new { p.ProjectId, p.OrganisationId }).IsUnique();
        // An organisation's projects are read by this index alone, without the participations' rows: its record's
        // count and first projects, its project list, its co-partners' map and the search index's update after its
        // change each take every project id of one organisation, 4,162 rows for the busiest at 2 M (issue 17, ADR 31).
        // The role is in it too, so that the search index's organisation documents (their roles facet) are read from
        // it alone: a rebuild reads a range of 2,000 organisations' roles, 12,000 rows scattered over 10,000 of the
        // table's pages at 2 M (ADR 7, "the organisations' roles read from an index").
        builder.HasIndex(p => new { p.OrganisationId, p.ProjectId, p.Role });
        builder.Property(p => p.Role).HasConversion<string>().HasMaxLength(32);
        builder.Property(p => p.RoleLabel).HasMaxLength(100);
        builder.Property(p => p.NameInSource).HasMaxLength(300);
        builder.Property(p => p.Budget).HasPrecision(18, 2);
        builder.Property(p => p.EuContribution).HasPrecision(18, 2);
        builder.HasOne(p => p.Organisation).WithMany().HasForeignKey(p => p.OrganisationId).OnDelete(DeleteBehavior.Restrict);
    }
}
