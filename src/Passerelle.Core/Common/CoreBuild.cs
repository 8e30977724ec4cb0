namespace Passerelle.Core.Common;

/// <summary>
/// This build of the Core library: its module's id, new at every compilation. What one build writes for itself to read
/// back (the registry values kept across starts, ADR 37; the published export files, ADR 34) is marked with it, since a
/// newer build may compute or shape the same thing differently.
/// </summary>
internal static class CoreBuild
{
    public static string Id { get; } = typeof(CoreBuild).Assembly.ManifestModule.ModuleVersionId.ToString("N");
}
