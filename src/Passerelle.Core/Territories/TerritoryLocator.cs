using NetTopologySuite.Algorithm.Locate;
using NetTopologySuite.Geometries;
using NetTopologySuite.Index.Strtree;

namespace Passerelle.Core.Territories;

/// <summary>
/// Point-in-territory lookup over NUTS regions and municipalities: an STRtree of envelopes per kind picks the few
/// candidates (the point query reads a grid of candidate lists derived from it, see Level), then an <see cref="IndexedPointInAreaLocator"/> (the structure PreparedGeometry uses for point containment,
/// used directly to avoid allocating a Point per query) decides. Points on a boundary count as inside (Covers semantics),
/// so a point on a shared border may match either neighbour; the first found is returned.
/// Thread-safe for concurrent reads: every lazily built index is forced at construction.
/// </summary>
public sealed class TerritoryLocator
{
    private readonly Dictionary<string, ImportedTerritory> _byCode = new(StringComparer.Ordinal);
    private readonly Level?[] _levels = new Level?[(int)TerritoryKind.Municipality + 1];

    public TerritoryLocator(IEnumerable<ImportedTerritory> units)
    {
        ArgumentNullException.ThrowIfNull(units);
        var byKind = new List<Entry>?[_levels.Length];
        foreach (var unit in units)
        {
            if (!_byCode.TryAdd(unit.Code, unit))
            {
                throw new ArgumentException($"Duplicate territory code '{unit.Code}'.", nameof(units));
            }

            if (unit.Geometry is not (Polygon or MultiPolygon) || unit.Geometry.IsEmpty)
            {
                continue;
            }

            (byKind[(int)unit.Kind] ??= []).Add(new Entry(unit.Unit, unit.Geometry));
        }

        for (int k = 0; k < byKind.Length; k++)
        {
            if (byKind[k] is { Count: > 0 } entries)
            {
                _levels[k] = new Level(entries);
            }
        }
    }

    /// <summary>Number of units indexed (all kinds, with or without geometry).</summary>
    public int Count => _byCode.Count;

    public ImportedTerritory? Find(string code) => _byCode.GetValueOrDefault(code);

    /// <summary>The unit of <paramref name="kind"/> whose outline covers the point, or null (sea, outside coverage).</summary>
    public TerritoryUnit? Locate(double latitude, double longitude, TerritoryKind kind) =>
        _levels[(int)kind]?.Find(longitude, latitude);

    /// <summary>Fast path for the most common question: which NUTS 3 region is this point in.</summary>
    public TerritoryUnit? LocateNuts3(double latitude, double longitude) =>
        _levels[(int)TerritoryKind.Nuts3]?.Find(longitude, latitude);

    /// <summary>
    /// Every unit containing the point, NUTS 0 first, municipality last. The NUTS chain is taken from the
    /// municipality's <see cref="TerritoryUnit.ParentCode"/> when a municipality matches (its outline is far more
    /// precise than the 1:10M NUTS one near borders: Halluin's centre falls in Belgium's BE254 at 1:10M), else from the
    /// deepest NUTS level that matches; the upper levels then follow the parent codes, which is exact because NUTS
    /// levels nest by construction.
    /// </summary>
    public IReadOnlyList<TerritoryUnit> Locate(double latitude, double longitude)
    {
        var municipality = _levels[(int)TerritoryKind.Municipality]?.Find(longitude, latitude);
        TerritoryUnit? deepest = null;
        if (municipality?.ParentCode is { } parentCode && _byCode.TryGetValue(parentCode, out var parent))
        {
            deepest = parent.Unit;
        }

        for (int k = (int)TerritoryKind.Nuts3; deepest is null && k >= 0; k--)
        {
            deepest = _levels[k]?.Find(longitude, latitude);
        }

        var chain = new List<TerritoryUnit>(5);
        for (var unit = deepest; unit is not null;
             unit = unit.ParentCode is { } p && _byCode.TryGetValue(p, out var up) ? up.Unit : null)
        {
            chain.Add(unit);
            if (chain.Count > 8)
            {
                throw new InvalidOperationException($"Parent cycle at '{unit.Code}'.");
            }
        }

        chain.Reverse();
        if (municipality is not null)
        {
            chain.Add(municipality);
        }

        return chain;
    }

    /// <summary>
    /// The NUTS 3 region of <paramref name="countryCode"/> that holds <paramref name="geometry"/>. Fast path: the
    /// region containing the interior point, when its outline covers the whole municipality. Otherwise (a municipality
    /// on a NUTS 3 boundary, whose 1:10M outline cuts through it; an enclave such as Baarle-Hertog) the same-country
    /// region with the largest overlap, which an interior point alone gets wrong for small border municipalities.
    /// </summary>
    public string? ContainingNuts3(Geometry geometry, string countryCode)
    {
        ArgumentNullException.ThrowIfNull(geometry);
        var level = _levels[(int)TerritoryKind.Nuts3];
        if (level is null || geometry.IsEmpty)
        {
            return null;
        }

        var point = geometry.InteriorPoint;
        var hit = level.Find(point.X, point.Y);
        if (hit is not null && hit.CountryCode == countryCode && level.Prepared(hit).Covers(geometry))
        {
            return hit.Code;
        }

        string? best = null;
        double bestArea = 0;
        foreach (var candidate in level.Query(geometry.EnvelopeInternal))
        {
            if (candidate.Unit.CountryCode != countryCode)
            {
                continue;
            }

            double area = candidate.Geometry.Intersection(geometry).Area;
            if (area > bestArea)
            {
                bestArea = area;
                best = candidate.Unit.Code;
            }
        }

        // Nothing of the country overlaps (an outline entirely outside the coarse national outline): nearest region.
        return best ?? level.Query(Expanded(geometry.EnvelopeInternal, 0.5))
            .Where(c => c.Unit.CountryCode == countryCode)
            .MinBy(c => c.Geometry.Distance(geometry))?.Unit.Code;
    }

