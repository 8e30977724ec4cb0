using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

using Passerelle.Core.Territories;

namespace Passerelle.Core.Data.Configurations;

internal sealed class TerritoryUnitConfiguration : IEntityTypeConfiguration<TerritoryUnit>
{
    public void Configure(EntityTypeBuilder<TerritoryUnit> builder)
    {
        builder.HasKey(t => t.Code);
        builder.HasIndex(t => t.ParentCode);
        builder.HasIndex(t => new { t.Kind, t.CountryCode });
        builder.Property(t => t.Code).HasMaxLength(16);
        builder.Property(t => t.Kind).HasConversion<string>().HasMaxLength(16);
        builder.Property(t => t.Name).HasMaxLength(200);
        builder.Property(t => t.NameLocal).HasMaxLength(200);
        builder.Property(t => t.CountryCode).HasMaxLength(2);
        builder.Property(t => t.ParentCode).HasMaxLength(16);
        builder.Property(t => t.Version).HasMaxLength(32);
        builder.Property(t => t.PopulationReference).HasMaxLength(300);
    }
}

internal sealed class TerritoryNameConfiguration : IEntityTypeConfiguration<TerritoryName>
{
    public void Configure(EntityTypeBuilder<TerritoryName> builder)
    {
        builder.HasIndex(n => new { n.UnitCode, n.Language }).IsUnique();
        builder.Property(n => n.UnitCode).HasMaxLength(16);
        builder.Property(n => n.Language).HasMaxLength(2);
        builder.Property(n => n.Name).HasMaxLength(200);
        builder.HasOne<TerritoryUnit>().WithMany().HasForeignKey(n => n.UnitCode).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Sources.Source>().WithMany().HasForeignKey(n => n.SourceId).OnDelete(DeleteBehavior.Restrict);
    }
}
