using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

using Passerelle.Core.Sources;

namespace Passerelle.Core.Data.Configurations;

internal sealed class SourceConfiguration : IEntityTypeConfiguration<Source>
{
    public void Configure(EntityTypeBuilder<Source> builder)
    {
        builder.HasIndex(s => s.Key).IsUnique();
        builder.Property(s => s.Key).HasMaxLength(64);
        builder.Property(s => s.Title).HasMaxLength(500);
        builder.Property(s => s.Url).HasMaxLength(1000);
        builder.Property(s => s.SourceDate).HasMaxLength(300);
        builder.Property(s => s.Licence).HasMaxLength(300);
        builder.Property(s => s.Version).IsConcurrencyToken().HasDefaultValue(1);
        // No foreign key: adding one to an existing SQLite table rebuilds it, outside a transaction. Organisations are
        // never removed (they are deleted softly) and the editor checks the organisation exists.
        builder.HasIndex(s => s.StatedByOrganisationId);
    }
}

internal sealed class FactConfiguration : IEntityTypeConfiguration<Fact>
{
    public void Configure(EntityTypeBuilder<Fact> builder)
    {
        builder.HasIndex(f => new { f.SubjectType, f.SubjectId, f.Field, f.Rank });
        builder.Property(f => f.Field).HasMaxLength(64);
        builder.Property(f => f.Value).HasMaxLength(4000);
        builder.Property(f => f.Note).HasMaxLength(2000);
        builder.HasOne(f => f.Source).WithMany().HasForeignKey(f => f.SourceId).OnDelete(DeleteBehavior.Restrict);
    }
}
