using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

using Passerelle.Core.History;

namespace Passerelle.Core.Data.Configurations;

internal sealed class ChangeSetConfiguration : IEntityTypeConfiguration<ChangeSet>
{
    public void Configure(EntityTypeBuilder<ChangeSet> builder)
    {
        builder.Property(c => c.Actor).HasMaxLength(200);
        builder.Property(c => c.Detail).HasMaxLength(1000);
        builder.Property(c => c.ActorKind).HasConversion<string>().HasMaxLength(16);
        builder.HasIndex(c => c.At);
    }
}

internal sealed class RevisionConfiguration : IEntityTypeConfiguration<Revision>
{
    public void Configure(EntityTypeBuilder<Revision> builder)
    {
        // A record's history, newest last, is read by subject; a change set's by its id.
        builder.HasIndex(r => new { r.SubjectType, r.SubjectId, r.Field });
        builder.HasIndex(r => r.ChangeSetId);
        builder.Property(r => r.SubjectKey).HasMaxLength(32);
        builder.Property(r => r.Field).HasMaxLength(64);
        builder.Property(r => r.Action).HasConversion<string>().HasMaxLength(16);
        builder.Property(r => r.OldValue).HasMaxLength(4000);
        builder.Property(r => r.NewValue).HasMaxLength(4000);
        builder.HasOne<ChangeSet>().WithMany().HasForeignKey(r => r.ChangeSetId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<Sources.Source>().WithMany().HasForeignKey(r => r.SourceId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class RecordVersionConfiguration : IEntityTypeConfiguration<RecordVersion>
{
    public void Configure(EntityTypeBuilder<RecordVersion> builder)
    {
        // A record's versions are read by subject (the conflict's "what changed since"); no surrogate id is needed.
        builder.HasKey(v => new { v.SubjectType, v.SubjectId, v.Version });
        builder.HasIndex(v => v.ChangeSetId);
        builder.HasOne<ChangeSet>().WithMany().HasForeignKey(v => v.ChangeSetId).OnDelete(DeleteBehavior.Restrict);
    }
}
