using NetTopologySuite.Geometries;

namespace Passerelle.Core.Territories;

/// <summary>
/// A unit ready to be persisted (<see cref="Unit"/>, whose <see cref="TerritoryUnit.Geometry"/> holds WKB) together with
/// the parsed geometry, so callers that build a <see cref="TerritoryLocator"/> or compute lengths do not re-read the WKB.
/// </summary>
public sealed record ImportedTerritory(TerritoryUnit Unit, Geometry Geometry)
{
    public string Code => Unit.Code;
    public TerritoryKind Kind => Unit.Kind;
}
