using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

using Passerelle.Core.Organisations;

namespace Passerelle.Core.Data.Configurations;

internal sealed class OrganisationConfiguration : IEntityTypeConfiguration<Organisation>
{
    public void Configure(EntityTypeBuilder<Organisation> builder)
    {
        builder.HasIndex(o => o.Slug).IsUnique();
        // A country's organisations (the list and its export filtered by country) in the list's order, covering its
        // filter: at 2 M projects (106,644 organisations in Italy) the count read every one of them in the table
        // (150 ms) and the first page sorted them all (73 ms); from this index, the count reads it alone and a page is a
        // range of it (ADR 31).
        builder.HasIndex(o => new { o.Country, o.Name, o.Id, o.IsPublished });
        // The keyset order of the organisations list (issue 17), covering its IsPublished filter as the projects' does.
        builder.HasIndex(o => new { o.Name, o.Id, o.IsPublished });
        // Only the unpublished organisations, as the projects' (Data/Unpublished, ADR 31).
        builder.HasIndex(o => o.IsPublished, "IX_Organisations_Unpublished").HasFilter("NOT \"IsPublished\"");
        builder.Property(o => o.Slug).HasMaxLength(150);
        builder.Property(o => o.Name).HasMaxLength(300);
        builder.Property(o => o.Country).HasMaxLength(2);
        builder.Property(o => o.City).HasMaxLength(150);
        builder.Property(o => o.Website).HasMaxLength(500);
        builder.Property(o => o.LegalStatus).HasConversion<string>().HasMaxLength(16);
        builder.HasMany(o => o.Aliases).WithOne().HasForeignKey(a => a.OrganisationId).OnDelete(DeleteBehavior.Cascade);
        builder.Property(x => x.Version).IsConcurrencyToken().HasDefaultValue(1);
    }
}

internal sealed class OrganisationAliasConfiguration : IEntityTypeConfiguration<OrganisationAlias>
{
    public void Configure(EntityTypeBuilder<OrganisationAlias> builder)
    {
        builder.HasIndex(a => new { a.OrganisationId, a.Name }).IsUnique();
        builder.Property(a => a.Name).HasMaxLength(300);
        builder.HasOne<Sources.Source>().WithMany().HasForeignKey(a => a.SourceId).OnDelete(DeleteBehavior.Restrict);
    }
}
