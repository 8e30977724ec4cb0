using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Passerelle.Core.Data.Configurations;

internal sealed class KeptRegistryValueConfiguration : IEntityTypeConfiguration<KeptRegistryValue>
{
    public void Configure(EntityTypeBuilder<KeptRegistryValue> builder)
    {
        builder.ToTable("KeptRegistryValues");
        builder.HasKey(v => v.Name);
        builder.Property(v => v.Name).HasMaxLength(100);
        builder.Property(v => v.Build).HasMaxLength(64);
        // No maximum length: the open-data catalogue is hundreds of kilobytes at a few hundred programmes.
        builder.Property(v => v.Value);
    }
}