    private static Envelope Expanded(Envelope envelope, double degrees)
    {
        var copy = envelope.Copy();
        copy.ExpandBy(degrees);
        return copy;
    }

    private sealed class Entry
    {
        public Entry(TerritoryUnit unit, Geometry geometry)
        {
            Unit = unit;
            Geometry = geometry;
            Envelope = geometry.EnvelopeInternal;
            Locator = new IndexedPointInAreaLocator(geometry);
            var centre = Envelope.Centre;
            // Forces the lazy interval index now, so that concurrent Find calls only read it.
            Locator.Locate(centre);
        }

        public TerritoryUnit Unit { get; }
        public Geometry Geometry { get; }
        public Envelope Envelope { get; }
        public IndexedPointInAreaLocator Locator { get; }
    }

    private sealed class Level
    {
        // Grid cell size in degrees: NUTS 3 regions are 0.5-2° wide, so a cell meets 1-3 candidates on average.
        private const double CellDegrees = 0.25;
        private readonly STRtree<Entry> _tree = new();
        private readonly Dictionary<TerritoryUnit, NetTopologySuite.Geometries.Prepared.IPreparedGeometry> _prepared = [];
        private readonly Dictionary<TerritoryUnit, Geometry> _geometries = [];
        private readonly Entry[]?[] _cells;
        private readonly double _minX;
        private readonly double _minY;
        private readonly int _columns;
        private readonly int _rows;

        public Level(List<Entry> entries)
        {
            var extent = new Envelope();
            foreach (var entry in entries)
            {
                _tree.Insert(entry.Envelope, entry);
                _geometries[entry.Unit] = entry.Geometry;
                extent.ExpandToInclude(entry.Envelope);
            }

            _tree.Build();

            // The point-query hot path uses a uniform grid of candidate lists instead of the STRtree: STRtree's visitor
            // query did not scale across threads when measured (1.23 s → 1.03 s on 2 cores) and its list query allocates.
            // Each entry is listed in every cell its envelope touches; the grid is read-only once built.
            _minX = extent.MinX;
            _minY = extent.MinY;
            _columns = Math.Max(1, (int)Math.Ceiling(extent.Width / CellDegrees));
            _rows = Math.Max(1, (int)Math.Ceiling(extent.Height / CellDegrees));
            var lists = new List<Entry>?[_columns * _rows];
            foreach (var entry in entries)
            {
                int c0 = Math.Clamp((int)Math.Floor((entry.Envelope.MinX - _minX) / CellDegrees), 0, _columns - 1);
                int c1 = Math.Clamp((int)Math.Floor((entry.Envelope.MaxX - _minX) / CellDegrees), 0, _columns - 1);
                int r0 = Math.Clamp((int)Math.Floor((entry.Envelope.MinY - _minY) / CellDegrees), 0, _rows - 1);
                int r1 = Math.Clamp((int)Math.Floor((entry.Envelope.MaxY - _minY) / CellDegrees), 0, _rows - 1);
                for (int row = r0; row <= r1; row++)
                {
                    for (int column = c0; column <= c1; column++)
                    {
                        (lists[(row * _columns) + column] ??= []).Add(entry);
                    }
                }
            }

            _cells = new Entry[]?[lists.Length];
            for (int i = 0; i < lists.Length; i++)
            {
                _cells[i] = lists[i]?.ToArray();
            }
        }

        public IList<Entry> Query(Envelope envelope) => _tree.Query(envelope);

        /// <summary>Prepared outline, built on demand; only used by the importers.</summary>
        public NetTopologySuite.Geometries.Prepared.IPreparedGeometry Prepared(TerritoryUnit unit)
        {
            lock (_prepared)
            {
                if (!_prepared.TryGetValue(unit, out var prepared))
                {
                    prepared = NetTopologySuite.Geometries.Prepared.PreparedGeometryFactory.Prepare(_geometries[unit]);
                    _prepared[unit] = prepared;
                }

                return prepared;
            }
        }

        public TerritoryUnit? Find(double x, double y)
        {
            int column = (int)Math.Floor((x - _minX) / CellDegrees);
            int row = (int)Math.Floor((y - _minY) / CellDegrees);
            if (double.IsNaN(x) || double.IsNaN(y) || column < 0 || row < 0 || column > _columns || row > _rows)
            {
                return null;
            }

            // A point on the extent's max edge lands one cell out; the last cell lists everything touching that edge.
            column = Math.Min(column, _columns - 1);
            row = Math.Min(row, _rows - 1);

            if (_cells[(row * _columns) + column] is not { } candidates)
            {
                return null;
            }

            Coordinate? point = null;
            foreach (var entry in candidates)
            {
                if (entry.Envelope.Covers(x, y)
                    && entry.Locator.Locate(point ??= new Coordinate(x, y)) != Location.Exterior)
                {
                    return entry.Unit;
                }
            }

            return null;
        }
    }
}
