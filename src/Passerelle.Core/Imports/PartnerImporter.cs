using Microsoft.EntityFrameworkCore;

using Passerelle.Core.Common;
using Passerelle.Core.Data;
using Passerelle.Core.Exports;
using Passerelle.Core.OpenData;
using Passerelle.Core.Organisations;
using Passerelle.Core.Projects;
using Passerelle.Core.Sources;

using C = Passerelle.Core.Exports.KeepColumns;

namespace Passerelle.Core.Imports;

/// <summary>
/// Imports the keep.eu-style partner table (<see cref="KeepColumns.Partners"/>): one row per participation. The project
/// must exist (import the project table first); the organisation is matched on its name or a known alias, compared
/// without case, accents or punctuation as the default data does, and created when no organisation matches.
/// </summary>
internal sealed class PartnerImporter(PasserelleDbContext db)
{
    private sealed record Input(
        int Row, int ProjectId, string Name, string MatchKey, ParticipationRole Role, string RoleText, LegalStatus? LegalStatus,
        string? City, string? Country, decimal? Budget, decimal? Erdf);

    private sealed record OrganisationFacts(int Row, LegalStatus? LegalStatus, string? City, string? Country);

    private readonly List<Input> _inputs = [];
    private readonly List<string> _notes = [];
    private readonly Dictionary<string, int> _rowOfKey = new(StringComparer.Ordinal);
    private readonly Dictionary<int, (int Row, string MatchKey)> _leadOf = [];
    private readonly Dictionary<string, OrganisationFacts> _organisationFacts = new(StringComparer.Ordinal);
    private Dictionary<string, int> _projects = null!;
    private Dictionary<string, int> _organisationByKey = null!;
    private Dictionary<int, string> _existingLeadKey = null!;
    private int _nutsValues;

    public IReadOnlyList<string> Notes => _notes;

    public async Task ValidateAsync(string path, ImportErrors errors, CancellationToken ct)
    {
        var programmes = await ProgrammeResolver.LoadAsync(db, ct);
        _projects = [];
        foreach (var p in await db.Projects.AsNoTracking().Select(p => new { p.Id, p.ProgrammeId, p.ProgrammeCode, p.Acronym }).ToListAsync(ct))
        {
            _projects.TryAdd(new ProgrammeKey(p.ProgrammeId, p.ProgrammeCode).Key(p.Acronym), p.Id);
        }

        _organisationByKey = await OrganisationKeysAsync(ct);
        _existingLeadKey = (await db.Participations.AsNoTracking().Where(x => x.Role == ParticipationRole.LeadPartner)
                .Select(x => new { x.ProjectId, x.Organisation.Name, x.OrganisationId }).ToListAsync(ct))
            .GroupBy(x => x.ProjectId).ToDictionary(g => g.Key, g => "#" + g.First().OrganisationId);
        await ImportFile.ReadAsync(path, C.Partners, errors, row => Parse(new Cells(row, errors), programmes), ct);
        if (_nutsValues > 0)
        {
            _notes.Add($"the '{C.Nuts3}' column ({_nutsValues} values) is checked but not stored: territories are not linked to organisations yet");
        }
    }

    /// <summary>Match keys of every organisation's name and aliases → its id ("#id" keys are the ids themselves).</summary>
    private async Task<Dictionary<string, int>> OrganisationKeysAsync(CancellationToken ct)
    {
        var keys = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var o in await db.Organisations.AsNoTracking().Select(o => new { o.Id, o.Name }).ToListAsync(ct))
        {
            keys.TryAdd(Slug.MatchKey(o.Name), o.Id);
        }

        foreach (var a in await db.OrganisationAliases.AsNoTracking().Select(a => new { a.OrganisationId, a.Name }).ToListAsync(ct))
        {
            keys.TryAdd(Slug.MatchKey(a.Name), a.OrganisationId);
        }

