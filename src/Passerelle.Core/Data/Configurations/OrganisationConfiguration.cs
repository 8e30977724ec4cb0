using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

using Passerelle.Core.Organisations;

namespace Passerelle.Core.Data.Configurations;

internal sealed class OrganisationConfiguration : IEntityTypeConfiguration<Organisation>
{
    public void Configure(EntityTypeBuilder<Organisation> builder)
    {
        builder.HasIndex(o => o.Slug).IsUnique();
        builder.HasIndex(o => o.Country);
        // The keyset order of the organisations list (issue 17), covering its IsPublished filter as the projects' does.
        builder.HasIndex(o => new { o.Name, o.Id, o.IsPublished });
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
