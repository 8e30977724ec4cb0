using System.Globalization;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;

using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Logging;

using Passerelle.Core.Data;
using Passerelle.Core.Data.ChangeFeed;
using Passerelle.Core.Groupings;
using Passerelle.Core.History;
using Passerelle.Core.Organisations;
using Passerelle.Core.Programmes;
using Passerelle.Core.Projects;
using Passerelle.Core.Sources;
using Passerelle.Core.Territories;
using Passerelle.Core.Themes;

namespace Passerelle.Core.Registry;

/// <summary>What a write did to a field.</summary>
public enum WriteOutcome
{
    /// <summary>Nothing: the value was already there (shown first, or given by the same source).</summary>
    Unchanged = 0,

    /// <summary>A source's value was added.</summary>
    Added = 1,

    /// <summary>A value moved, changed or was withdrawn.</summary>
    Changed = 2,
}

/// <summary>A source to write values with: an existing one, or a new one created only if a value ends up using it.</summary>
public sealed class SourceHandle
{
    private readonly int _id;

    internal SourceHandle(int id) => _id = id;

    internal SourceHandle(Source pending) => Pending = pending;

    internal Source? Pending { get; }

    /// <summary>The source's id; 0 while a new source has not been saved (it is saved only if a value uses it).</summary>
    public int Id => Pending?.Id ?? _id;
}

/// <summary>
/// A record changed since the version a writer expected (<see cref="WriteSession.ExpectVersion"/>): another session
/// committed a change to it meanwhile. Nothing of this session is written.
/// </summary>
public sealed class RecordChangedException(SubjectType type, int id, int expectedVersion)
    : Exception($"{type} {id} changed since version {expectedVersion}")
{
    public SubjectType Type { get; } = type;
    public int Id { get; } = id;
    public int ExpectedVersion { get; } = expectedVersion;
}

/// <summary>One sourced value as a writer wants it (the seeder's desired state of a field).</summary>
public sealed record SourcedValue(string Value, SourceHandle Source, string? Note = null);

/// <summary>
/// A unit of work on the registry, in one transaction, on behalf of one <see cref="Actor"/> (see
/// <see cref="RegistryWriter"/>). Records are added and their editorial attributes changed on the DbContext as usual
/// (the session turns every such change into a revision when it flushes); sourced values go through
/// <see cref="SetValue"/>, <see cref="AddValue"/>, <see cref="SyncValues"/>, <see cref="Retract"/> and
/// <see cref="MakeFirst"/>, never through <see cref="Fact"/> rows directly. Dispose without <see cref="CommitAsync"/>
/// and nothing is written.
/// </summary>
public sealed class WriteSession : IAsyncDisposable
{
    // Subjects touched in one session beyond which other instances are told to reload everything rather than each record.
    private const int FeedEntriesPerSubjectLimit = 5_000;

    private readonly PasserelleDbContext _db;
    private readonly IDbContextTransaction _transaction;
    private readonly RegistryWriterOptions _options;
    private readonly TimeProvider _clock;
    private readonly ILogger _logger;

    private readonly Dictionary<object, SubjectFacts> _subjects = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<(SubjectType, int), SubjectFacts> _loaded = [];
    private readonly HashSet<object> _created = new(ReferenceEqualityComparer.Instance);
    private readonly HashSet<object> _ownFacts = new(ReferenceEqualityComparer.Instance);
    private readonly List<FactState> _newFacts = [];
    private readonly HashSet<FactState> _dirtyFacts = [];
    private readonly List<PendingRevision> _pending = [];
    private readonly Dictionary<object, HashSet<string>> _columnsWritten = new(ReferenceEqualityComparer.Instance);
    private readonly HashSet<object> _touched = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<(SubjectType, int), int> _versions = [];
    private readonly Dictionary<(SubjectType, int), int> _expectedVersions = [];
    private readonly List<object> _bulk = [];
    private readonly HashSet<object> _bulkSet = new(ReferenceEqualityComparer.Instance);
    private ChangeSet? _changeSet;
    private int _touchedCount;
    private bool _committed;

    internal WriteSession(PasserelleDbContext db, IDbContextTransaction transaction, Actor actor, RegistryWriterOptions options, TimeProvider clock, ILogger logger)
    {
        _db = db;
        _transaction = transaction;
        Actor = actor;
        _options = options;
        _clock = clock;
        _logger = logger;
    }

    public Actor Actor { get; }

    /// <summary>The context this session writes with: add records and change their editorial attributes here.</summary>
    public PasserelleDbContext Db => _db;

    /// <summary>Revisions recorded so far (flushed or not).</summary>
    public int RevisionCount { get; private set; }

    /// <summary>The change set of this session, once a flush has written one (null while nothing changed).</summary>
    public long? ChangeSetId => _changeSet?.Id;

    /// <summary>
    /// The version each record changed so far has after this session (programmes, groupings, projects, organisations,
    /// sources; flushed changes only). A record's version goes up once per session however many flushes change it.
    /// </summary>
    public IReadOnlyDictionary<(SubjectType Type, int Id), int> Versions => _versions;

    /// <summary>
    /// Optimistic concurrency: the writer read <paramref name="record"/> at <paramref name="version"/>. When this session
    /// changes the record, its version goes from exactly that number to the next, in the same statement; if another
    /// session committed a change meanwhile, the flush throws <see cref="RecordChangedException"/> (and EF's
    /// <see cref="DbUpdateConcurrencyException"/> when the record's own columns were saved first).
    /// </summary>
    public void ExpectVersion(object record, int version)
    {
        var key = VersionKey(record) ?? throw new ArgumentException($"{record.GetType().Name} has no version", nameof(record));
        _expectedVersions[key] = version;
    }

    // ---------------------------------------------------------------- records

    /// <summary>
    /// Bulk writers (an import of thousands of records): new projects, organisations and participations are inserted
    /// at the next flush by prepared commands instead of EF's SaveChanges, with the same revisions, versions and
    /// change-feed entries (ADR 30). Such a record is not tracked by the context: set its attributes before the
    /// flush that inserts it (after it, the record is attached unchanged, or forgotten with <c>clearTracker</c>).
    /// Off by default.
    /// </summary>
    public bool BulkCreate { get; set; }

    /// <summary>SQLite: the page cache size the session's connection had before it (put back at its end); null on other databases.</summary>
    internal long? SqliteCacheBefore { get; init; }

    /// <summary>Adds a new record; its creation is recorded, and its values count as new (none is "already shown").</summary>
    public T Create<T>(T entity) where T : class
    {
        if (BulkCreate && entity is Project or Organisation or Participation)
        {
            _bulk.Add(entity);
            _bulkSet.Add(entity);
            _created.Add(entity);
            return entity;
        }

        _db.Add(entity);
        _created.Add(entity);
        return entity;
    }

    // ---------------------------------------------------------------- sources

    /// <summary>An existing source, by id.</summary>
    public SourceHandle Source(int id) => new(id);

    /// <summary>
    /// A source by its key: the stored one, used as it is (an import file's source keeps the day it was first
    /// imported), or a new one that is saved only if a value written in this session uses it.
    /// </summary>
    public async Task<SourceHandle> SourceAsync(Source wanted, CancellationToken ct = default) =>
        await _db.Sources.Where(s => s.Key == wanted.Key).Select(s => (int?)s.Id).SingleOrDefaultAsync(ct) is { } id
            ? new SourceHandle(id)
            : new SourceHandle(wanted);