        return keys;
    }

    private string Identity(string matchKey) => _organisationByKey.TryGetValue(matchKey, out var id) ? "#" + id : matchKey;

    private void Parse(Cells cells, ProgrammeResolver programmes)
    {
        var programme = programmes.Resolve(cells, C.Programme, cells.Required(C.Programme, 150));
        var acronym = cells.Required(C.ProjectAcronym, 100);
        var name = cells.Required(C.PartnerName, 300);
        var roleText = cells.Required(C.Role, 32);
        ParticipationRole? role = roleText?.ToLowerInvariant() switch
        {
            null => null,
            "lead partner" or "lead" => ParticipationRole.LeadPartner,
            "partner" => ParticipationRole.Partner,
            "associated partner" => ParticipationRole.AssociatedPartner,
            _ => null,
        };
        if (roleText is not null && role is null)
        {
            cells.Fail(C.Role, $"unknown role '{Cells.Shorten(roleText)}' (lead partner, partner or associated partner)");
        }

        var statusText = cells.Text(C.LegalStatus, 16)?.ToLowerInvariant();
        LegalStatus? status = statusText switch
        {
            null => null,
            "public" => Organisations.LegalStatus.Public,
            "private" => Organisations.LegalStatus.Private,
            "other" => Organisations.LegalStatus.Other,
            _ => null,
        };
        if (statusText is not null && status is null)
        {
            cells.Fail(C.LegalStatus, $"unknown legal status '{Cells.Shorten(statusText)}' (public, private or other)");
        }

        var country = cells.Text(C.Country, 2);
        if (country is not null && !(country.Length == 2 && country.All(char.IsAsciiLetterUpper)))
        {
            cells.Fail(C.Country, $"'{country}' is not a two-letter country code (ISO 3166-1, EL and UK as Eurostat writes them)");
        }

        var nuts = cells.Text(C.Nuts3, 5);
        if (nuts is not null)
        {
            if (nuts.Length != 5 || !nuts[..2].All(char.IsAsciiLetterUpper) || !nuts[2..].All(char.IsAsciiLetterOrDigit))
            {
                cells.Fail(C.Nuts3, $"'{nuts}' is not a NUTS 3 code (two letters and three characters, e.g. FRE11)");
            }

            _nutsValues++;
        }

        var city = cells.Text(C.City, 150);
        var budget = cells.Amount(C.PartnerBudget);
        var erdf = cells.Amount(C.PartnerErdf);
        if (budget is not null && erdf is not null && erdf > budget)
        {
            cells.Fail(C.PartnerErdf, "the partner's ERDF is larger than its budget");
        }

        if (programme is null || acronym is null || name is null || role is null)
        {
            return;
        }

        if (!_projects.TryGetValue(programme.Key(acronym), out var projectId))
        {
            cells.Fail(C.ProjectAcronym, $"no project {Cells.Shorten(acronym)} in programme '{programme.Code}' (import the project table first)");
            return;
        }

        var matchKey = Slug.MatchKey(name);
        if (matchKey.Length == 0)
        {
            cells.Fail(C.PartnerName, "a partner name needs letters or digits");
            return;
        }

        var identity = Identity(matchKey);
        if (_rowOfKey.TryGetValue(projectId + "|" + identity, out var first))
        {
            cells.Fail(C.PartnerName, $"this partner of project {acronym} is already in row {first}");
            return;
        }

        _rowOfKey[projectId + "|" + identity] = cells.Row;
        if (role == ParticipationRole.LeadPartner)
        {
            if (_leadOf.TryGetValue(projectId, out var lead))
            {
                cells.Fail(C.Role, $"project {acronym} already has its lead partner in row {lead.Row}");
            }
            else if (_existingLeadKey.TryGetValue(projectId, out var existingLead) && existingLead != identity)
            {
                cells.Fail(C.Role, $"project {acronym} already has another lead partner in the database");
            }
            else
            {
                _leadOf[projectId] = (cells.Row, identity);
            }
        }

        // One organisation, one set of values: two rows that disagree on it cannot both be imported.
        if (_organisationFacts.TryGetValue(identity, out var known))
        {
            Agree(cells, C.Country, known.Row, known.Country, country);
            Agree(cells, C.City, known.Row, known.City, city);
            Agree(cells, C.LegalStatus, known.Row, known.LegalStatus?.ToString(), status?.ToString());
            _organisationFacts[identity] = known with
            {
                Country = known.Country ?? country,
                City = known.City ?? city,
                LegalStatus = known.LegalStatus ?? status,
            };
        }
        else
        {
            _organisationFacts[identity] = new OrganisationFacts(cells.Row, status, city, country);
        }

        if (!cells.Failed)
        {
            _inputs.Add(new Input(cells.Row, projectId, name, matchKey, role.Value, roleText!, status, city, country, budget, erdf));
        }
    }

    private static void Agree(Cells cells, string column, int row, string? earlier, string? value)
    {
        if (earlier is not null && value is not null && !string.Equals(earlier, value, StringComparison.OrdinalIgnoreCase))
        {
            cells.Fail(column, $"'{value}' disagrees with '{earlier}' given for the same organisation in row {row}");
        }
    }

    public async Task<(int Created, int Updated, int Unchanged)> WriteAsync(int sourceId, CancellationToken ct)
    {
        var organisationIds = _inputs.Select(i => Identity(i.MatchKey)).Where(k => k[0] == '#').Select(k => int.Parse(k[1..], System.Globalization.CultureInfo.InvariantCulture)).Distinct().ToList();
        var organisations = await db.Organisations.Where(o => organisationIds.Contains(o.Id)).ToDictionaryAsync(o => o.Id, ct);
        var aliases = (await db.OrganisationAliases.AsNoTracking().Where(a => organisationIds.Contains(a.OrganisationId))
            .Select(a => new { a.OrganisationId, a.Name }).ToListAsync(ct)).Select(a => (a.OrganisationId, a.Name)).ToHashSet();
        var projectIds = _inputs.Select(i => i.ProjectId).Distinct().ToList();
        var participations = await db.Participations.Where(x => projectIds.Contains(x.ProjectId))
            .ToDictionaryAsync(x => (x.ProjectId, x.OrganisationId), ct);
        var facts = new FactPlan(db, sourceId);
        await facts.LoadAsync(SubjectType.Organisation, organisations.Keys, ct);
        await facts.LoadAsync(SubjectType.Participation, participations.Values.Select(x => x.Id).ToList(), ct);
        var slugs = (await db.Organisations.AsNoTracking().Select(o => o.Slug).ToListAsync(ct)).ToHashSet(StringComparer.Ordinal);

        var created = new Dictionary<string, Organisation>(StringComparer.Ordinal);
        var changedRows = new HashSet<int>();
        var createdRows = new HashSet<int>();
        var newParticipations = new List<(Input Input, Organisation Organisation)>();
        foreach (var input in _inputs)
        {
            var identity = Identity(input.MatchKey);
            var isNewOrganisation = identity[0] != '#';
            Organisation organisation;
            if (isNewOrganisation)
            {
                if (!created.TryGetValue(identity, out organisation!))
                {
                    organisation = new Organisation { Slug = ProjectImporter.UniqueSlug(slugs, input.Name, "organisation"), Name = input.Name };
                    created[identity] = organisation;
                    db.Organisations.Add(organisation);
                    var o = organisation;
                    facts.ForNew(SubjectType.Organisation, () => o.Id, FactFields.Name, input.Name);
                    ApplyOrganisation(organisation, input, facts, isNew: true);
                }
            }
            else
            {
                organisation = organisations[int.Parse(identity[1..], System.Globalization.CultureInfo.InvariantCulture)];
                var changed = ApplyOrganisation(organisation, input, facts, isNew: false);
                if (input.Name == organisation.Name)
                {
                    changed |= facts.ForExisting(SubjectType.Organisation, organisation.Id, FactFields.Name, input.Name, replacesColumn: false);
                }
                else if (aliases.Add((organisation.Id, input.Name)))
                {
                    // The file names the organisation differently (case, accents, a known alias's spelling): kept as an alias with its source.
                    db.OrganisationAliases.Add(new OrganisationAlias { OrganisationId = organisation.Id, Name = input.Name, SourceId = sourceId });
                    changed = true;
                }

                if (changed)
                {
                    changedRows.Add(input.Row);
                }
            }

            if (!isNewOrganisation && participations.TryGetValue((input.ProjectId, organisation.Id), out var participation))
            {
                if (ApplyParticipation(participation, input, facts, isNew: false))
                {
                    changedRows.Add(input.Row);
                }
            }
            else
            {
                newParticipations.Add((input, organisation));
                createdRows.Add(input.Row);
            }
        }

        // Organisations first (their ids are needed), then participations, then every fact.
        await db.SaveChangesAsync(ct);
        foreach (var (input, organisation) in newParticipations)
        {
            var participation = new Participation
            {
                ProjectId = input.ProjectId,
                OrganisationId = organisation.Id,
                Role = input.Role,
                NameInSource = input.Name,
            };
            ApplyParticipation(participation, input, facts, isNew: true);
            db.Participations.Add(participation);
        }

        await db.SaveChangesAsync(ct);
        db.ChangeTracker.Clear();
        await facts.WriteAsync(ct);
        changedRows.ExceptWith(createdRows);
        return (createdRows.Count, changedRows.Count, _inputs.Count - createdRows.Count - changedRows.Count);
    }

    private static bool ApplyOrganisation(Organisation o, Input input, FactPlan facts, bool isNew)
    {
        var changed = false;
        void Set(string field, string? value, string? current, Action<string> set)
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
                facts.ForNew(SubjectType.Organisation, () => o.Id, field, value);
            }
            else
            {
                changed |= facts.ForExisting(SubjectType.Organisation, o.Id, field, value, replaces);
            }
        }

        Set(FactFields.Country, input.Country, o.Country, v => o.Country = v);
        Set(FactFields.City, input.City, o.City, v => o.City = v);
        Set("legal_status", input.LegalStatus is { } s ? KeepColumns.LegalStatusText(s) : null, KeepColumns.LegalStatusText(o.LegalStatus),
            _ => o.LegalStatus = input.LegalStatus!.Value);
        return changed;
    }

    private static bool ApplyParticipation(Participation x, Input input, FactPlan facts, bool isNew)
    {
        var changed = false;
        void Set(string field, string? value, bool replaces, Action set)
        {
            if (value is null)
            {
                return;
            }

            if (replaces)
            {
                set();
            }

            if (isNew)
            {
                facts.ForNew(SubjectType.Participation, () => x.Id, field, value);
            }
            else
            {
                changed |= facts.ForExisting(SubjectType.Participation, x.Id, field, value, replaces);
            }
        }

        Set(FactFields.Role, KeepColumns.RoleText(input.Role), x.Role != input.Role, () => (x.Role, x.RoleLabel) = (input.Role, null));
        Set(FactFields.Budget, input.Budget is { } b ? Cells.Invariant(b) : null, x.Budget != input.Budget, () => x.Budget = input.Budget);
        Set("eu_contribution_eur", input.Erdf is { } e ? Cells.Invariant(e) : null, x.EuContribution != input.Erdf, () => x.EuContribution = input.Erdf);
        return changed;
    }
}
