using Microsoft.EntityFrameworkCore;

using Passerelle.Core.Common;
using Passerelle.Core.Data;
using Passerelle.Core.Exports;
using Passerelle.Core.OpenData;
using Passerelle.Core.Organisations;
using Passerelle.Core.Projects;
using Passerelle.Core.Registry;
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
        var name = cells.Value(C.PartnerName, Fields.Organisation.Name, required: true);
        var roleText = cells.Value(C.Role, Fields.Participation.Role, required: true);
        var role = roleText is null ? (ParticipationRole?)null : FieldDefinition.ParseRole(roleText)!.Value.Role;
        var status = cells.Value(C.LegalStatus, Fields.Organisation.LegalStatus) is { } statusText ? FieldDefinition.ParseLegalStatus(statusText) : null;
        var country = cells.Value(C.Country, Fields.Organisation.Country);

        var nuts = cells.Text(C.Nuts3, 5);
        if (nuts is not null)
        {
            if (nuts.Length != 5 || !nuts[..2].All(char.IsAsciiLetterUpper) || !nuts[2..].All(char.IsAsciiLetterOrDigit))
            {
                cells.Fail(C.Nuts3, $"'{nuts}' is not a NUTS 3 code (two letters and three characters, e.g. FRE11)");
            }

            _nutsValues++;
        }

        var city = cells.Value(C.City, Fields.Organisation.City);
        var budget = cells.Amount(C.PartnerBudget, Fields.Participation.Budget);
        var erdf = cells.Amount(C.PartnerErdf, Fields.Participation.EuContribution);
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

    /// <summary>Writes the validated rows through the session: organisations, their aliases, participations, every value from the file's source.</summary>
    public async Task<(int Created, int Updated, int Unchanged)> WriteAsync(WriteSession session, SourceHandle source, CancellationToken ct)
    {
        var organisationIds = _inputs.Select(i => Identity(i.MatchKey)).Where(k => k[0] == '#').Select(k => int.Parse(k[1..], System.Globalization.CultureInfo.InvariantCulture)).Distinct().ToList();
        var organisations = await db.Organisations.Include(o => o.Aliases).Where(o => organisationIds.Contains(o.Id)).ToDictionaryAsync(o => o.Id, ct);
        var projectIds = _inputs.Select(i => i.ProjectId).Distinct().ToList();
        var participations = await db.Participations.Where(x => projectIds.Contains(x.ProjectId))
            .ToDictionaryAsync(x => (x.ProjectId, x.OrganisationId), ct);
        await session.LoadValuesAsync(organisations.Values, ct);
        await session.LoadValuesAsync(participations.Values, ct);
        var slugs = (await db.Organisations.AsNoTracking().Select(o => o.Slug).ToListAsync(ct)).ToHashSet(StringComparer.Ordinal);

        var created = new Dictionary<string, Organisation>(StringComparer.Ordinal);
        var changedRows = new HashSet<int>();
        var createdRows = new HashSet<int>();
        foreach (var input in _inputs)
        {
            var identity = Identity(input.MatchKey);
            Organisation organisation;
            var changed = false;
            if (identity[0] != '#')
            {
                if (!created.TryGetValue(identity, out organisation!))
                {
                    organisation = session.Create(new Organisation { Slug = ProjectImporter.UniqueSlug(slugs, input.Name, "organisation"), Name = input.Name });
                    created[identity] = organisation;
                    session.SetValue(organisation, Fields.Organisation.Name, input.Name, source);
                }
            }
            else
            {
                organisation = organisations[int.Parse(identity[1..], System.Globalization.CultureInfo.InvariantCulture)];
                if (!Fields.Organisation.Name.SameValue(input.Name, organisation.Name) && !organisation.Aliases.Any(a => a.Name == input.Name))
                {
                    // The file names the organisation differently (case, accents, a known alias's spelling): kept as an alias with its source.
                    organisation.Aliases.Add(new OrganisationAlias { Name = input.Name, SourceId = await session.SaveSourceAsync(source, ct) });
                    changed = true;
                }
            }

            changed |= ApplyOrganisation(session, source, organisation, input);
            if (participations.TryGetValue((input.ProjectId, organisation.Id), out var participation) && organisation.Id != 0)
            {
                changed |= ApplyParticipation(session, source, participation, input);
                if (changed)
                {
                    changedRows.Add(input.Row);
                }
            }
            else
            {
                participation = session.Create(new Participation
                {
                    ProjectId = input.ProjectId,
                    Organisation = organisation,
                    Role = input.Role,
                    NameInSource = input.Name,
                });
                ApplyParticipation(session, source, participation, input);
                createdRows.Add(input.Row);
            }
        }

        await session.FlushAsync(ct: ct);
        changedRows.ExceptWith(createdRows);
        return (createdRows.Count, changedRows.Count, _inputs.Count - createdRows.Count - changedRows.Count);
    }

    private static bool ApplyOrganisation(WriteSession session, SourceHandle source, Organisation o, Input input)
    {
        var changed = false;
        void Set(FieldDefinition field, string? value)
        {
            if (value is not null)
            {
                changed |= session.SetValue(o, field, value, source) != WriteOutcome.Unchanged;
            }
        }

        Set(Fields.Organisation.Country, input.Country);
        Set(Fields.Organisation.City, input.City);
        Set(Fields.Organisation.LegalStatus, input.LegalStatus is { } s ? KeepColumns.LegalStatusText(s) : null);
        return changed;
    }

    private static bool ApplyParticipation(WriteSession session, SourceHandle source, Participation x, Input input)
    {
        var changed = false;
        void Set(FieldDefinition field, string? value)
        {
            if (value is not null)
            {
                changed |= session.SetValue(x, field, value, source) != WriteOutcome.Unchanged;
            }
        }

        Set(Fields.Participation.Role, input.RoleText);
        Set(Fields.Participation.Budget, input.Budget is { } b ? Cells.Invariant(b) : null);
        Set(Fields.Participation.EuContribution, input.Erdf is { } e ? Cells.Invariant(e) : null);
        return changed;
    }
}
