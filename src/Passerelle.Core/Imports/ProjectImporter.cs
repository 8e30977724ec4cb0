using Microsoft.EntityFrameworkCore;

using Passerelle.Core.Common;
using Passerelle.Core.Data;
using Passerelle.Core.Exports;
using Passerelle.Core.OpenData;
using Passerelle.Core.Projects;
using Passerelle.Core.Registry;
using Passerelle.Core.Sources;

using C = Passerelle.Core.Exports.KeepColumns;

namespace Passerelle.Core.Imports;

/// <summary>A programme as an import file names it: a programme record (slug), or only a code when the period is unknown.</summary>
internal sealed record ProgrammeKey(int? Id, string Code)
{
    public string Key(string acronym) => (Id is { } id ? "#" + id : "code:" + Code) + "|" + acronym.ToUpperInvariant();
}

/// <summary>Resolves the "Programme" column: a programme slug ("fwv-2014-2020"), else a programme code ("FWV").</summary>
internal sealed class ProgrammeResolver
{
    private readonly Dictionary<string, ProgrammeKey> _bySlug = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, string> _codes = new(StringComparer.OrdinalIgnoreCase);

    private ProgrammeResolver()
    {
    }

    public static async Task<ProgrammeResolver> LoadAsync(PasserelleDbContext db, CancellationToken ct)
    {
        var resolver = new ProgrammeResolver();
        foreach (var p in await db.Programmes.AsNoTracking().Select(p => new { p.Id, p.Slug, p.Code }).ToListAsync(ct))
        {
            resolver._bySlug[p.Slug] = new ProgrammeKey(p.Id, p.Code);
            resolver._codes[p.Code] = p.Code;
        }

        return resolver;
    }

    public ProgrammeKey? Resolve(Cells cells, string column, string? text)
    {
        if (text is null)
        {
            return null;
        }

        if (_bySlug.TryGetValue(text, out var key))
        {
            return key;
        }

        if (_codes.TryGetValue(text, out var code))
        {
            return new ProgrammeKey(null, code);
        }

        cells.Fail(column, $"unknown programme '{Cells.Shorten(text)}' (neither a programme slug such as fwv-2014-2020 nor a code such as FWV)");
        return null;
    }

    /// <summary>Projects of these programmes, by their import key.</summary>
    public static IQueryable<Project> Candidates(PasserelleDbContext db, IEnumerable<ProgrammeKey> keys)
    {
        var codes = keys.Select(k => k.Code).Distinct().ToList();
        return db.Projects.Where(p => codes.Contains(p.ProgrammeCode));
    }
}

/// <summary>Imports the keep.eu-style project table (<see cref="KeepColumns.Projects"/>).</summary>
internal sealed class ProjectImporter(PasserelleDbContext db)
{
    private sealed record Input(
        int Row, ProgrammeKey Programme, string Acronym, string? TitleEn, string? Language, string? TitleOriginal,
        string? DescriptionEn, string? DescriptionOriginal, string? SpecificObjective, string? StartDate, string? EndDate,
        decimal? TotalBudget, decimal? EuFunding, decimal? RatePercent, string? KeepEuId, string? Website);

    private readonly List<Input> _inputs = [];
    private readonly Dictionary<string, int> _rowOfKey = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _rowOfKeepId = new(StringComparer.Ordinal);
    private readonly List<string> _notes = [];
    private int _leadPartnerValues;

    public IReadOnlyList<string> Notes => _notes;

    public async Task ValidateAsync(string path, ImportErrors errors, CancellationToken ct)
    {
        var programmes = await ProgrammeResolver.LoadAsync(db, ct);
        await ImportFile.ReadAsync(path, C.Projects, errors, row => Parse(new Cells(row, errors), row, programmes), ct);
        await CheckKeepIdsAsync(errors, ct);
        if (_leadPartnerValues > 0)
        {
            _notes.Add($"the '{C.LeadPartner}' column ({_leadPartnerValues} values) is not imported: lead partners come from the partners table");
        }
    }

