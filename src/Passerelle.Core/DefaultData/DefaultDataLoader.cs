using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

using Passerelle.Core.Common;
using Passerelle.Core.Groupings;
using Passerelle.Core.Organisations;
using Passerelle.Core.Programmes;
using Passerelle.Core.Projects;
using Passerelle.Core.Registry;
using Passerelle.Core.Sources;
using Passerelle.Core.Themes;

namespace Passerelle.Core.DefaultData;

/// <summary>
/// Reads the default data, all of it from the repository's default-data folder (data/default): sources, themes,
/// programmes, groupings, organisations, projects as the seed page names them, then the sourced project facts
/// (project-facts.csv, the compiled facts on the seed projects and their partners) and extra-facts.csv. A clone alone
/// therefore builds the whole registry; every file is required, so a damaged installation fails instead of seeding
/// part of it.
/// </summary>
public static partial class DefaultDataLoader
{
    public const string ProjectFactsFile = "project-facts.csv";
    public const string ExtraFactsFile = "extra-facts.csv";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = false,
    };

    /// <summary>The long-format facts files, read in this order (a source named by several rows takes the title and
    /// date of its first row, and values of one field keep file order).</summary>
    public static readonly string[] FactsFiles = [ProjectFactsFile, ExtraFactsFile];

    /// <summary>Every file of the data set, in the order its hash covers them.</summary>
    private static readonly string[] HashedFiles =
        ["sources.json", "themes.json", "programmes.json", "groupings.json", "organisations.json", "projects.json", .. FactsFiles];

    /// <summary>
    /// The data set's hash without reading it (<see cref="DefaultDataSet.Hash"/>): a start compares it with the recorded
    /// one and parses the data only when it changed.
    /// </summary>
    public static string Hash(string defaultDataFolder)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var name in HashedFiles)
        {
            var path = Path.Combine(defaultDataFolder, name);
            hash.AppendData(File.Exists(path) ? File.ReadAllBytes(path) : throw new DefaultDataException(name, null, $"file not found in {defaultDataFolder}"));
        }

        return Convert.ToHexString(hash.GetHashAndReset());
    }

    public static DefaultDataSet Load(string defaultDataFolder)
    {
        var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var sourceDtos = ReadItems<SourceDto>(defaultDataFolder, "sources.json", hash);
        var themeDtos = ReadItems<ThemeDto>(defaultDataFolder, "themes.json", hash);
        var programmeDtos = ReadItems<ProgrammeDto>(defaultDataFolder, "programmes.json", hash);
        var groupingDtos = ReadItems<GroupingDto>(defaultDataFolder, "groupings.json", hash);
        var organisationDtos = ReadItems<OrganisationDto>(defaultDataFolder, "organisations.json", hash);
        var projectDtos = ReadItems<ProjectDto>(defaultDataFolder, "projects.json", hash);

        var factRows = new List<(string File, FactRow Row)>();
        foreach (var name in FactsFiles)
        {
            var path = Path.Combine(defaultDataFolder, name);
            if (!File.Exists(path))
            {
                throw new DefaultDataException(name, null, $"file not found in {defaultDataFolder}");
            }

            hash.AppendData(File.ReadAllBytes(path));
            factRows.AddRange(FactsCsv.Read(path).Select(r => (name, r)));
        }

        var sources = new SourceRegistry(sourceDtos);
        var themes = themeDtos.Select(t => new Theme { Slug = t.Slug, Label = t.Label }).ToList();
        var themeSlugs = themes.Select(t => t.Slug).ToHashSet();

        var programmes = programmeDtos.Select(dto => BuildProgramme(dto, sources)).ToList();
        var organisations = new OrganisationResolver(organisationDtos, sources);
        var groupings = groupingDtos.Select(dto => BuildGrouping(dto, sources, organisations)).ToList();

        var projects = new List<SeedProject>();
        var byAcronym = new Dictionary<string, SeedProject>(StringComparer.OrdinalIgnoreCase);
        foreach (var dto in projectDtos)
        {
            var unknownTheme = dto.Themes?.FirstOrDefault(t => !themeSlugs.Contains(t));
            if (unknownTheme is not null)
            {
                throw new DefaultDataException("projects.json", null, $"project '{dto.Slug}' names unknown theme '{unknownTheme}'");
            }

            var project = new SeedProject(
                new Project { Slug = dto.Slug, Acronym = dto.Acronym, ProgrammeCode = dto.Programme },
                null, dto.Themes ?? [], [], []);
            foreach (var fact in dto.Facts ?? [])
            {
                AddProjectFact(project, fact.Field, fact.Value, sources.Require(fact.Source, "projects.json"), fact.Note,
                    "projects.json", null, organisations);
            }

            projects.Add(project);
            byAcronym[dto.Acronym] = project;
        }

        foreach (var (file, row) in factRows)
        {
            if (!byAcronym.TryGetValue(row.Project, out var project))
            {
                throw new DefaultDataException(file, row.Line, $"unknown project '{row.Project}' (not in projects.json)");
            }

            var sourceKey = sources.FromRow(row);
            AddProjectFact(project, row.Field, row.Value, sourceKey, row.Note, file, row.Line, organisations);
        }

        var finished = projects.Select(p => Finish(p, programmes)).ToList();
        return new DefaultDataSet
        {
            Sources = sources.All,
            Themes = themes,
            Programmes = programmes,
            Organisations = organisations.All,
            Groupings = groupings,
            Projects = finished,
            Hash = Convert.ToHexString(hash.GetHashAndReset()),
        };
    }

    private static List<T> ReadItems<T>(string folder, string name, IncrementalHash hash)
    {
        var path = Path.Combine(folder, name);
        if (!File.Exists(path))
        {
            throw new DefaultDataException(name, null, $"file not found in {folder}");
        }

        var bytes = File.ReadAllBytes(path);
        hash.AppendData(bytes);
        try
        {
            var file = JsonSerializer.Deserialize<DefaultDataFile<T>>(bytes, Json);
            return file?.Items ?? throw new DefaultDataException(name, null, "the file has no 'items' array");
        }
        catch (JsonException e)
        {
            throw new DefaultDataException(name, (int?)e.LineNumber + 1, $"invalid JSON: {e.Message}");
        }
    }

    private static SeedProgramme BuildProgramme(ProgrammeDto dto, SourceRegistry sources)
    {
        if (!Enum.TryParse<ProgrammeKind>(dto.Kind, out var kind))
        {
            throw new DefaultDataException("programmes.json", null, $"programme '{dto.Slug}': unknown kind '{dto.Kind}'");
        }

        var facts = dto.Facts.Select(f => Loaded(f, sources, "programmes.json", SubjectType.Programme)).ToList();
        var programme = new Programme
        {
            Slug = dto.Slug,
            Code = dto.Code,
            Kind = kind,
            Period = dto.Period,
            Funds = dto.Funds ?? [],
            Countries = dto.Countries ?? [],
            AreaNote = dto.AreaNote,
        };
        ApplyColumns(programme, SubjectType.Programme, facts);
        return new SeedProgramme(programme, facts);
    }

    private static SeedGrouping BuildGrouping(GroupingDto dto, SourceRegistry sources, OrganisationResolver organisations)
    {
        const string file = "groupings.json";
        var facts = dto.Facts.Select(f => Loaded(f, sources, file, SubjectType.Grouping)).ToList();
        var grouping = new Grouping
        {
            Slug = dto.Slug,
            LegalForm = dto.LegalForm,
            FieldsOfAction = dto.FieldsOfAction ?? [],
        };
        ApplyColumns(grouping, SubjectType.Grouping, facts);
        var members = (dto.Members ?? []).Select((m, i) =>
        {
            if (m.Organisation is not null)
            {
                organisations.RequireKnown(m.Organisation, file);
                organisations.AddAlias(m.Organisation, m.Name, sources.Require(m.Source, file));
            }

            return new SeedMember(
                new GroupingMember { Name = m.Name, Country = m.Country, Level = m.Level, Order = i + 1 },
                sources.Require(m.Source, file), m.Organisation, m.Note);
        }).ToList();
        return new SeedGrouping(grouping, members, facts);
    }

    private static LoadedFact Loaded(FactDto fact, SourceRegistry sources, string file, SubjectType type)
    {
        Check(type, fact.Field, fact.Value, file, null);
        return new(fact.Field, fact.Value, sources.Require(fact.Source, file), fact.Note);
    }

    /// <summary>
    /// A value of the default data is checked against its field in the registry (the same check the write path makes),
    /// so that a mistake is reported with its file and line rather than when the database is written.
    /// </summary>
    internal static void Check(SubjectType type, string name, string value, string file, int? line)
    {
        var field = Fields.Find(type, name)
            ?? throw new DefaultDataException(file, line, $"'{name}' is not a field of a {type.ToString().ToLowerInvariant()} (see Passerelle.Core.Registry.Fields)");
        if (field.Validate(FieldDefinition.Normalise(value)) is { } reason)
        {
            throw new DefaultDataException(file, line, $"{name}: {reason}");
        }
    }

    /// <summary>A record's columns as the write path will set them: each from the first value of its field.</summary>
    internal static void ApplyColumns(object record, SubjectType type, List<LoadedFact> facts)
    {
        var ordered = OrderFacts(facts);
        foreach (var field in Fields.All.Where(f => f.Subject == type && f.HasColumn))
        {
            if (ordered.FirstOrDefault(f => f.Field == field.Name) is { } first)
            {
                field.Column!.Write(record, FieldDefinition.Normalise(first.Value));
            }
        }
    }

    /// <summary>CSV field names (full_title_en, summary_en) to the platform's (title.en, summary.en).</summary>
    private static string NormaliseField(string field) => field switch
    {
        _ when field.StartsWith("full_title_", StringComparison.Ordinal) => Fields.Project.Title[field["full_title_".Length..]].Name,
        _ when field.StartsWith("summary_", StringComparison.Ordinal) => Fields.Project.Summary[field["summary_".Length..]].Name,
        _ => field,
    };

    private static void AddProjectFact(
        SeedProject project, string rawField, string value, string sourceKey, string? note, string file, int? line,
        OrganisationResolver organisations)
    {
        var field = NormaliseField(rawField);
        switch (field)
        {
            case "lead_partner" or "partner":
                AddParticipation(project, value, sourceKey, note, file, line, organisations);
                return;
            case "mel_share_budget_eur" or "mel_share_erdf_eur":
                var mel = project.Participations.FirstOrDefault(p => p.OrganisationSlug == OrganisationResolver.LilleMetropole)
                    ?? throw new DefaultDataException(file, line, "a Lille Métropole share is given before its participation");
                var participationField = field == "mel_share_budget_eur" ? Fields.Participation.Budget : Fields.Participation.EuContribution;
                Check(SubjectType.Participation, participationField.Name, value, file, line);
                var amount = decimal.Parse(value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
                if (participationField == Fields.Participation.Budget)
                {
                    mel.Budget ??= amount;
                }
                else
                {
                    mel.EuContribution ??= amount;
                }

                mel.Facts.Add(new LoadedFact(participationField.Name, value, sourceKey, note));
                return;
        }

        Check(SubjectType.Project, field, value, file, line);
        project.Facts.Add(new LoadedFact(field, value, sourceKey, note));
    }

    private static void AddParticipation(
        SeedProject project, string value, string sourceKey, string? note, string file, int? line,
        OrganisationResolver organisations)
    {
        // "name | country | city | role", as in the facts files; country and city only where the same source gives them.
        var parts = value.Split('|').Select(p => p.Trim()).ToArray();
        if (parts.Length != 4 || parts[0].Length == 0 || parts[3].Length == 0)
        {
            throw new DefaultDataException(file, line, "a partner is written 'name | country | city | role'");
        }

        var (name, country, city, roleText) = (parts[0], parts[1], parts[2], parts[3]);
        if (country.Length > 0 && (country.Length != 2 || !country.All(char.IsAsciiLetterUpper)))
        {
            throw new DefaultDataException(file, line, $"'{country}' is not a two-letter country code");
        }

        var (role, label) = roleText.ToLowerInvariant() switch
        {
            "lead partner" or "lead" => (ParticipationRole.LeadPartner, (string?)null),
            "partner" => (ParticipationRole.Partner, null),
            "associated partner" => (ParticipationRole.AssociatedPartner, null),
            "associated actor" => (ParticipationRole.AssociatedPartner, roleText),
            "operational partner" => (ParticipationRole.Partner, roleText),
            _ => throw new DefaultDataException(file, line, $"unknown role '{roleText}'"),
        };

        var organisation = organisations.Resolve(name, sourceKey);
        if (country.Length > 0)
        {
            organisation.Facts.Add(new LoadedFact(Fields.Organisation.Country.Name, country, sourceKey, null));
        }

        if (city.Length > 0)
        {
            organisation.Facts.Add(new LoadedFact(Fields.Organisation.City.Name, city, sourceKey, null));
        }

        var slug = organisation.Entity.Slug;
        var participation = project.Participations.FirstOrDefault(p => p.OrganisationSlug == slug);
        if (participation is null)
        {
            participation = new SeedParticipation(slug, role, label, name, []);
            project.Participations.Add(participation);
        }
        else if (role == ParticipationRole.LeadPartner && participation.Role != ParticipationRole.LeadPartner)
        {
            // The lead role, where any source states it, outranks a plain partner listing of the same organisation.
            project.Participations[project.Participations.IndexOf(participation)] = participation = participation with { Role = role, RoleLabel = label };
        }

        participation.Facts.Add(new LoadedFact(Fields.Participation.Role.Name, roleText, sourceKey, note));
    }

    private static SeedProject Finish(SeedProject seed, List<SeedProgramme> programmes)
    {
        var facts = OrderFacts(seed.Facts);
        seed.Facts.Clear();
        seed.Facts.AddRange(facts);
        var p = seed.Entity;
        ApplyColumns(p, SubjectType.Project, facts);

        // The programme record is the one of the period a source gives; without a period it stays unknown.
        var period = First(facts, Fields.Project.Period.Name) is { } text && PeriodPattern().Match(text) is { Success: true } m ? m.Value : null;
        var programme = period is null ? null
            : programmes.FirstOrDefault(x => x.Entity.Code == p.ProgrammeCode && x.Entity.Period == period);
        foreach (var participation in seed.Participations)
        {
            // The lead role, where any source states it, is shown before a plain listing of the same partner.
            var ordered = OrderFacts(participation.Facts);
            if (participation.Role == ParticipationRole.LeadPartner)
            {
                ordered = [.. ordered.OrderBy(f => f.Field == Fields.Participation.Role.Name && FieldDefinition.ParseRole(f.Value)?.Role != ParticipationRole.LeadPartner ? 1 : 0)];
            }

            participation.Facts.Clear();
            participation.Facts.AddRange(ordered);
        }

        return seed with { ProgrammeSlug = programme?.Entity.Slug };
    }

    /// <summary>Values of one field in display order: the seed page's first, then the order of the files.</summary>
    internal static List<LoadedFact> OrderFacts(List<LoadedFact> facts) =>
        facts.Select((f, i) => (f, i))
            .OrderBy(x => x.f.SourceKey == SourceRegistry.SeedKey ? 0 : 1)
            .ThenBy(x => x.i)
            .Select(x => x.f)
            .ToList();

    internal static string? First(List<LoadedFact> facts, string field) =>
        OrderFacts(facts).FirstOrDefault(f => f.Field == field)?.Value;

    [GeneratedRegex(@"\d{4}-\d{4}")]
    private static partial Regex PeriodPattern();
}
