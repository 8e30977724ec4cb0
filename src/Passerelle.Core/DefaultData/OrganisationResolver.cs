using Passerelle.Core.Common;
using Passerelle.Core.Organisations;

namespace Passerelle.Core.DefaultData;

/// <summary>
/// Turns the names under which sources list partners into organisations: one record per organisation whatever its
/// name in a source, matched on known aliases and on names compared without case, accents or punctuation.
/// </summary>
internal sealed class OrganisationResolver
{
    public const string LilleMetropole = "lille-metropole";

    private readonly Dictionary<string, SeedOrganisation> _bySlug = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SeedOrganisation> _byName = new(StringComparer.Ordinal);

    public OrganisationResolver(IEnumerable<OrganisationDto> listed, SourceRegistry sources)
    {
        foreach (var dto in listed)
        {
            var status = dto.LegalStatus is null ? LegalStatus.Unknown
                : Enum.TryParse<LegalStatus>(dto.LegalStatus, out var parsed) ? parsed
                : throw new DefaultDataException("organisations.json", null, $"'{dto.Slug}': unknown legal status '{dto.LegalStatus}'");
            var seed = new SeedOrganisation(
                new Organisation { Slug = dto.Slug, Name = dto.Name, LegalStatus = status },
                [.. (dto.Aliases ?? []).Select(a => new SeedAlias(a.Name, a.Source is null ? null : sources.Require(a.Source, "organisations.json")))],
                [.. (dto.Facts ?? []).Select(f =>
                {
                    DefaultDataLoader.Check(Sources.SubjectType.Organisation, f.Field, f.Value, "organisations.json", null);
                    return new LoadedFact(f.Field, f.Value, sources.Require(f.Source, "organisations.json"), f.Note);
                })]);
            if (!_bySlug.TryAdd(dto.Slug, seed))
            {
                throw new DefaultDataException("organisations.json", null, $"organisation '{dto.Slug}' is listed twice");
            }

            _byName[Slug.MatchKey(dto.Name)] = seed;
            foreach (var alias in seed.Aliases)
            {
                _byName[Slug.MatchKey(alias.Name)] = seed;
            }
        }
    }

    public List<SeedOrganisation> All => [.. _bySlug.Values.Select(Finish)];

    public void RequireKnown(string slug, string file)
    {
        if (!_bySlug.ContainsKey(slug))
        {
            throw new DefaultDataException(file, null, $"unknown organisation '{slug}' (not in organisations.json)");
        }
    }

    /// <summary>Records that a source names a known organisation so (e.g. a grouping's member list).</summary>
    public void AddAlias(string slug, string name, string sourceKey)
    {
        var seed = _bySlug[slug];
        if (name == seed.Entity.Name)
        {
            seed.Facts.Add(new LoadedFact(Registry.Fields.Organisation.Name.Name, name, sourceKey, null));
        }
        else if (!seed.Aliases.Any(a => a.Name == name && a.SourceKey == sourceKey))
        {
            seed.Aliases.Add(new SeedAlias(name, sourceKey));
        }
    }

    /// <summary>The organisation a source names, created on first sight; the name is kept as an alias with its source.</summary>
    public SeedOrganisation Resolve(string name, string sourceKey)
    {
        var key = Slug.MatchKey(name);
        if (!_byName.TryGetValue(key, out var seed))
        {
            var slug = key;
            seed = new SeedOrganisation(new Organisation { Slug = slug, Name = name }, [], []);
            _bySlug.Add(slug, seed);
            _byName[key] = seed;
        }

        if (name != seed.Entity.Name && !seed.Aliases.Any(a => a.Name == name && a.SourceKey == sourceKey))
        {
            // The same name from another source is another alias row, so every naming keeps its source.
            if (seed.Aliases.FindIndex(a => a.Name == name && a.SourceKey is null) is var i and >= 0)
            {
                seed.Aliases[i] = new SeedAlias(name, sourceKey);
            }
            else if (!seed.Aliases.Any(a => a.Name == name))
            {
                seed.Aliases.Add(new SeedAlias(name, sourceKey));
            }
        }
        else if (name == seed.Entity.Name && !seed.Facts.Any(f => f.Field == Registry.Fields.Organisation.Name.Name && f.SourceKey == sourceKey))
        {
            seed.Facts.Add(new LoadedFact(Registry.Fields.Organisation.Name.Name, name, sourceKey, null));
        }

        return seed;
    }

    private static SeedOrganisation Finish(SeedOrganisation seed)
    {
        var facts = DefaultDataLoader.OrderFacts(seed.Facts);
        seed.Facts.Clear();
        seed.Facts.AddRange(facts.DistinctBy(f => (f.Field, f.Value, f.SourceKey)));
        DefaultDataLoader.ApplyColumns(seed.Entity, Sources.SubjectType.Organisation, seed.Facts);
        return seed;
    }
}