    /// <summary>A keep.eu id that another project of the registry already has is an error of its row.</summary>
    private async Task CheckKeepIdsAsync(ImportErrors errors, CancellationToken ct)
    {
        var inputs = _inputs.Where(i => i.KeepEuId is not null).ToDictionary(i => i.KeepEuId!, StringComparer.Ordinal);
        foreach (var chunk in inputs.Keys.Chunk(5_000))
        {
            var holders = await db.Projects.AsNoTracking().Where(p => p.KeepEuId != null && chunk.Contains(p.KeepEuId))
                .Select(p => new { p.KeepEuId, p.ProgrammeId, p.ProgrammeCode, p.Acronym }).ToListAsync(ct);
            foreach (var holder in holders)
            {
                var input = inputs[holder.KeepEuId!];
                if (new ProgrammeKey(holder.ProgrammeId, holder.ProgrammeCode).Key(holder.Acronym) != input.Programme.Key(input.Acronym))
                {
                    errors.Add(input.Row, C.KeepEuId, $"keep.eu id {holder.KeepEuId} is already the id of project {holder.Acronym} ({holder.ProgrammeCode}) in the registry");
                    _inputs.Remove(input);
                }
            }
        }
    }

    private void Parse(Cells cells, TableRow row, ProgrammeResolver programmes)
    {
        var programme = programmes.Resolve(cells, C.Programme, cells.Required(C.Programme, 150));
        var acronym = cells.Value(C.Acronym, Fields.Project.Acronym, required: true);
        var language = cells.Text(C.OriginalLanguage, 2)?.ToLowerInvariant();
        if (language is not null && !C.OriginalLanguages.Contains(language))
        {
            cells.Fail(C.OriginalLanguage, $"'{language}' is not one of {string.Join(", ", C.OriginalLanguages)}");
        }

        // The language is checked above; every language's title (and summary) has the same rules.
        var titleOriginal = cells.Value(C.TitleOriginal, Fields.Project.Title.En);
        var descriptionOriginal = cells.Value(C.DescriptionOriginal, Fields.Project.Summary.En);
        if (language is null && (titleOriginal ?? descriptionOriginal) is not null)
        {
            cells.Fail(C.OriginalLanguage, "the original language is needed when a title or description in it is given");
        }

        var start = cells.Value(C.StartDate, Fields.Project.StartDate);
        var end = cells.Value(C.EndDate, Fields.Project.EndDate);
        if (start is not null && end is not null && PartialDate.Earliest(end) < PartialDate.Earliest(start))
        {
            cells.Fail(C.EndDate, $"the end date {end} is before the start date {start}");
        }

        var total = cells.Amount(C.TotalBudget, Fields.Project.TotalBudget);
        var eu = cells.Amount(C.EuFunding, Fields.Project.Erdf);
        if (total is not null && eu is not null && eu > total)
        {
            cells.Fail(C.EuFunding, "the EU funding is larger than the total budget");
        }

        var rate = cells.Amount(C.CoFinancingRate, Fields.Project.ErdfRate);
        var keepId = cells.Value(C.KeepEuId, Fields.Project.KeepEuId);
        if (keepId is not null && !_rowOfKeepId.TryAdd(keepId, cells.Row))
        {
            // One keep.eu project is one project: two rows with its id would be two records of it.
            cells.Fail(C.KeepEuId, $"keep.eu id {keepId} is already in row {_rowOfKeepId[keepId]}");
        }

        if (cells.Text(C.LeadPartner, 300) is not null)
        {
            _leadPartnerValues++;
        }

        var input = new Input(cells.Row, programme!, acronym!, cells.Value(C.TitleEn, Fields.Project.Title.En), language, titleOriginal,
            cells.Value(C.DescriptionEn, Fields.Project.Summary.En), descriptionOriginal, cells.Value(C.SpecificObjective, Fields.Project.SpecificObjective),
            start, end, total, eu, rate, keepId, cells.Value(C.Website, Fields.Project.Website));
        if (programme is null || acronym is null)
        {
            return;
        }

        var key = programme.Key(acronym);
        if (_rowOfKey.TryGetValue(key, out var first))
        {
            cells.Fail(C.Acronym, $"the project {acronym} of this programme is already in row {first}");
            return;
        }

        _rowOfKey[key] = cells.Row;
        if (!cells.Failed)
        {
            _inputs.Add(input);
        }
    }

    /// <summary>
    /// Writes the validated rows through the session, in chunks (memory stays flat): a matched project gets the values
    /// that differ from what it shows, a new one all of them, every value from the file's source.
    /// </summary>
    public async Task<(int Created, int Updated, int Unchanged)> WriteAsync(WriteSession session, SourceHandle source, CancellationToken ct)
    {
        var existing = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var p in await ProgrammeResolver.Candidates(db, _inputs.Select(i => i.Programme))
            .Select(p => new { p.Id, p.ProgrammeId, p.ProgrammeCode, p.Acronym }).ToListAsync(ct))
        {
            existing.TryAdd(new ProgrammeKey(p.ProgrammeId, p.ProgrammeCode).Key(p.Acronym), p.Id);
        }