    /// <summary>Saves a new source now (its id is needed, e.g. for an alias it attests); an existing one is left as it is.</summary>
    public async Task<int> SaveSourceAsync(SourceHandle source, CancellationToken ct = default)
    {
        if (source.Id == 0 && source.Pending is { } pending)
        {
            if (_db.Entry(pending).State == EntityState.Detached)
            {
                Create(pending);
            }

            await FlushAsync(ct: ct);
        }

        return source.Id;
    }

    /// <summary>
    /// The sources of many keys at once (the default data's, the territory import's), created now and, when stored,
    /// brought up to date (title, address, date, licence; each change recorded): they are the writer's own.
    /// </summary>
    public async Task<Dictionary<string, SourceHandle>> SourcesAsync(IEnumerable<Source> wanted, CancellationToken ct = default)
    {
        var list = wanted.ToList();
        var keys = list.Select(s => s.Key).ToList();
        var stored = await _db.Sources.Where(s => keys.Contains(s.Key)).ToDictionaryAsync(s => s.Key, StringComparer.Ordinal, ct);
        var result = new Dictionary<string, SourceHandle>(StringComparer.Ordinal);
        foreach (var w in list)
        {
            if (stored.TryGetValue(w.Key, out var s))
            {
                (s.Title, s.Url, s.SourceDate, s.Licence) = (w.Title, w.Url, w.SourceDate, w.Licence);
                result[w.Key] = new SourceHandle(s.Id);
            }
            else
            {
                Create(w);
                result[w.Key] = new SourceHandle(w);
            }
        }

        return result;
    }

    // ---------------------------------------------------------------- sourced values

    /// <summary>Loads the current values of these records, before values are written to them (one query per 5,000).</summary>
    public async Task LoadValuesAsync<T>(IEnumerable<T> records, CancellationToken ct = default) where T : class
    {
        var missing = records.Where(r => !_subjects.ContainsKey(r)).ToList();
        foreach (var chunk in missing.Chunk(5_000))
        {
            var byKey = new Dictionary<int, object>();
            SubjectType? type = null;
            foreach (var record in chunk)
            {
                var (t, id) = Key(record);
                type = t;
                if (id == 0 || _created.Contains(record))
                {
                    _subjects[record] = new SubjectFacts(t);
                    continue;
                }

                if (_loaded.TryGetValue((t, id), out var known))
                {
                    _subjects[record] = known;
                    continue;
                }

                byKey[id] = record;
            }

            if (byKey.Count == 0)
            {
                continue;
            }

            var ids = byKey.Keys.ToList();
            var rows = await _db.Facts.AsNoTracking()
                .Where(f => f.SubjectType == type!.Value && ids.Contains(f.SubjectId) && !f.Retracted)
                .Select(f => new { f.Id, f.SubjectId, f.Field, f.Value, f.SourceId, f.Rank, f.Note })
                .ToListAsync(ct);
            var grouped = rows.ToLookup(r => r.SubjectId);
            foreach (var (id, record) in byKey)
            {
                var facts = new SubjectFacts(type!.Value);
                foreach (var field in grouped[id].GroupBy(r => r.Field, StringComparer.Ordinal))
                {
                    facts.ByField[field.Key] = [.. field.OrderBy(r => r.Rank).ThenBy(r => r.Id)
                        .Select(r => new FactState { Id = r.Id, SubjectType = type.Value, SubjectId = id, Field = r.Field, Value = r.Value, SourceId = r.SourceId, Rank = r.Rank, Note = r.Note })];
                }

                _subjects[record] = facts;
                _loaded[(type.Value, id)] = facts;
            }
        }
    }

    /// <summary>The fields of a record that have current values (the record's values must be loaded).</summary>
    public IReadOnlyCollection<string> FieldNames(object record)
    {
        Facts(record, null);
        return [.. _subjects[record].ByField.Where(f => f.Value.Count > 0).Select(f => f.Key)];
    }

    /// <summary>The current values of a field of a record, in display order (the record's values must be loaded).</summary>
    public IReadOnlyList<(long Id, string Value, int SourceId, string? Note)> Values(object record, FieldDefinition field) =>
        [.. Facts(record, field).Select(f => (f.Id, f.Value, f.Source?.Id ?? f.SourceId, f.Note))];

    /// <summary>
    /// A source says the field's value is <paramref name="value"/> (an import, an API write). When that is already the
    /// value shown first, nothing is written. Otherwise the source's value becomes the one shown first (added, or moved
    /// up when the source already gave it) and every other value stays, one rank lower.
    /// </summary>
    public WriteOutcome SetValue(object record, FieldDefinition field, string value, SourceHandle source, string? note = null)
    {
        value = Check(record, field, value);
        var facts = Facts(record, field);
        var shown = Shown(record, field, facts);
        if (field.SameValue(shown, value))
        {
            return WriteOutcome.Unchanged;
        }

        var same = facts.FirstOrDefault(f => SameSource(f, source) && field.SameValue(f.Value, value));
        if (same is not null)
        {
            Move(record, field, facts, same, 0);
            return WriteOutcome.Changed;
        }

        Insert(record, field, facts, 0, value, source, note, shown);
        return WriteOutcome.Added;
    }

    /// <summary>
    /// Adds a source's value beside the others, first or last, unless the same source already gives the same value
    /// (then at most its note changes). The back office's "add a conflicting value".
    /// </summary>
    public WriteOutcome AddValue(object record, FieldDefinition field, string value, SourceHandle source, string? note = null, bool first = false)
    {
        value = Check(record, field, value);
        var facts = Facts(record, field);
        var same = facts.FirstOrDefault(f => SameSource(f, source) && field.SameValue(f.Value, value));
        if (same is not null)
        {
            return ChangeNote(record, field, same, note) ? WriteOutcome.Changed : WriteOutcome.Unchanged;
        }

        Insert(record, field, facts, first ? 0 : facts.Count, value, source, note, Shown(record, field, facts));
        return WriteOutcome.Added;
    }

    /// <summary>
    /// Makes the values that <paramref name="owned"/> sources give for a field exactly <paramref name="desired"/>, in that
    /// order (the seeder: the default data owns its sources' values). Values of other sources are left alone; those
    /// of the owned sources that are no longer desired are retracted, never deleted. The owned values stay one block
    /// where the first of them was, so a value an import put first stays first.
    /// </summary>
    public WriteOutcome SyncValues(object record, FieldDefinition field, IReadOnlyList<SourcedValue> desired, IReadOnlySet<int> owned)
    {
        var facts = Facts(record, field);
        var wanted = desired.Select(d => d with { Value = Check(record, field, d.Value) }).ToList();
        var ownedFacts = facts.Where(f => owned.Contains(SourceOf(f))).ToList();
        var outcome = WriteOutcome.Unchanged;

        // Pair each desired value with a fact of the same source and value, in order.
        var unmatched = new List<FactState>(ownedFacts);
        var plan = new List<(SourcedValue Wanted, FactState? Fact)>();
        foreach (var w in wanted)
        {
            var match = unmatched.FirstOrDefault(f => SameSource(f, w.Source) && field.SameValue(f.Value, w.Value));
            if (match is not null)
            {
                unmatched.Remove(match);
            }

            plan.Add((w, match));
        }

        var shownBefore = Shown(record, field, facts);
        var anchor = ownedFacts.Count == 0 ? facts.Count : facts.IndexOf(ownedFacts[0]);
        foreach (var gone in unmatched)
        {
            Withdraw(record, field, facts, gone);
            outcome = WriteOutcome.Changed;
        }

        // The owned block, in the desired order, where the first owned value was.
        var before = plan.Where(p => p.Fact is not null).Select(p => p.Fact!).ToList();
        var previousOrder = ownedFacts.Where(f => !unmatched.Contains(f)).ToList();
        foreach (var f in before)
        {
            facts.Remove(f);
        }

        anchor = Math.Min(anchor, facts.Count);
        var block = new List<FactState>();
        foreach (var (w, fact) in plan)
        {
            if (fact is null)
            {
                var created = NewFact(record, field, w.Value, w.Source, w.Note);
                block.Add(created);
                outcome = WriteOutcome.Added;
            }
            else
            {
                if (ChangeNote(record, field, fact, w.Note))
                {
                    outcome = outcome == WriteOutcome.Unchanged ? WriteOutcome.Changed : outcome;
                }

                block.Add(fact);
            }
        }

        facts.InsertRange(anchor, block);
        var reordered = !before.SequenceEqual(previousOrder);
        var oldRanks = facts.ToDictionary(f => f, f => f.Rank);
        Renumber(facts);
        foreach (var f in block)
        {
            if (f.IsNew && !f.Recorded)
            {
                f.Recorded = true;
                Add(record, field.Name, RevisionAction.Added, ShownChanged(field, facts, shownBefore, f), f.Value, f, f.Source);
            }
            else if (reordered && oldRanks[f] != f.Rank)
            {
                AddRerank(record, field.Name, f, oldRanks[f], f.Rank);
            }
        }

        UpdateColumn(record, field, facts);
        return outcome;
    }

