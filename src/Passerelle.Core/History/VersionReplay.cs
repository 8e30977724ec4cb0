using Passerelle.Core.Sources;

namespace Passerelle.Core.History;

/// <summary>
/// Rebuilds what a record showed at any version from its revisions alone (ADR 0013): the history is append-only and
/// records every change of every value, so replaying it in order gives each field's values in display order after
/// each change set. No snapshot is stored.
/// <list type="bullet">
/// <item>Sourced values: an added value goes in at the rank it was given (the write session renumbers the others, as
/// here), a retracted one leaves, a reranked one moves to its new rank.</item>
/// <item>Notes on values: the last note change at or before the version, else the old note of the first after it,
/// else the note the value has now (a note that never changed is the one it was written with).</item>
/// <item>Attributes (a programme's kind, a project's programme): the last "set" at or before the version, else the old
/// value of the first after it. An attribute never changed since the record's creation has no revision and is not
/// shown.</item>
/// <item>Links: those made and not removed by then, as the history describes them.</item>
/// </list>
/// </summary>
internal sealed class VersionReplay
{
    private readonly List<IGrouping<long, RevisionRow>> _changeSets;
    private readonly IReadOnlyDictionary<long, string?> _currentNotes;
    private readonly IReadOnlySet<long> _initialChangeSets;
    private readonly ILookup<long, RevisionRow> _notesByFact;
    private readonly ILookup<(SubjectType, int, string), RevisionRow> _attributes;

    /// <param name="rows">The record's revisions, in the order they were written.</param>
    /// <param name="currentNotes">The notes the values have now, by fact.</param>
    /// <param name="initialChangeSets">
    /// The change set the History migration wrote for a database that held values before history began: it added each
    /// field's values all at once, in no particular order, each with the rank it had.
    /// </param>
    public VersionReplay(IReadOnlyList<RevisionRow> rows, IReadOnlyDictionary<long, string?> currentNotes, IReadOnlySet<long> initialChangeSets)
    {
        _changeSets = [.. rows.GroupBy(r => r.ChangeSetId).OrderBy(g => g.Key)];
        _currentNotes = currentNotes;
        _initialChangeSets = initialChangeSets;
        _notesByFact = rows.Where(r => r.FactId is not null && HistoryLabels.Kind(r.SubjectType, r.Field, r.FactId) == HistoryFieldKind.Note)
            .ToLookup(r => r.FactId!.Value);
        _attributes = rows.Where(r => r.Action == RevisionAction.Set && HistoryLabels.Kind(r.SubjectType, r.Field) == HistoryFieldKind.Attribute)
            .ToLookup(r => (r.SubjectType, r.SubjectId, r.Field));
    }

    /// <summary>The record's fields after <paramref name="changeSetId"/>, in the history's order.</summary>
    public List<StateField> StateAt(long changeSetId, HistoryScope scope, IReadOnlyDictionary<int, VersionSource> sources)
    {
        var values = new Dictionary<(SubjectType Type, int Id, string Field), List<ReplayedValue>>();
        var links = new Dictionary<(SubjectType Type, int Id, string Field), List<string>>();
        foreach (var changeSet in _changeSets.TakeWhile(g => g.Key <= changeSetId))
        {
            foreach (var field in changeSet.Where(r => r.FactId is not null && HistoryLabels.Kind(r.SubjectType, r.Field, r.FactId) == HistoryFieldKind.Value)
                         .GroupBy(r => (r.SubjectType, r.SubjectId, r.Field)))
            {
                if (!values.TryGetValue(field.Key, out var list))
                {
                    values[field.Key] = list = [];
                }

                Apply(list, InOrder(changeSet.Key, list, [.. field]));
            }

            foreach (var r in changeSet.Where(r => HistoryLabels.Kind(r.SubjectType, r.Field) == HistoryFieldKind.Link))
            {
                var key = (r.SubjectType, r.SubjectId, r.Field);
                if (!links.TryGetValue(key, out var list))
                {
                    links[key] = list = [];
                }

                switch (r.Action)
                {
                    case RevisionAction.Linked when r.NewValue is not null:
                        list.Add(r.NewValue);
                        break;
                    case RevisionAction.Unlinked when r.OldValue is not null:
                        list.Remove(r.OldValue);
                        break;
                    case RevisionAction.Set when r.OldValue is not null && r.NewValue is not null:
                        var at = list.IndexOf(r.OldValue);
                        if (at >= 0)
                        {
                            list[at] = r.NewValue;
                        }

                        break;
                }
            }
        }

        var fields = new List<StateField>();
        foreach (var ((type, id, field), list) in values)
        {
            if (list.Count == 0)
            {
                continue;
            }

            fields.Add(Field(scope, type, id, field, HistoryFieldKind.Value,
                [.. list.Select(v => new StateValue(v.Value, v.SourceId is { } s && sources.TryGetValue(s, out var source) ? source : null, NoteAt(v.FactId, changeSetId)))]));
        }

        foreach (var attribute in _attributes)
        {
            var before = attribute.LastOrDefault(r => r.ChangeSetId <= changeSetId);
            var value = before is not null ? before.NewValue : attribute.First().OldValue;
            var (type, id, field) = attribute.Key;
            fields.Add(Field(scope, type, id, field, HistoryFieldKind.Attribute, value is null ? [] : [new StateValue(value, null, null)]));
        }

        foreach (var ((type, id, field), list) in links)
        {
            if (list.Count > 0)
            {
                fields.Add(Field(scope, type, id, field, HistoryFieldKind.Link,
                    [.. list.Order(StringComparer.Ordinal).Select(l => new StateValue(l, null, null))]));
            }
        }

        return [.. HistoryQueries.HistoryOrder(fields)];
    }