        var slugs = (await db.Projects.AsNoTracking().Select(p => p.Slug).ToListAsync(ct)).ToHashSet(StringComparer.Ordinal);
        var programmeSlugs = await db.Programmes.AsNoTracking().ToDictionaryAsync(p => p.Id, p => p.Slug, ct);

        var (created, updated, unchanged) = (0, 0, 0);
        foreach (var chunk in _inputs.Chunk(ChunkSize))
        {
            var ids = chunk.Select(i => existing.GetValueOrDefault(i.Programme.Key(i.Acronym))).Where(id => id != 0).ToList();
            var projects = await db.Projects.Where(p => ids.Contains(p.Id)).ToDictionaryAsync(p => p.Id, ct);
            await session.LoadValuesAsync(projects.Values, ct);
            foreach (var input in chunk)
            {
                if (existing.TryGetValue(input.Programme.Key(input.Acronym), out var id))
                {
                    if (Apply(session, source, projects[id], input))
                    {
                        updated++;
                    }
                    else
                    {
                        unchanged++;
                    }

                    continue;
                }

                var programmeSlug = input.Programme.Id is { } pid ? programmeSlugs[pid] : input.Programme.Code;
                var project = session.Create(new Project
                {
                    Slug = UniqueSlug(slugs, input.Acronym, programmeSlug),
                    Acronym = input.Acronym,
                    ProgrammeCode = input.Programme.Code,
                    ProgrammeId = input.Programme.Id,
                });
                session.SetValue(project, Fields.Project.Acronym, input.Acronym, source);
                Apply(session, source, project, input);
                created++;
            }

            await session.FlushAsync(clearTracker: true, ct);
        }

        return (created, updated, unchanged);
    }

    private const int ChunkSize = 5_000;

    /// <summary>Writes each value the row gives (a blank cell leaves the record's value alone); true when any was written.</summary>
    private static bool Apply(WriteSession session, SourceHandle source, Project p, Input input)
    {
        var changed = false;

        void Set(FieldDefinition field, string? value)
        {
            if (value is not null)
            {
                changed |= session.SetValue(p, field, value, source) != WriteOutcome.Unchanged;
            }
        }

        Set(Fields.Project.Title.En, input.TitleEn);
        Set(Fields.Project.Summary.En, input.DescriptionEn);
        if (input.Language is { } language)
        {
            Set(Fields.Project.Title[language], input.TitleOriginal);
            Set(Fields.Project.Summary[language], input.DescriptionOriginal);
        }

        Set(Fields.Project.SpecificObjective, input.SpecificObjective);
        Set(Fields.Project.StartDate, input.StartDate);
        Set(Fields.Project.EndDate, input.EndDate);
        Set(Fields.Project.TotalBudget, input.TotalBudget is { } total ? Cells.Invariant(total) : null);
        Set(Fields.Project.Erdf, input.EuFunding is { } eu ? Cells.Invariant(eu) : null);

        // A rate equal to EU funding over total budget is derived from two sourced amounts, not stated (Art. 49(3)(k)
        // CPR asks for the rate; the export computes it the same way), so it is not stored as a stated rate.
        if (input.RatePercent is { } percent && ExportRates.Percent(null, p.TotalBudget, p.EuContribution) != ExportRates.Normalise(percent))
        {
            Set(Fields.Project.ErdfRate, Cells.Invariant(ExportRates.Normalise(percent)) + "%");
        }

        Set(Fields.Project.KeepEuId, input.KeepEuId);
        Set(Fields.Project.Website, input.Website);
        return changed;
    }

    internal static string UniqueSlug(HashSet<string> taken, string name, string qualifier)
    {
        var slug = Slug.From(name);
        slug = slug.Length == 0 ? "project" : slug[..Math.Min(slug.Length, 120)];
        if (taken.Add(slug))
        {
            return slug;
        }

        var qualified = slug + "-" + Slug.From(qualifier);
        if (taken.Add(qualified))
        {
            return qualified;
        }

        for (var i = 2; ; i++)
        {
            var numbered = qualified + "-" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (taken.Add(numbered))
            {
                return numbered;
            }
        }
    }
}