    /// <summary>Withdraws one value (by its fact id): kept as retracted, no longer shown.</summary>
    public WriteOutcome Retract(object record, FieldDefinition field, long factId)
    {
        var facts = Facts(record, field);
        var fact = facts.FirstOrDefault(f => f.Id == factId) ?? throw new RegistryWriteException($"no current value {factId} of {field.Name}");
        Withdraw(record, field, facts, fact);
        Renumber(facts);
        UpdateColumn(record, field, facts);
        return WriteOutcome.Changed;
    }

    private void Withdraw(object record, FieldDefinition field, List<FactState> facts, FactState fact)
    {
        facts.Remove(fact);
        fact.Retracted = true;
        if (!fact.IsNew)
        {
            _dirtyFacts.Add(fact);
        }

        Add(record, field.Name, RevisionAction.Retracted, fact.Value, null, fact, SourceHandleOf(fact));
    }

    /// <summary>Makes one value (by its fact id) the one shown first.</summary>
    public WriteOutcome MakeFirst(object record, FieldDefinition field, long factId)
    {
        var facts = Facts(record, field);
        var fact = facts.FirstOrDefault(f => f.Id == factId) ?? throw new RegistryWriteException($"no current value {factId} of {field.Name}");
        if (facts.IndexOf(fact) == 0)
        {
            return WriteOutcome.Unchanged;
        }

        Move(record, field, facts, fact, 0);
        return WriteOutcome.Changed;
    }

    // ---------------------------------------------------------------- flush and commit

    /// <summary>
    /// Writes what is pending (records, values, revisions, change-feed entries) inside the transaction. Bulk writers
    /// call it every few thousand records, with <paramref name="clearTracker"/> to keep memory flat.
    /// </summary>
    public async Task FlushAsync(bool clearTracker = false, CancellationToken ct = default)
    {
        Flushing = true;
        try
        {
            await FlushCoreAsync(clearTracker, ct);
        }
        finally
        {
            Flushing = false;
        }
    }

    /// <summary>Whether the session is saving (the write-path guard lets its saves through).</summary>
    internal bool Flushing { get; private set; }

    private async Task FlushCoreAsync(bool clearTracker, CancellationToken ct)
    {
        _db.ChangeTracker.DetectChanges();
        await LoadMemberOrganisationsAsync(ct);
        CaptureEntityRevisions();
        CaptureBulkRevisions();

        // Added or modified records get their change-feed entry from the interceptor (bulk-created ones from
        // InsertBulkAsync); only those whose values changed while the record itself did not need one from here.
        var valuesOnly = _touched.Where(r => !_bulkSet.Contains(r) && _db.Entry(r).State is EntityState.Unchanged or EntityState.Detached).ToList();
        _touched.Clear();

        // 1. Records, sources, and changed facts (new facts wait for their record's id).
        foreach (var fact in _dirtyFacts.Where(f => f.Id != 0))
        {
            var entity = fact.Entity ??= new Fact
            {
                Id = fact.Id,
                SubjectType = fact.SubjectType,
                SubjectId = fact.SubjectId,
                Field = fact.Field,
                Value = fact.Value,
                SourceId = fact.SourceId,
                Rank = fact.Rank,
                Note = fact.Note,
            };
            var entry = _db.Entry(entity);
            if (entry.State == EntityState.Detached)
            {
                _db.Facts.Attach(entity);
            }

            (entity.Value, entity.Rank, entity.Note, entity.Retracted) = (fact.Value, fact.Rank, fact.Note, fact.Retracted);
            _ownFacts.Add(entity);
            _db.Entry(entity).State = EntityState.Modified;
        }

        _dirtyFacts.RemoveWhere(f => f.Id != 0);
        // The bulk records' feed entries are counted before the save's (as when they were saved with it), so a
        // session past the limit writes one "reload everything" entry, whichever path its records took. One entry
        // each: their slugs, and a participation's project and organisation, are unique.
        var bulkFeed = _bulk.Count > 0 ? CapFeed(_bulk.Count, _clock.GetUtcNow().UtcDateTime) : null;
        await _db.SaveChangesAsync(ct);
        await InsertBulkAsync(bulkFeed, clearTracker, ct);

        // 2. New facts, now that their records and sources have ids.
        if (_newFacts.Count > 0)
        {
            foreach (var fact in _newFacts)
            {
                var (_, id) = Key(fact.Record!);
                var entity = new Fact
                {
                    SubjectType = fact.SubjectType,
                    SubjectId = id,
                    Field = fact.Field,
                    Value = fact.Value,
                    SourceId = fact.Source!.Id,
                    Rank = fact.Rank,
                    Note = fact.Note,
                    Retracted = fact.Retracted,
                };
                if (entity.SourceId == 0)
                {
                    throw new InvalidOperationException($"the source of a value of {fact.Field} was not saved");
                }

                fact.Entity = entity;
                fact.SubjectId = id;
                fact.SourceId = entity.SourceId;
                _ownFacts.Add(entity);
            }

            // Not through EF: an import writes one fact per value, and tracking each cost more than the insert (ADR 30).
            // The entities stay untracked; a later change to one attaches it (step 1). Their ids are read back (SQLite) or
            // reserved (PostgreSQL) into them (ADR 41).
            await BulkRecordInserter.InsertAsync(_db, _db.Model.FindEntityType(typeof(Fact))!, _newFacts.ConvertAll(f => (object)f.Entity!), ct);
            foreach (var fact in _newFacts)
            {
                fact.Id = fact.Entity!.Id;
                fact.IsNew = false;
            }

            _newFacts.Clear();
            // A new fact changed again before this flush (a rank moved by a later insert) is now saved as it is.
            _dirtyFacts.RemoveWhere(f => f.Id != 0);
        }

        foreach (var (record, facts) in _subjects)
        {
            if (_created.Contains(record) && Key(record).Id is var id and not 0)
            {
                _loaded[(facts.Type, id)] = facts;
            }
        }

        // 3. The change set, once, then the revisions and the change-feed entries for records whose values changed.
        if (_pending.Count > 0)
        {
            if (_changeSet is null)
            {
                _changeSet = new ChangeSet
                {
                    At = _clock.GetUtcNow().UtcDateTime,
                    ActorKind = Actor.Kind,
                    Actor = Truncate(Actor.Name, 200)!,
                    Detail = Truncate(Actor.Detail, 1000),
                };
                _db.Add(_changeSet);
                await _db.SaveChangesAsync(ct);
            }

            (_organisationNames, _themeSlugs) = (null, null);
            await LoadUntrackedOrganisationNamesAsync(ct);
            var revisions = new List<Revision>(_pending.Count);
            foreach (var p in _pending)
            {
                var (type, id, key) = p.Subject();
                revisions.Add(new Revision
                {
                    ChangeSetId = _changeSet.Id,
                    SubjectType = type,
                    SubjectId = id,
                    SubjectKey = key,
                    Field = Truncate(p.Field, 64)!,
                    Action = p.Action,
                    OldValue = Truncate(p.OldValue, 4000),
                    NewValue = Truncate(p.Describe?.Invoke() ?? p.NewValue, 4000),
                    SourceId = p.Source(),
                    FactId = p.Fact is { } f ? f.Id : null,
                    OldRank = p.OldRank,
                    NewRank = p.NewRank,
                });
            }

            _memberOrganisations.Clear();
            // Not through EF either: one revision per value an import writes cost as much as the value itself (ADR 10).
            // Nothing in the session refers to a revision, so their ids are left to the database (ADR 41).
            await BulkRecordInserter.InsertAsync(_db, _db.Model.FindEntityType(typeof(Revision))!, revisions, ct, readKeys: false);
            await BumpVersionsAsync(revisions, ct);
            RevisionCount += _pending.Count;
            _pending.Clear();
            await AddFeedEntriesAsync(valuesOnly, ct);
            await _db.SaveChangesAsync(ct);
        }

        _columnsWritten.Clear();
        if (clearTracker)
        {
            // Bulk writers: memory stays flat. A record written again after this must have its values loaded again.
            _db.ChangeTracker.Clear();
            _ownFacts.Clear();
            _subjects.Clear();
            _loaded.Clear();
            _created.Clear();
        }
    }

