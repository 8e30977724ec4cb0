using Microsoft.EntityFrameworkCore.Metadata.Builders;

using Passerelle.Core.Common;

namespace Passerelle.Core.Data.Configurations;

internal static class LocalizedTextMapping
{
    /// <summary>Maps a <see cref="LocalizedText"/> to one column per language: Name_En, Name_Fr, ...</summary>
    public static void Localized<T>(this ComplexPropertyBuilder<T> builder, int maxLength) where T : class
    {
        builder.Property(nameof(LocalizedText.En)).HasMaxLength(maxLength);
        builder.Property(nameof(LocalizedText.Fr)).HasMaxLength(maxLength);
        builder.Property(nameof(LocalizedText.Nl)).HasMaxLength(maxLength);
        builder.Property(nameof(LocalizedText.De)).HasMaxLength(maxLength);
    }
}
