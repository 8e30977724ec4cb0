namespace Passerelle.Core.Common;

/// <summary>
/// This build of the Core library: its module's id, which the deterministic compiler derives from what it compiles (the
/// code, its references, the version: without the commit's hash, see Passerelle.Core.csproj), so it changes when this
/// library's code does and not with a commit elsewhere. What one build writes for itself to read back (the registry
/// values kept across starts, ADR 37; the published export files, ADR 34; the export parts, ADR 39) is marked with it,
/// since a newer build may compute or shape the same thing differently.
/// </summary>
internal static class CoreBuild
{
    public static string Id { get; } = typeof(CoreBuild).Assembly.ManifestModule.ModuleVersionId.ToString("N");
}
