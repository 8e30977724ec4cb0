using Microsoft.EntityFrameworkCore;

using Passerelle.Core.Data;
using Passerelle.Core.Sources;

namespace Passerelle.Core.Imports;

/// <summary>
/// The facts an import writes, so that every imported value keeps its source (ADR 0001). A value already given by the
/// same source is not written again, which makes a re-import write nothing. A value that replaces a record's column
/// becomes rank 0 of its field (the column holds the value shown first); a value equal to the column is added after the
/// field's other values, as one more source for it.
/// </summary>
internal sealed class FactPlan(PasserelleDbContext db, int sourceId)
{
    private const int BatchSize = 10_000;

    private readonly Dictionary<(SubjectType, int, string), int> _maxRank = [];
    private readonly HashSet<(SubjectType, int, string, string)> _fromSource = [];
    private readonly List<(SubjectType Type, int Id, string Field, string Value)> _promotions = [];
    private readonly List<(SubjectType Type, Func<int> Id, string Field, string Value, int Rank)> _pending = [];

    public int Count => _pending.Count;

    /// <summary>Loads what is known of the facts of existing records, before any is planned.</summary>
    public async Task LoadAsync(SubjectType type, IReadOnlyCollection<int> ids, CancellationToken ct)
    {
        if (ids.Count == 0)
        {
            return;
        }

        var list = ids.ToList();
        var ranks = await db.Facts.AsNoTracking().Where(f => f.SubjectType == type && list.Contains(f.SubjectId))
            .GroupBy(f => new { f.SubjectId, f.Field })
            .Select(g => new { g.Key.SubjectId, g.Key.Field, Max = g.Max(f => f.Rank) })
            .ToListAsync(ct);
        foreach (var r in ranks)
        {
            _maxRank[(type, r.SubjectId, r.Field)] = r.Max;
        }

        var own = await db.Facts.AsNoTracking().Where(f => f.SourceId == sourceId && f.SubjectType == type && list.Contains(f.SubjectId))
            .Select(f => new { f.SubjectId, f.Field, f.Value })
            .ToListAsync(ct);
        foreach (var f in own)
        {
            _fromSource.Add((type, f.SubjectId, f.Field, f.Value));
        }
    }

    /// <summary>Plans the fact of a value of an existing record; true when something will be written.</summary>
    public bool ForExisting(SubjectType type, int id, string field, string value, bool replacesColumn)
    {
        var key = (type, id, field, value);
        var known = _fromSource.Contains(key);
        if (replacesColumn)
        {
            if (_maxRank.ContainsKey((type, id, field)))
            {
                _promotions.Add(key);
            }

            if (!known)
            {
                _pending.Add((type, () => id, field, value, 0));
                _fromSource.Add(key);
            }

            return true;
        }

        if (known)
        {
            return false;
        }

        var rank = _maxRank.TryGetValue((type, id, field), out var max) ? max + 1 : 0;
        _maxRank[(type, id, field)] = rank;
        _pending.Add((type, () => id, field, value, rank));
        _fromSource.Add(key);
        return true;
    }

    /// <summary>Plans a fact of a record created by this import; its id is read once the record is saved.</summary>
    public void ForNew(SubjectType type, Func<int> id, string field, string value) => _pending.Add((type, id, field, value, 0));

    /// <summary>Writes the plan: rank shifts first (set-based), then the new facts in batches.</summary>
    public async Task WriteAsync(CancellationToken ct)
    {
        foreach (var (type, id, field, value) in _promotions)
        {
            await db.Facts.Where(f => f.SubjectType == type && f.SubjectId == id && f.Field == field)
                .ExecuteUpdateAsync(s => s.SetProperty(f => f.Rank, f => f.SourceId == sourceId && f.Value == value ? 0 : f.Rank + 1), ct);
        }

        for (var start = 0; start < _pending.Count; start += BatchSize)
        {
            foreach (var (type, id, field, value, rank) in _pending.Skip(start).Take(BatchSize))
            {
                db.Facts.Add(new Fact { SubjectType = type, SubjectId = id(), Field = field, Value = value, SourceId = sourceId, Rank = rank });
            }

            await db.SaveChangesAsync(ct);
            db.ChangeTracker.Clear();
        }
    }
}
