using Microsoft.EntityFrameworkCore;

using Passerelle.Core.Common;
using Passerelle.Core.Data;
using Passerelle.Core.Exports;
using Passerelle.Core.OpenData;
using Passerelle.Core.Projects;
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
    private readonly List<string> _notes = [];
    private int _leadPartnerValues;

    public IReadOnlyList<string> Notes => _notes;

    public async Task ValidateAsync(string path, ImportErrors errors, CancellationToken ct)
    {
        var programmes = await ProgrammeResolver.LoadAsync(db, ct);
        await ImportFile.ReadAsync(path, C.Projects, errors, row => Parse(new Cells(row, errors), row, programmes), ct);
        if (_leadPartnerValues > 0)
        {
            _notes.Add($"the '{C.LeadPartner}' column ({_leadPartnerValues} values) is not imported: lead partners come from the partners table");
        }
    }

    private void Parse(Cells cells, TableRow row, ProgrammeResolver programmes)
    {
        var programme = programmes.Resolve(cells, C.Programme, cells.Required(C.Programme, 150));
        var acronym = cells.Required(C.Acronym, 100);
        var language = cells.Text(C.OriginalLanguage, 2)?.ToLowerInvariant();
        if (language is not null && !C.OriginalLanguages.Contains(language))
        {
            cells.Fail(C.OriginalLanguage, $"'{language}' is not one of {string.Join(", ", C.OriginalLanguages)}");
        }

        var titleOriginal = cells.Text(C.TitleOriginal, 1000);
        var descriptionOriginal = cells.Text(C.DescriptionOriginal, 4000);
        if (language is null && (titleOriginal ?? descriptionOriginal) is not null)
        {
            cells.Fail(C.OriginalLanguage, "the original language is needed when a title or description in it is given");
        }

        var start = cells.Date(C.StartDate);
        var end = cells.Date(C.EndDate);
        if (start is not null && end is not null && PartialDate.Earliest(end) < PartialDate.Earliest(start))
        {
            cells.Fail(C.EndDate, $"the end date {end} is before the start date {start}");
        }

        var total = cells.Amount(C.TotalBudget);
        var eu = cells.Amount(C.EuFunding);
        if (total is not null && eu is not null && eu > total)
        {
            cells.Fail(C.EuFunding, "the EU funding is larger than the total budget");
        }

        var rate = cells.Amount(C.CoFinancingRate);
        if (rate > 100)
        {
            cells.Fail(C.CoFinancingRate, "a co-financing rate is a percentage between 0 and 100");
        }

        var keepId = cells.Text(C.KeepEuId, 32);
        if (keepId is not null && !keepId.All(char.IsAsciiDigit))
        {
            cells.Fail(C.KeepEuId, $"'{Cells.Shorten(keepId)}' is not a keep.eu project id (digits only)");
        }

        if (cells.Text(C.LeadPartner, 300) is not null)
        {
            _leadPartnerValues++;
        }

        var input = new Input(cells.Row, programme!, acronym!, cells.Text(C.TitleEn, 1000), language, titleOriginal,
            cells.Text(C.DescriptionEn, 4000), descriptionOriginal, cells.Text(C.SpecificObjective, 1000),
            start, end, total, eu, rate, keepId, cells.Website(C.Website));
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

    public async Task<(int Created, int Updated, int Unchanged)> WriteAsync(int sourceId, CancellationToken ct)
    {
        var existing = new Dictionary<string, Project>(StringComparer.Ordinal);
        foreach (var p in await ProgrammeResolver.Candidates(db, _inputs.Select(i => i.Programme)).ToListAsync(ct))
        {
            existing.TryAdd(new ProgrammeKey(p.ProgrammeId, p.ProgrammeCode).Key(p.Acronym), p);
        }

        var facts = new FactPlan(db, sourceId);
        await facts.LoadAsync(SubjectType.Project, existing.Values.Select(p => p.Id).ToList(), ct);
        var slugs = (await db.Projects.AsNoTracking().Select(p => p.Slug).ToListAsync(ct)).ToHashSet(StringComparer.Ordinal);
        var programmeSlugs = await db.Programmes.AsNoTracking().ToDictionaryAsync(p => p.Id, p => p.Slug, ct);

        var (created, updated, unchanged) = (0, 0, 0);
        var added = new List<Project>();
        foreach (var input in _inputs)
        {
            if (existing.TryGetValue(input.Programme.Key(input.Acronym), out var project))
            {
                if (Apply(project, input, facts, isNew: false))
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
            project = new Project
            {
                Slug = UniqueSlug(slugs, input.Acronym, programmeSlug),
                Acronym = input.Acronym,
                ProgrammeCode = input.Programme.Code,
                ProgrammeId = input.Programme.Id,
            };
            var created1 = project;
            facts.ForNew(SubjectType.Project, () => created1.Id, FactFields.Acronym, input.Acronym);
            Apply(project, input, facts, isNew: true);
            added.Add(project);
            created++;
        }

        // Changed records first, then the new ones in batches with a cleared tracker so memory stays bounded.
        await db.SaveChangesAsync(ct);
        db.ChangeTracker.Clear();
        db.ChangeTracker.AutoDetectChangesEnabled = false;
        try
        {
            foreach (var batch in added.Chunk(5_000))
            {
                db.Projects.AddRange(batch);
                await db.SaveChangesAsync(ct);
                db.ChangeTracker.Clear();
            }

            await facts.WriteAsync(ct);
        }
        finally
        {
            db.ChangeTracker.AutoDetectChangesEnabled = true;
        }

        return (created, updated, unchanged);
    }

    /// <summary>Sets each value the row gives (a blank cell leaves the record's value alone) and plans its fact.</summary>
    private static bool Apply(Project p, Input input, FactPlan facts, bool isNew)
    {
        var changed = false;

        void Text(string field, string? value, string? current, Action<string> set)
        {
            if (value is null)
            {
                return;
            }

            var replaces = !string.Equals(value, current, StringComparison.Ordinal);
            if (replaces)
            {
                set(value);
            }

            if (isNew)
            {
                facts.ForNew(SubjectType.Project, () => p.Id, field, value);
            }
            else
            {
                changed |= facts.ForExisting(SubjectType.Project, p.Id, field, value, replaces);
            }
        }

        void Amount(string field, decimal? value, decimal? current, Action<decimal> set)
        {
            if (value is not { } v)
            {
                return;
            }

            var replaces = current != v;
            if (replaces)
            {
                set(v);
            }

            var text = Cells.Invariant(v);
            if (isNew)
            {
                facts.ForNew(SubjectType.Project, () => p.Id, field, text);
            }
            else
            {
                changed |= facts.ForExisting(SubjectType.Project, p.Id, field, text, replaces);
            }
        }

        Text(FactFields.Localized(FactFields.Title, "en"), input.TitleEn, p.Title.En, v => p.Title = p.Title with { En = v });
        Text(FactFields.Localized(FactFields.Summary, "en"), input.DescriptionEn, p.Summary.En, v => p.Summary = p.Summary with { En = v });
        if (input.Language is { } language)
        {
            Text(FactFields.Localized(FactFields.Title, language), input.TitleOriginal, p.Title[language], v => p.Title = With(p.Title, language, v));
            Text(FactFields.Localized(FactFields.Summary, language), input.DescriptionOriginal, p.Summary[language], v => p.Summary = With(p.Summary, language, v));
        }

        Text(FactFields.SpecificObjective, input.SpecificObjective, p.SpecificObjective, v => p.SpecificObjective = v);
        Text(FactFields.StartDate, input.StartDate, p.StartDate, v => p.StartDate = v);
        Text(FactFields.EndDate, input.EndDate, p.EndDate, v => p.EndDate = v);
        Amount(FactFields.TotalBudget, input.TotalBudget, p.TotalBudget, v => p.TotalBudget = v);
        Amount(FactFields.Erdf, input.EuFunding, p.EuContribution, v => p.EuContribution = v);

        // A rate equal to EU funding over total budget is derived from two sourced amounts, not stated (Art. 49(3)(k)
        // CPR asks for the rate; the export computes it the same way), so it is not stored as a stated rate.
        if (input.RatePercent is { } percent && ExportRates.Percent(null, p.TotalBudget, p.EuContribution) != ExportRates.Normalise(percent))
        {
            var rate = ExportRates.Normalise(percent / 100m);
            Text(FactFields.ErdfRate, Cells.Invariant(ExportRates.Normalise(percent)) + "%",
                p.StatedEuRate is { } stated ? Cells.Invariant(ExportRates.Normalise(stated * 100m)) + "%" : null,
                _ => p.StatedEuRate = rate);
        }

        Text(FactFields.KeepEuId, input.KeepEuId, p.KeepEuId, v => p.KeepEuId = v);
        Text(FactFields.Website, input.Website, p.Website, v => p.Website = v);
        return changed;
    }

    private static LocalizedText With(LocalizedText text, string language, string value) => language switch
    {
        "fr" => text with { Fr = value },
        "nl" => text with { Nl = value },
        "de" => text with { De = value },
        _ => text with { En = value },
    };

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