    /// <summary>The revisions EF's path records for a new record or participation (<see cref="CaptureRecord"/>, <see cref="CaptureLink"/>).</summary>
    private void CaptureBulkRevisions()
    {
        foreach (var record in _bulk)
        {
            if (record is Participation x)
            {
                NeedOrganisationName(x);
                _pending.Add(new PendingRevision(() => (SubjectType.Project, x.ProjectId, null), "participation", RevisionAction.Linked, null, null, () => null, null, null, null)
                {
                    Describe = () => $"{OrganisationName(x)} ({Exports.KeepColumns.RoleText(x.Role)})",
                });
            }
            else
            {
                _pending.Add(new PendingRevision(SubjectOf(record), "record", RevisionAction.Created, null, Describe(record), () => null, null, null, null));
            }
        }
    }

    /// <summary>
    /// Inserts the records created with <see cref="BulkCreate"/> (organisations and projects first, then the
    /// participations, whose keys they give), and adds the change-feed entries the interceptor would have added for them.
    /// </summary>
    private async Task InsertBulkAsync(List<ChangeEntry>? feedInstead, bool clearTracker, CancellationToken ct)
    {
        if (_bulk.Count == 0)
        {
            return;
        }

        var organisations = _bulk.OfType<Organisation>().ToList();
        var projects = _bulk.OfType<Project>().ToList();
        var participations = _bulk.OfType<Participation>().ToList();
        foreach (var p in projects)
        {
            // A programme created in this session was saved just before.
            if (p.ProgrammeId is null && p.Programme is { Id: not 0 } programme)
            {
                p.ProgrammeId = programme.Id;
            }
        }

        await BulkRecordInserter.InsertAsync(_db, _db.Model.FindEntityType(typeof(Organisation))!, organisations, ct);
        await BulkRecordInserter.InsertAsync(_db, _db.Model.FindEntityType(typeof(Project))!, projects, ct);
        foreach (var x in participations)
        {
            if (x.Project is { } project)
            {
                x.ProjectId = project.Id;
            }

            if (x.Organisation is { } organisation)
            {
                x.OrganisationId = organisation.Id;
            }
        }

        await BulkRecordInserter.InsertAsync(_db, _db.Model.FindEntityType(typeof(Participation))!, participations, ct);

        if (feedInstead is not null)
        {
            _db.ChangeFeed.AddRange(feedInstead);
        }
        else
        {
            await AddBulkFeedEntriesAsync(participations, ct);
        }

        if (!clearTracker)
        {
            // The session goes on with them: tracked from now on like any saved record.
            foreach (var record in _bulk)
            {
                _db.Attach(record);
            }
        }

        _bulk.Clear();
        _bulkSet.Clear();
    }

    /// <summary>The change-feed entries of the interceptor for added records (a participation is "project/organisation").</summary>
    private async Task AddBulkFeedEntriesAsync(List<Participation> participations, CancellationToken ct)
    {
        var now = DateTime.UtcNow;
        var entries = new List<ChangeEntry>(_bulk.Count);
        var projectSlugs = new Dictionary<int, string>();
        var organisationSlugs = new Dictionary<int, string>();
        var missingProjects = participations.Where(x => x.Project is null).Select(x => x.ProjectId).Distinct().ToList();
        var missingOrganisations = participations.Where(x => x.Organisation is null).Select(x => x.OrganisationId).Distinct().ToList();
        foreach (var chunk in missingProjects.Chunk(5_000))
        {
            foreach (var row in await _db.Projects.AsNoTracking().Where(p => chunk.Contains(p.Id)).Select(p => new { p.Id, p.Slug }).ToListAsync(ct))
            {
                projectSlugs[row.Id] = row.Slug;
            }
        }

        foreach (var chunk in missingOrganisations.Chunk(5_000))
        {
            foreach (var row in await _db.Organisations.AsNoTracking().Where(o => chunk.Contains(o.Id)).Select(o => new { o.Id, o.Slug }).ToListAsync(ct))
            {
                organisationSlugs[row.Id] = row.Slug;
            }
        }

        foreach (var record in _bulk)
        {
            entries.Add(record switch
            {
                Project p => FeedEntry(nameof(Project), p.Slug),
                Organisation o => FeedEntry(nameof(Organisation), o.Slug),
                Participation x => FeedEntry(nameof(Participation),
                    $"{x.Project?.Slug ?? projectSlugs.GetValueOrDefault(x.ProjectId, x.ProjectId.ToString(CultureInfo.InvariantCulture))}/{x.Organisation?.Slug ?? organisationSlugs.GetValueOrDefault(x.OrganisationId, x.OrganisationId.ToString(CultureInfo.InvariantCulture))}"),
                _ => throw new InvalidOperationException($"{record.GetType().Name} is not created in bulk"),
            });
        }

        _db.ChangeFeed.AddRange(entries.DistinctBy(e => (e.EntityType, e.EntityId)));

        ChangeEntry FeedEntry(string type, string slug) => new() { EntityType = type, EntityId = slug, Kind = ChangeKind.Added, ChangedAt = now };
    }

    private const string VersionProperty = "Version";

    private static (SubjectType, int)? VersionKey(object record) => record switch
    {
        Programme p => (SubjectType.Programme, p.Id),
        Grouping g => (SubjectType.Grouping, g.Id),
        Project p => (SubjectType.Project, p.Id),
        Organisation o => (SubjectType.Organisation, o.Id),
        Sources.Source s => (SubjectType.Source, s.Id),
        _ => null,
    };