    private static StateField Field(HistoryScope scope, SubjectType type, int id, string field, HistoryFieldKind kind, IReadOnlyList<StateValue> values)
    {
        var partner = type == SubjectType.Participation ? scope.Partner(new RevisionRow(0, 0, type, id, field, RevisionAction.Set, null, null, null, null, null, null)) : null;
        var key = partner is null ? field : $"participation/{id.ToString(System.Globalization.CultureInfo.InvariantCulture)}/{field}";
        return new StateField(key, field, HistoryLabels.Label(type, field), partner, partner is null ? null : id, kind, values);
    }

    private string? NoteAt(long factId, long changeSetId)
    {
        var changes = _notesByFact[factId];
        var before = changes.LastOrDefault(r => r.ChangeSetId <= changeSetId);
        if (before is not null)
        {
            return before.NewValue;
        }

        var after = changes.FirstOrDefault();
        return after is not null ? after.OldValue : _currentNotes.GetValueOrDefault(factId);
    }

    /// <summary>
    /// The order to apply one change set's revisions of one field in: as written, except for values added all at once
    /// to an empty field (the History migration's, or a writer's block), which go in by rank. A writer adds at the top
    /// or at the end, so its additions to an empty field have distinct ranks only when they come in rank order anyway.
    /// </summary>
    private IEnumerable<RevisionRow> InOrder(long changeSetId, List<ReplayedValue> list, List<RevisionRow> rows)
    {
        var allAdded = list.Count == 0 && rows.All(r => r.Action == RevisionAction.Added);
        if (allAdded && (_initialChangeSets.Contains(changeSetId) || rows.Select(r => r.NewRank).Distinct().Count() == rows.Count))
        {
            return rows.OrderBy(r => r.NewRank ?? int.MaxValue).ThenBy(r => r.FactId);
        }

        return rows;
    }

    private static void Apply(List<ReplayedValue> list, IEnumerable<RevisionRow> rows)
    {
        foreach (var r in rows)
        {
            var factId = r.FactId!.Value;
            switch (r.Action)
            {
                case RevisionAction.Added:
                    list.RemoveAll(v => v.FactId == factId);
                    list.Insert(Math.Clamp(r.NewRank ?? list.Count, 0, list.Count), new ReplayedValue(factId, r.NewValue ?? "", r.SourceId));
                    break;
                case RevisionAction.Retracted:
                    list.RemoveAll(v => v.FactId == factId);
                    break;
                case RevisionAction.Reranked:
                    var at = list.FindIndex(v => v.FactId == factId);
                    if (at >= 0 && r.NewRank is { } rank)
                    {
                        var value = list[at];
                        list.RemoveAt(at);
                        list.Insert(Math.Clamp(rank, 0, list.Count), value);
                    }

                    break;
            }
        }
    }

    private sealed record ReplayedValue(long FactId, string Value, int? SourceId);
}
