using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

using Passerelle.Core.Data.ChangeFeed;

namespace Passerelle.Core.Data.Configurations;

internal sealed class ChangeEntryConfiguration : IEntityTypeConfiguration<ChangeEntry>
{
    public void Configure(EntityTypeBuilder<ChangeEntry> builder)
    {
        builder.ToTable("ChangeFeed");
        builder.HasKey(e => e.Id);
        // Identity on PostgreSQL, AUTOINCREMENT on SQLite: an Id is never reused, so "Id > last seen" never skips.
        builder.Property(e => e.Id).ValueGeneratedOnAdd();
        builder.Property(e => e.EntityType).HasMaxLength(32);
        builder.Property(e => e.EntityId).HasMaxLength(310);
        builder.Property(e => e.Kind).HasConversion<string>().HasMaxLength(16);
        builder.HasIndex(e => e.ChangedAt);
    }
}
