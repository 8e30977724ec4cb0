using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

using Passerelle.Core.Groupings;
using Passerelle.Core.Territories;

namespace Passerelle.Core.Data.Configurations;

internal sealed class GroupingConfiguration : IEntityTypeConfiguration<Grouping>
{
    public void Configure(EntityTypeBuilder<Grouping> builder)
    {
        builder.HasIndex(g => g.Slug).IsUnique();
        builder.Property(g => g.Slug).HasMaxLength(100);
        builder.Property(g => g.LegalForm).HasMaxLength(100);
        builder.Property(g => g.FoundedOn).HasMaxLength(10);
        builder.Property(g => g.Website).HasMaxLength(500);
        builder.ComplexProperty(g => g.Name, b => b.Localized(300));
        builder.ComplexProperty(g => g.Description, b => b.Localized(4000));
        builder.HasMany(g => g.Members).WithOne().HasForeignKey(m => m.GroupingId).OnDelete(DeleteBehavior.Cascade);
        builder.Property(x => x.Version).IsConcurrencyToken().HasDefaultValue(1);
    }
}

internal sealed class GroupingMemberConfiguration : IEntityTypeConfiguration<GroupingMember>
{
    public void Configure(EntityTypeBuilder<GroupingMember> builder)
    {
        builder.Property(m => m.Name).HasMaxLength(300);
        builder.Property(m => m.Country).HasMaxLength(2);
        builder.Property(m => m.Level).HasMaxLength(32);
        builder.HasOne<Organisations.Organisation>().WithMany().HasForeignKey(m => m.OrganisationId).OnDelete(DeleteBehavior.SetNull);
        builder.HasOne<Sources.Source>().WithMany().HasForeignKey(m => m.SourceId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class GroupingTerritoryUnitConfiguration : IEntityTypeConfiguration<GroupingTerritoryUnit>
{
    public void Configure(EntityTypeBuilder<GroupingTerritoryUnit> builder)
    {
        builder.HasIndex(t => new { t.GroupingId, t.UnitCode }).IsUnique();
        builder.Property(t => t.UnitCode).HasMaxLength(16);
        builder.Property(t => t.Name).HasMaxLength(200);
        builder.Property(t => t.Country).HasMaxLength(2);
        builder.Property(t => t.Perimeters).HasMaxLength(100);
        builder.HasOne<Grouping>().WithMany().HasForeignKey(t => t.GroupingId).OnDelete(DeleteBehavior.Cascade);
    }
}
