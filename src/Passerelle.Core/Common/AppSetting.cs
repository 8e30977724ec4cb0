namespace Passerelle.Core.Common;

/// <summary>A small key-value row for state the application keeps about itself (e.g. the hash of the seeded data).</summary>
public sealed class AppSetting
{
    public required string Key { get; set; }
    public required string Value { get; set; }
}