    /// <summary>
    /// Each record these revisions changed (a participation's values and links count for its project) gets its next
    /// version, once per session, with a <see cref="RecordVersion"/> naming this change set. The number goes up in the
    /// database (one statement per kind of record, in this transaction; it passes no interceptor, so it adds no
    /// change-feed entry of its own) and is copied into the tracked entities, whose next save checks it as EF's
    /// concurrency token. A record created in this session is version 1.
    /// </summary>
    private async Task BumpVersionsAsync(List<Revision> revisions, CancellationToken ct)
    {
        var changed = new HashSet<(SubjectType Type, int Id)>();
        var created = new HashSet<(SubjectType, int)>();
        var participations = new HashSet<int>();
        foreach (var r in revisions)
        {
            switch (r.SubjectType)
            {
                case SubjectType.Programme or SubjectType.Grouping or SubjectType.Project or SubjectType.Organisation or SubjectType.Source when r.SubjectId != 0:
                    changed.Add((r.SubjectType, r.SubjectId));
                    if (r.Action == RevisionAction.Created)
                    {
                        created.Add((r.SubjectType, r.SubjectId));
                    }

                    break;
                case SubjectType.Participation when r.SubjectId != 0:
                    participations.Add(r.SubjectId);
                    break;
            }
        }

        if (participations.Count > 0)
        {
            var tracked = _db.ChangeTracker.Entries<Participation>().Select(e => e.Entity).Where(x => participations.Contains(x.Id)).ToList();
            foreach (var x in tracked)
            {
                changed.Add((SubjectType.Project, x.ProjectId));
                participations.Remove(x.Id);
            }

            var ids = participations.ToList();
            foreach (var projectId in await _db.Participations.AsNoTracking().Where(x => ids.Contains(x.Id)).Select(x => x.ProjectId).Distinct().ToListAsync(ct))
            {
                changed.Add((SubjectType.Project, projectId));
            }
        }

        changed.RemoveWhere(_versions.ContainsKey);
        if (changed.Count == 0)
        {
            return;
        }

        var recordVersions = new List<object>(changed.Count);
        foreach (var group in changed.GroupBy(k => k.Type))
        {
            var versions = group.Key switch
            {
                SubjectType.Programme => await BumpAsync(_db.Programmes, group.Key, group.Select(k => k.Id), created, ct),
                SubjectType.Grouping => await BumpAsync(_db.Groupings, group.Key, group.Select(k => k.Id), created, ct),
                SubjectType.Project => await BumpAsync(_db.Projects, group.Key, group.Select(k => k.Id), created, ct),
                SubjectType.Organisation => await BumpAsync(_db.Organisations, group.Key, group.Select(k => k.Id), created, ct),
                _ => await BumpAsync(_db.Sources, group.Key, group.Select(k => k.Id), created, ct),
            };
            foreach (var (id, version) in versions)
            {
                _versions[(group.Key, id)] = version;
                recordVersions.Add(new RecordVersion { SubjectType = group.Key, SubjectId = id, Version = version, ChangeSetId = _changeSet!.Id });
            }
        }

        // One per record a bulk import creates: prepared commands, not EF (append-only rows nothing reads back here).
        await BulkRecordInserter.InsertAsync(_db, _db.Model.FindEntityType(typeof(RecordVersion))!, recordVersions, ct);
    }

    private async Task<Dictionary<int, int>> BumpAsync<T>(DbSet<T> set, SubjectType type, IEnumerable<int> keys, HashSet<(SubjectType, int)> created, CancellationToken ct)
        where T : class
    {
        var ids = keys.ToList();
        var bumped = ids.Where(id => !created.Contains((type, id))).ToList();
        foreach (var id in bumped.Where(id => _expectedVersions.ContainsKey((type, id))).ToList())
        {
            // The record the writer read: from exactly the version it read, or not at all.
            var expected = _expectedVersions[(type, id)];
            var rows = await set.Where(e => EF.Property<int>(e, "Id") == id && EF.Property<int>(e, VersionProperty) == expected)
                .ExecuteUpdateAsync(u => u.SetProperty(e => EF.Property<int>(e, VersionProperty), expected + 1), ct);
            if (rows == 0)
            {
                throw new RecordChangedException(type, id, expected);
            }

            bumped.Remove(id);
        }

        foreach (var chunk in bumped.Chunk(5_000))
        {
            await set.Where(e => chunk.Contains(EF.Property<int>(e, "Id")))
                .ExecuteUpdateAsync(u => u.SetProperty(e => EF.Property<int>(e, VersionProperty), e => EF.Property<int>(e, VersionProperty) + 1), ct);
        }

        // A record created in this session is at version 1 (as inserted); the others are read back.
        var versions = ids.Where(id => created.Contains((type, id))).ToDictionary(id => id, _ => 1);
        foreach (var chunk in ids.Where(id => !created.Contains((type, id))).Chunk(5_000))
        {
            foreach (var row in await set.AsNoTracking().Where(e => chunk.Contains(EF.Property<int>(e, "Id")))
                         .Select(e => new { Id = EF.Property<int>(e, "Id"), Version = EF.Property<int>(e, VersionProperty) }).ToListAsync(ct))
            {
                versions[row.Id] = row.Version;
            }
        }

        // The tracked entities learn their new version as if they had read it (unmodified), so the next save of one
        // checks it and nothing is saved twice.
        foreach (var entry in _db.ChangeTracker.Entries<T>().ToList())
        {
            if (entry.State is EntityState.Unchanged or EntityState.Modified
                && versions.TryGetValue((int)entry.Property("Id").CurrentValue!, out var version))
            {
                var property = entry.Property(VersionProperty);
                property.OriginalValue = version;
                property.CurrentValue = version;
                property.IsModified = false;
            }
        }

        return versions;
    }

