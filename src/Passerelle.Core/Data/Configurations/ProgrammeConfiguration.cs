using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

using Passerelle.Core.Programmes;

namespace Passerelle.Core.Data.Configurations;

internal sealed class ProgrammeConfiguration : IEntityTypeConfiguration<Programme>
{
    public void Configure(EntityTypeBuilder<Programme> builder)
    {
        builder.HasIndex(p => p.Slug).IsUnique();
        builder.Property(p => p.Slug).HasMaxLength(100);
        builder.Property(p => p.Code).HasMaxLength(32);
        builder.Property(p => p.Period).HasMaxLength(16);
        builder.Property(p => p.Cci).HasMaxLength(32);
        builder.Property(p => p.ManagingAuthority).HasMaxLength(500);
        builder.Property(p => p.Website).HasMaxLength(500);
        builder.Property(p => p.AreaNote).HasMaxLength(2000);
        builder.Property(p => p.Kind).HasConversion<string>().HasMaxLength(32);
        builder.ComplexProperty(p => p.Name, b => b.Localized(300));
        builder.ComplexProperty(p => p.Description, b => b.Localized(4000));
        builder.Property(x => x.Version).IsConcurrencyToken().HasDefaultValue(1);
    }
}

internal sealed class ProgrammeAreaUnitConfiguration : IEntityTypeConfiguration<Territories.ProgrammeAreaUnit>
{
    public void Configure(EntityTypeBuilder<Territories.ProgrammeAreaUnit> builder)
    {
        builder.HasIndex(a => new { a.ProgrammeId, a.NutsCode }).IsUnique();
        builder.Property(a => a.NutsCode).HasMaxLength(16);
        builder.Property(a => a.NutsVersion).HasMaxLength(100);
        builder.Property(a => a.Nuts2021Codes).HasMaxLength(200);
        builder.Property(a => a.Name).HasMaxLength(200);
        builder.Property(a => a.Role).HasMaxLength(16);
        builder.Property(a => a.Note).HasMaxLength(2000);
        builder.HasOne<Programme>().WithMany().HasForeignKey(a => a.ProgrammeId).OnDelete(DeleteBehavior.Cascade);
    }
}
