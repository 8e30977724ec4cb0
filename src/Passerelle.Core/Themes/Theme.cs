using Passerelle.Core.Common;

namespace Passerelle.Core.Themes;

public sealed class Theme
{
    public int Id { get; set; }
    public required string Slug { get; set; }
    public LocalizedText Label { get; set; } = LocalizedText.Empty;
}
