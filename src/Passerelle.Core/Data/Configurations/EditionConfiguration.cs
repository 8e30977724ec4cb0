using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

using Passerelle.Core.Editions;
using Passerelle.Core.Programmes;
using Passerelle.Core.Projects;

namespace Passerelle.Core.Data.Configurations;

// Editions are a publication record: nothing deletes them, so their links to programmes and projects (which are only
// ever deleted softly) restrict rather than cascade.
internal sealed class EditionConfiguration : IEntityTypeConfiguration<Edition>
{
    public void Configure(EntityTypeBuilder<Edition> builder)
    {
        builder.HasIndex(e => new { e.ProgrammeId, e.Number }).IsUnique();
        builder.Property(e => e.PublishedBy).HasMaxLength(256);
        builder.Property(e => e.Columns).HasMaxLength(8000);
        builder.Property(e => e.ContentHash).HasMaxLength(64);
        builder.HasOne<Programme>().WithMany().HasForeignKey(e => e.ProgrammeId).OnDelete(DeleteBehavior.Restrict);
        builder.HasMany(e => e.Operations).WithOne().HasForeignKey(o => o.EditionId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class EditionOperationConfiguration : IEntityTypeConfiguration<EditionOperation>
{
    public void Configure(EntityTypeBuilder<EditionOperation> builder)
    {
        builder.HasKey(o => new { o.EditionId, o.OperationCodeId });
        builder.HasOne(o => o.OperationCode).WithMany().HasForeignKey(o => o.OperationCodeId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne(o => o.Content).WithMany().HasForeignKey(o => o.ContentId).OnDelete(DeleteBehavior.Restrict);
        builder.HasIndex(o => o.OperationCodeId);
        builder.HasIndex(o => o.ContentId);
    }
}

internal sealed class EditionContentConfiguration : IEntityTypeConfiguration<EditionContent>
{
    public void Configure(EntityTypeBuilder<EditionContent> builder)
    {
        builder.Property(c => c.Hash).HasMaxLength(64);
        builder.HasIndex(c => c.Hash).IsUnique();
    }
}

internal sealed class OperationCodeConfiguration : IEntityTypeConfiguration<OperationCode>
{
    public void Configure(EntityTypeBuilder<OperationCode> builder)
    {
        builder.Property(c => c.Code).HasMaxLength(64);
        builder.HasIndex(c => c.Code).IsUnique();
        builder.HasIndex(c => c.ProjectId).IsUnique();
        builder.HasOne<Project>().WithMany().HasForeignKey(c => c.ProjectId).OnDelete(DeleteBehavior.Restrict);
    }
}