    /// <summary>Flushes and commits; returns whether anything was written.</summary>
    public async Task<bool> CommitAsync(CancellationToken ct = default)
    {
        await FlushAsync(ct: ct);
        if (_options.PauseBeforeCommitSeconds > 0)
        {
            _logger.LogWarning("Pausing {Seconds} s before commit (Registry:PauseBeforeCommitSeconds)", _options.PauseBeforeCommitSeconds);
            await Task.Delay(TimeSpan.FromSeconds(_options.PauseBeforeCommitSeconds), ct);
        }

        await _transaction.CommitAsync(ct);
        _committed = true;
        return _changeSet is not null;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_committed)
            {
                // Rolled back: entities the context still tracks carry ids that no longer exist.
                _db.ChangeTracker.Clear();
                await _transaction.RollbackAsync();
            }
        }
        catch (Exception e) when (e is System.Data.Common.DbException or InvalidOperationException)
        {
            // The connection or the transaction is already gone (the failure being unwound): nothing was committed.
            _logger.LogDebug("Rolling back the write session: {Message}", e.Message);
        }
        finally
        {
            await _transaction.DisposeAsync();
            _db.ActiveWriteSession = null;
            // SQLite: RegistryWriter.BeginAsync opened the connection with its statement journals in memory and a larger cache.
            if (SqliteCacheBefore is { } cacheBefore)
            {
                await RegistryWriter.ConnectionBackAsync(_db, cacheBefore, _logger);
            }
        }
    }

    // ---------------------------------------------------------------- internals: facts

    private string Check(object record, FieldDefinition field, string value)
    {
        var (type, _) = Key(record);
        if (field.Subject != type)
        {
            throw new RegistryWriteException($"{field.Name} is a field of a {field.Subject.ToString().ToLowerInvariant()}, not of a {type.ToString().ToLowerInvariant()}");
        }

        value = FieldDefinition.Normalise(value);
        return field.Validate(value) is { } reason ? throw new RegistryWriteException($"{field.Name}: {reason}") : value;
    }

    private static void CheckNote(FieldDefinition field, string? note)
    {
        if (note is { Length: > 2000 })
        {
            throw new RegistryWriteException($"{field.Name}: a note is at most 2,000 characters");
        }

        if (note is not null && FieldDefinition.ControlCharacter(note) is { } position)
        {
            throw new RegistryWriteException($"{field.Name}: the note contains a control character at position {position + 1}");
        }
    }

    private List<FactState> Facts(object record, FieldDefinition? field)
    {
        if (!_subjects.TryGetValue(record, out var facts))
        {
            var (type, id) = Key(record);
            if (id != 0 && !_created.Contains(record))
            {
                if (_loaded.TryGetValue((type, id), out var known))
                {
                    _subjects[record] = facts = known;
                }
                else
                {
                    throw new InvalidOperationException($"the values of {type} {id} are not loaded: call LoadValuesAsync first");
                }
            }
            else
            {
                _subjects[record] = facts = new SubjectFacts(type);
            }
        }

        if (field is null)
        {
            return [];
        }

        if (!facts.ByField.TryGetValue(field.Name, out var list))
        {
            facts.ByField[field.Name] = list = [];
        }

        return list;
    }

    /// <summary>The value shown first: the first fact, else (for a record that existed before) its column.</summary>
    private string? Shown(object record, FieldDefinition field, List<FactState> facts) =>
        facts.Count > 0 ? facts[0].Value
        : _created.Contains(record) ? null
        : field.Column?.Read(record);

    private static int SourceOf(FactState f) => f.Source?.Id ?? f.SourceId;

    private static bool SameSource(FactState f, SourceHandle source) =>
        ReferenceEquals(f.Source, source) || (source.Id != 0 && SourceOf(f) == source.Id);

    private SourceHandle SourceHandleOf(FactState f) => f.Source ?? new SourceHandle(f.SourceId);

    private FactState NewFact(object record, FieldDefinition field, string value, SourceHandle source, string? note)
    {
        CheckNote(field, note);
        // A new source is added once, with its first value (not again after a flush cleared the tracker: it has an id).
        if (source.Pending is { Id: 0 } pending && _db.Entry(pending).State == EntityState.Detached)
        {
            Create(pending);
        }

        var fact = new FactState
        {
            SubjectType = field.Subject,
            Field = field.Name,
            Value = value,
            Source = source,
            Note = note,
            IsNew = true,
            Record = record,
        };
        _newFacts.Add(fact);
        _touched.Add(record);
        return fact;
    }

    private void Insert(object record, FieldDefinition field, List<FactState> facts, int index, string value, SourceHandle source, string? note, string? shownBefore)
    {
        var fact = NewFact(record, field, value, source, note);
        facts.Insert(index, fact);
        Renumber(facts);
        fact.Recorded = true;
        Add(record, field.Name, RevisionAction.Added, ShownChanged(field, facts, shownBefore, fact), value, fact, source);
        UpdateColumn(record, field, facts);
    }

    private void Move(object record, FieldDefinition field, List<FactState> facts, FactState fact, int index)
    {
        var from = fact.Rank;
        facts.Remove(fact);
        facts.Insert(index, fact);
        Renumber(facts);
        AddRerank(record, field.Name, fact, from, fact.Rank);
        UpdateColumn(record, field, facts);
    }

    private bool ChangeNote(object record, FieldDefinition field, FactState fact, string? note)
    {
        if (string.Equals(fact.Note ?? "", note ?? "", StringComparison.Ordinal))
        {
            return false;
        }

        CheckNote(field, note);
        Add(record, field.Name + "#note", RevisionAction.Changed, fact.Note, note, fact, SourceHandleOf(fact));
        fact.Note = note;
        if (!fact.IsNew)
        {
            _dirtyFacts.Add(fact);
        }

        return true;
    }

    /// <summary>The value shown before, when <paramref name="fact"/> is now shown first instead (the "old value" of the field).</summary>
    private static string? ShownChanged(FieldDefinition field, List<FactState> facts, string? shownBefore, FactState fact) =>
        facts.Count > 0 && ReferenceEquals(facts[0], fact) && !field.SameValue(shownBefore, fact.Value) ? shownBefore : null;

    private void Renumber(List<FactState> facts)
    {
        for (var i = 0; i < facts.Count; i++)
        {
            if (facts[i].Rank != i)
            {
                facts[i].Rank = i;
                if (!facts[i].IsNew)
                {
                    _dirtyFacts.Add(facts[i]);
                }
            }
        }
    }

    private void UpdateColumn(object record, FieldDefinition field, List<FactState> facts)
    {
        _touched.Add(record);
        if (field.Column is not { } column)
        {
            return;
        }

        var shown = facts.Count > 0 ? facts[0].Value : null;
        if (shown is null && column.KeepWhenNoValue)
        {
            return;
        }

        if (field.SameValue(column.Read(record), shown))
        {
            return;
        }

        column.Write(record, shown);
        if (!_columnsWritten.TryGetValue(record, out var written))
        {
            _columnsWritten[record] = written = new HashSet<string>(StringComparer.Ordinal);
        }

        written.UnionWith(column.Properties);
    }

    private void Add(object record, string field, RevisionAction action, string? oldValue, string? newValue, FactState? fact, SourceHandle? source)
    {
        var subject = SubjectOf(record);
        _pending.Add(new PendingRevision(subject, field, action, oldValue, newValue, () => source?.Id, fact, null, action == RevisionAction.Added ? fact?.Rank : null));
    }

    private void AddRerank(object record, string field, FactState fact, int from, int to)
    {
        var subject = SubjectOf(record);
        var source = SourceHandleOf(fact);
        _pending.Add(new PendingRevision(subject, field, RevisionAction.Reranked, null, fact.Value, () => source.Id, fact, from, to));
    }

    // ---------------------------------------------------------------- internals: entity changes → revisions

    /// <summary>Turns every added, modified or removed record and link the context tracks into revisions (before saving).</summary>
    private void CaptureEntityRevisions()
    {
        foreach (var entry in _db.ChangeTracker.Entries().ToList())
        {
            if (entry.State is not (EntityState.Added or EntityState.Modified or EntityState.Deleted))
            {
                continue;
            }

            switch (entry.Entity)
            {
                case Fact fact when !_ownFacts.Contains(fact):
                    throw new InvalidOperationException("Facts are written through WriteSession (SetValue, AddValue, SyncValues, Retract), never directly.");
                case Fact:
                    continue;
                case var state when WritePathGuard.IsApplicationState(state):
                    continue;
                case Programme or Grouping or Project or Organisation or Sources.Source or Theme:
                    CaptureRecord(entry);
                    break;
                case TerritoryUnit unit:
                    CaptureTerritory(entry, unit);
                    break;
                case Participation x:
                    NeedOrganisationName(x);
                    CaptureLink(entry, () => (SubjectType.Project, x.ProjectId, null), "participation",
                        () => $"{OrganisationName(x)} ({Exports.KeepColumns.RoleText(x.Role)})", null);
                    if (entry.State == EntityState.Modified)
                    {
                        CaptureProperties(entry, SubjectOf(x));
                    }

                    break;
                case OrganisationAlias a:
                    CaptureLink(entry, () => (SubjectType.Organisation, a.OrganisationId, null), "alias", () => a.Name, a.SourceId);
                    break;
                case GroupingMember m:
                    CaptureLink(entry, () => (SubjectType.Grouping, m.GroupingId, null), "member", () => DescribeMember(m), m.SourceId);
                    break;
                case TerritoryName n:
                    CaptureLink(entry, () => (SubjectType.Territory, 0, n.UnitCode), "name", () => $"{n.Name} ({n.Language})", n.SourceId);
                    break;
                case ProgrammeAreaUnit u:
                    CaptureLink(entry, () => (SubjectType.Programme, u.ProgrammeId, null), "area_unit", () => $"{u.NutsCode} ({u.Role}, {u.NutsVersion})", u.SourceId);
                    break;
                case GroupingTerritoryUnit t:
                    CaptureLink(entry, () => (SubjectType.Grouping, t.GroupingId, null), "territory_unit",
                        () => t.Perimeters is null ? t.UnitCode : $"{t.UnitCode} ({t.Perimeters})", t.SourceId);
                    break;
                case Dictionary<string, object> when entry.Metadata.Name == "ProjectThemes":
                    CaptureLink(entry, () => (SubjectType.Project, (int)entry.Property("ProjectId").CurrentValue!, null), "theme",
                        () => ThemeSlug((int)entry.Property("ThemesId").CurrentValue!), null);
                    break;
                default:
                    throw new InvalidOperationException($"{entry.Metadata.Name} has no history mapping in WriteSession.");
            }
        }
    }

    private void CaptureRecord(EntityEntry entry)
    {
        var subject = SubjectOf(entry.Entity);
        switch (entry.State)
        {
            case EntityState.Added:
                _created.Add(entry.Entity);
                _pending.Add(new PendingRevision(subject, "record", RevisionAction.Created, null, Describe(entry.Entity), () => null, null, null, null));
                break;
            case EntityState.Deleted:
                _pending.Add(new PendingRevision(Fixed(subject()), "record", RevisionAction.Deleted, Describe(entry.Entity), null, () => null, null, null, null));
                break;
            default:
                CaptureProperties(entry, subject);
                break;
        }
    }

    private void CaptureTerritory(EntityEntry entry, TerritoryUnit unit)
    {
        Func<(SubjectType, int, string?)> subject = () => (SubjectType.Territory, 0, unit.Code);
        switch (entry.State)
        {
            case EntityState.Added:
                _pending.Add(new PendingRevision(subject, "record", RevisionAction.Created, null, $"{unit.Code} {unit.Name}", () => unit.SourceId, null, null, null));
                break;
            case EntityState.Deleted:
                _pending.Add(new PendingRevision(subject, "record", RevisionAction.Deleted, $"{unit.Code} {unit.Name}", null, () => unit.SourceId, null, null, null));
                break;
            default:
                CaptureProperties(entry, subject);
                break;
        }
    }

    private void CaptureLink(EntityEntry entry, Func<(SubjectType, int, string?)> parent, string field, Func<string> describe, int? sourceId)
    {
        switch (entry.State)
        {
            case EntityState.Added:
                _pending.Add(new PendingRevision(parent, field, RevisionAction.Linked, null, null, () => sourceId, null, null, null) { Describe = describe });
                break;
            case EntityState.Deleted:
                _pending.Add(new PendingRevision(Fixed(parent()), field, RevisionAction.Unlinked, describe(), null, () => sourceId, null, null, null));
                break;
            default:
                if (entry.Entity is not Participation)
                {
                    var before = DescribeOriginal(entry, describe);
                    _pending.Add(new PendingRevision(Fixed(parent()), field, RevisionAction.Set, before, describe(), () => sourceId, null, null, null));
                }

                break;
        }
    }

    /// <summary>One <see cref="RevisionAction.Set"/> per editorial property changed (properties the session wrote from values are not repeated).</summary>
    private void CaptureProperties(EntityEntry entry, Func<(SubjectType, int, string?)> subject)
    {
        _columnsWritten.TryGetValue(entry.Entity, out var written);
        foreach (var property in entry.Properties)
        {
            if (!property.IsModified || written?.Contains(property.Metadata.Name) == true || Equals(property.OriginalValue, property.CurrentValue)
                || property.Metadata.Name == VersionProperty)
            {
                continue;
            }

            _pending.Add(new PendingRevision(subject, Snake(property.Metadata.Name), RevisionAction.Set,
                Format(property.OriginalValue), Format(property.CurrentValue), () => null, null, null, null));
        }

        foreach (var complex in entry.ComplexProperties)
        {
            if (written?.Contains(complex.Metadata.Name) == true)
            {
                continue;
            }

            foreach (var property in complex.Properties)
            {
                if (property.IsModified && !Equals(property.OriginalValue, property.CurrentValue))
                {
                    _pending.Add(new PendingRevision(subject, Snake(complex.Metadata.Name) + "." + property.Metadata.Name.ToLowerInvariant(), RevisionAction.Set,
                        Format(property.OriginalValue), Format(property.CurrentValue), () => null, null, null, null));
                }
            }
        }
    }

    private static string DescribeOriginal(EntityEntry entry, Func<string> describe)
    {
        var current = entry.CurrentValues.Clone();
        entry.CurrentValues.SetValues(entry.OriginalValues);
        try
        {
            return describe();
        }
        finally
        {
            entry.CurrentValues.SetValues(current);
        }
    }

    // Names of the organisations and themes the context tracks, by id, built once per flush (a partner import links
    // thousands of participations: looking each up in the tracker would be quadratic).
    private Dictionary<int, string>? _organisationNames;
    private Dictionary<int, string>? _themeSlugs;

    private string OrganisationName(Participation x)
    {
        if (x.Organisation?.Name is { } name)
        {
            return name;
        }

        _organisationNames ??= _db.ChangeTracker.Entries<Organisation>().GroupBy(e => e.Entity.Id).ToDictionary(g => g.Key, g => g.First().Entity.Name);
        return _organisationNames.GetValueOrDefault(x.OrganisationId)
            ?? _untrackedOrganisationNames.GetValueOrDefault(x.OrganisationId)
            ?? "organisation " + x.OrganisationId.ToString(CultureInfo.InvariantCulture);
    }

    // A participation linked (or unlinked) to an organisation the context does not track (an import links a
    // beneficiary created in an earlier chunk, after the tracker was cleared, by its id): its name is read before the
    // revisions are described (which cannot query), so that history says "Ville de Tournai (partner)", not an id.
    private readonly HashSet<int> _organisationNamesNeeded = [];
    private readonly Dictionary<int, string> _untrackedOrganisationNames = [];

    private void NeedOrganisationName(Participation x)
    {
        if (x.Organisation is null && x.OrganisationId > 0)
        {
            _organisationNamesNeeded.Add(x.OrganisationId);
        }
    }

    private async Task LoadUntrackedOrganisationNamesAsync(CancellationToken ct)
    {
        _untrackedOrganisationNames.Clear();
        var tracked = _db.ChangeTracker.Entries<Organisation>().Select(e => e.Entity.Id).ToHashSet();
        var ids = _organisationNamesNeeded.Where(id => !tracked.Contains(id)).ToList();
        _organisationNamesNeeded.Clear();
        foreach (var chunk in ids.Chunk(5_000))
        {
            var names = await _db.Organisations.AsNoTracking().Where(o => chunk.Contains(o.Id))
                .Select(o => new { o.Id, o.Name }).ToListAsync(ct);
            foreach (var o in names)
            {
                _untrackedOrganisationNames[o.Id] = o.Name;
            }
        }
    }

    // The slugs of the organisations that the members being written are (or were) linked to, read before the
    // revisions are captured (which cannot query): a member's description names its organisation, so that linking,
    // changing or removing the link is a visible change in the history ("Ville (BE, local)" → "Ville (BE, local,
    // organisation ville-de-tournai)"). Descriptions written before the organisation was named lack it.
    private readonly Dictionary<int, string> _memberOrganisations = [];

    private async Task LoadMemberOrganisationsAsync(CancellationToken ct)
    {
        var ids = new HashSet<int>();
        foreach (var entry in _db.ChangeTracker.Entries<GroupingMember>())
        {
            if (entry.State is EntityState.Added or EntityState.Modified or EntityState.Deleted)
            {
                var property = entry.Property(m => m.OrganisationId);
                if (property.CurrentValue is > 0 and var current)
                {
                    ids.Add(current);
                }

                if (entry.State != EntityState.Added && property.OriginalValue is > 0 and var original)
                {
                    ids.Add(original);
                }
            }
        }

        ids.ExceptWith(_memberOrganisations.Keys);
        if (ids.Count == 0)
        {
            return;
        }

        foreach (var tracked in _db.ChangeTracker.Entries<Organisation>().Where(e => ids.Contains(e.Entity.Id)))
        {
            _memberOrganisations[tracked.Entity.Id] = tracked.Entity.Slug;
        }

        ids.ExceptWith(_memberOrganisations.Keys);
        if (ids.Count > 0)
        {
            foreach (var o in await _db.Organisations.AsNoTracking().Where(o => ids.Contains(o.Id)).Select(o => new { o.Id, o.Slug }).ToListAsync(ct))
            {
                _memberOrganisations[o.Id] = o.Slug;
            }
        }
    }

    private string DescribeMember(GroupingMember m)
    {
        if (m.OrganisationId is not { } id)
        {
            return $"{m.Name} ({m.Country}, {m.Level})";
        }

        // A member added with an organisation created in the same flush: its id is known only after saving.
        if (!_memberOrganisations.TryGetValue(id, out var slug))
        {
            slug = _db.ChangeTracker.Entries<Organisation>().FirstOrDefault(e => e.Entity.Id == id)?.Entity.Slug ?? id.ToString(CultureInfo.InvariantCulture);
        }

        return $"{m.Name} ({m.Country}, {m.Level}, organisation {slug})";
    }

    private string ThemeSlug(int id)
    {
        _themeSlugs ??= _db.ChangeTracker.Entries<Theme>().GroupBy(e => e.Entity.Id).ToDictionary(g => g.Key, g => g.First().Entity.Slug);
        return _themeSlugs.GetValueOrDefault(id) ?? "theme " + id.ToString(CultureInfo.InvariantCulture);
    }

    private static string? Describe(object entity) => entity switch
    {
        Programme p => p.Slug,
        Grouping g => g.Slug,
        Project p => p.Slug,
        Organisation o => o.Slug,
        Sources.Source s => $"{s.Key}: {s.Title}",
        Theme t => t.Slug,
        _ => null,
    };

    private static Func<(SubjectType, int, string?)> Fixed((SubjectType, int, string?) value) => () => value;

    private static Func<(SubjectType, int, string?)> SubjectOf(object record) => record switch
    {
        Sources.Source s => () => (SubjectType.Source, s.Id, null),
        Theme t => () => (SubjectType.Theme, t.Id, null),
        _ => () =>
        {
            var (type, id) = Key(record);
            return (type, id, null);
        }
        ,
    };

    internal static (SubjectType Type, int Id) Key(object record) => record switch
    {
        Programme p => (SubjectType.Programme, p.Id),
        Grouping g => (SubjectType.Grouping, g.Id),
        Project p => (SubjectType.Project, p.Id),
        Organisation o => (SubjectType.Organisation, o.Id),
        Participation x => (SubjectType.Participation, x.Id),
        _ => throw new ArgumentException($"{record.GetType().Name} does not carry sourced values", nameof(record)),
    };

    /// <summary>A property's value as revisions record it (invariant culture; lists joined with ", ").</summary>
    internal static string? Format(object? value) => value switch
    {
        null => null,
        string s => s,
        byte[] bytes => $"{bytes.Length:N0} bytes, sha256 {Convert.ToHexString(SHA256.HashData(bytes))[..12].ToLowerInvariant()}",
        IEnumerable<string> list => string.Join(", ", list),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };

    /// <summary>A property's name as revisions record it: TotalBudget → total_budget.</summary>
    internal static string Snake(string name)
    {
        var text = new System.Text.StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0)
            {
                text.Append('_');
            }

            text.Append(char.ToLowerInvariant(name[i]));
        }

        return text.ToString();
    }

    private static string? Truncate(string? text, int max) => text is null || text.Length <= max ? text : text[..(max - 1)] + "…";

    /// <summary>Change-feed entries for records whose values changed without the record itself changing.</summary>
    /// <summary>
    /// Counts <paramref name="count"/> more change-feed entries of this session (the records whose values changed, and
    /// the records the change-feed interceptor sees saved). Beyond <see cref="FeedEntriesPerSubjectLimit"/> the session
    /// writes one "reload everything" entry instead of one per record: for a bulk import, other instances reload once,
    /// and tens of thousands of single-row inserts are saved (ADR 30). Returns null when the entries are to be written
    /// as they are, else the entries to write instead (the "everything" entry once, then none).
    /// </summary>
    internal List<ChangeEntry>? CapFeed(int count, DateTime now)
    {
        _touchedCount += count;
        if (_touchedCount <= FeedEntriesPerSubjectLimit)
        {
            return null;
        }

        return _touchedCount - count <= FeedEntriesPerSubjectLimit ? [ChangeEntry.Everything(now)] : [];
    }

    private async Task AddFeedEntriesAsync(List<object> records, CancellationToken ct)
    {
        if (records.Count == 0)
        {
            return;
        }

        var now = _clock.GetUtcNow().UtcDateTime;
        if (CapFeed(records.Count, now) is { } instead)
        {
            _db.ChangeFeed.AddRange(instead);
            return;
        }

        var projectIds = new List<int>();
        foreach (var record in records)
        {
            switch (record)
            {
                case Programme p:
                    _db.ChangeFeed.Add(Entry(nameof(Programme), p.Slug));
                    break;
                case Grouping g:
                    _db.ChangeFeed.Add(Entry(nameof(Grouping), g.Slug));
                    break;
                case Project p:
                    _db.ChangeFeed.Add(Entry(nameof(Project), p.Slug));
                    break;
                case Organisation o:
                    _db.ChangeFeed.Add(Entry(nameof(Organisation), o.Slug));
                    break;
                case Participation x:
                    projectIds.Add(x.ProjectId);
                    break;
            }
        }

        if (projectIds.Count > 0)
        {
            foreach (var slug in await _db.Projects.AsNoTracking().Where(p => projectIds.Contains(p.Id)).Select(p => p.Slug).ToListAsync(ct))
            {
                _db.ChangeFeed.Add(Entry(nameof(Project), slug));
            }
        }

        ChangeEntry Entry(string type, string slug) => new() { EntityType = type, EntityId = slug, Kind = ChangeKind.Modified, ChangedAt = now };
    }

    private sealed class SubjectFacts(SubjectType type)
    {
        public SubjectType Type { get; } = type;
        public Dictionary<string, List<FactState>> ByField { get; } = new(StringComparer.Ordinal);
    }

    private sealed class FactState
    {
        public long Id { get; set; }
        public SubjectType SubjectType { get; init; }
        public int SubjectId { get; set; }
        public required string Field { get; init; }
        public required string Value { get; set; }
        public int SourceId { get; set; }
        public SourceHandle? Source { get; init; }
        public int Rank { get; set; }

        /// <summary>Whether its "added" revision is recorded (a new value is recorded once).</summary>
        public bool Recorded { get; set; }
        public string? Note { get; set; }
        public bool Retracted { get; set; }
        public bool IsNew { get; set; }
        public object? Record { get; init; }
        public Fact? Entity { get; set; }
    }

    private sealed record PendingRevision(
        Func<(SubjectType Type, int Id, string? Key)> Subject,
        string Field,
        RevisionAction Action,
        string? OldValue,
        string? NewValue,
        Func<int?> Source,
        FactState? Fact,
        int? OldRank,
        int? NewRank)
    {
        /// <summary>For links: the description, read after saving (ids of new records are known then).</summary>
        public Func<string>? Describe { get; init; }
    }
}
