using System.Diagnostics;
using System.Globalization;

using Passerelle.Core.Common;
using Passerelle.Core.Search;

namespace Passerelle.Bench;

/// <summary>
/// `search [projects]`: indexes N SYNTHETIC projects (default 100,000) straight into the search engine, no database,
/// then times a fixed query mix, each query with every facet counted. The baseline, in the same run, is Lucene
/// counting the same text matches with no filters, facets, ranking or page (TotalHitCountCollector).
/// The generated records are made-up words and never part of the default data.
/// </summary>
public static class SearchBenchmark
{
    internal const int Seed = 20261126;

    public static int Run(string[] args)
    {
        var count = args.Length > 0 && !args[0].StartsWith('-') ? int.Parse(args[0], CultureInfo.InvariantCulture) : 100_000;
        var threadsAt = Array.IndexOf(args, "--threads");
        int? threads = threadsAt >= 0 ? int.Parse(args[threadsAt + 1], CultureInfo.InvariantCulture) : null;
        try
        {
            // The target is stated for two cores; pin to two when the machine has more.
            if (Environment.ProcessorCount > 2 && (OperatingSystem.IsLinux() || OperatingSystem.IsWindows()))
            {
                Process.GetCurrentProcess().ProcessorAffinity = 0b11;
            }
        }
        catch (PlatformNotSupportedException)
        {
        }

        Console.WriteLine($"search benchmark: {count:N0} SYNTHETIC projects (generated word lists, seed {Seed}), 100,000 synthetic organisations as partners");
        var before = GC.GetTotalMemory(forceFullCollection: true);
        // SEARCH_BENCH_INDEX=<folder> benchmarks an on-disk (MMapDirectory) index instead of RAMDirectory.
        var folder = Environment.GetEnvironmentVariable("SEARCH_BENCH_INDEX");
        if (folder is not null && Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }

        var generation = Stopwatch.StartNew();
        var generated = SyntheticProjects.Generate(count).Count();
        generation.Stop();
        Console.WriteLine($"generation alone: {generation.Elapsed.TotalSeconds:F1} s for {generated:N0} docs (not part of the build time)");
        using var engine = new SearchEngine(folder, threads);
        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        engine.Rebuild(SyntheticProjects.Generate(count));
        clock.Stop();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu0;
        var after = GC.GetTotalMemory(forceFullCollection: true);
        // Wall time includes the generator feeding the index (measured alone above); CPU time is the process's, all
        // threads, and is the steadier figure on a shared machine.
        Console.WriteLine($"index build: {clock.Elapsed.TotalSeconds:F1} s wall ({count / clock.Elapsed.TotalSeconds:N0} docs/s, generation included; "
            + $"{count / Math.Max(0.001, clock.Elapsed.TotalSeconds - generation.Elapsed.TotalSeconds):N0} docs/s without it), "
            + $"{cpu.TotalSeconds:F1} s CPU ({count / cpu.TotalSeconds:N0} docs per CPU-second), indexing threads: {threads?.ToString(CultureInfo.InvariantCulture) ?? "default"}");
        Console.WriteLine($"index: {(folder is null ? "in memory (RAMDirectory)" : "on disk, " + folder)}");
        Console.WriteLine($"memory: managed heap +{(after - before) / 1048576.0:F0} MB after build (RAMDirectory index + facet arrays); facet+sort arrays {engine.FacetMemoryBytes / 1048576.0:F0} MB; working set {Environment.WorkingSet / 1048576.0:F0} MB");

        var queries = QueryMix();
        // Warm-up: JIT, term dictionaries.
        foreach (var (_, query) in queries.Take(60))
        {
            engine.Search(query);
            engine.CountMatches(query.Text);
        }

        // Cold: every query parsed and rewritten (fuzzy/prefix expansion) as if first seen, like the baseline.
        engine.CacheQueries = false;
        Mix(engine, queries, "cold queries (no query cache): like for like with the baseline");
        // Warm: the engine's per-snapshot cache of parsed+rewritten queries, as when a visitor ticks filters or pages.
        engine.CacheQueries = true;
        Mix(engine, queries, "query cache on (each text repeated with 0-3 filters and over rounds, as a visitor refines)");

        // Browsing: no words, 0 or 1 filter (the search page as it opens, then one facet ticked).
        var browse = new List<double>();
        var browseFiltered = new List<double>();
        for (var round = 0; round < 50; round++)
        {
            var start = Stopwatch.GetTimestamp();
            engine.Search(new SearchQuery(null));
            browse.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            start = Stopwatch.GetTimestamp();
            engine.Search(new SearchQuery(null, new Dictionary<SearchFacet, IReadOnlyList<string>> { [SearchFacet.Theme] = [SyntheticProjects.Themes[round % 5]] }));
            browseFiltered.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }

        Console.WriteLine("browse (no words)");
        Print("no filters", browse);
        Print("1 filter (theme)", browseFiltered);
        return 0;
    }

    private static void Mix(SearchEngine engine, List<(string Kind, SearchQuery Query)> queries, string title)
    {

        const int rounds = 5;
        var byKind = new Dictionary<string, List<double>>();
        var baseline = new List<double>();
        var all = new List<double>();
        var hits = 0L;
        for (var round = 0; round < rounds; round++)
        {
            foreach (var (kind, query) in queries)
            {
                var start = Stopwatch.GetTimestamp();
                var result = engine.Search(query);
                var ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                hits += result.Total;
                (byKind.TryGetValue(kind, out var list) ? list : byKind[kind] = []).Add(ms);
                all.Add(ms);

                start = Stopwatch.GetTimestamp();
                hits += engine.CountMatches(query.Text);
                baseline.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }
        }

        Console.WriteLine($"{title}: {queries.Count} queries × {rounds} rounds, page 1 of 20 with snippets and all 9 facets counted; cores used: {Math.Min(Environment.ProcessorCount, 2)} (searches run one at a time)");
        Console.WriteLine($"{"kind",-22} {"n",5} {"median ms",10} {"p95 ms",8} {"p99 ms",8}");
        foreach (var (kind, times) in byKind.OrderBy(k => k.Key, StringComparer.Ordinal))
        {
            Print(kind, times);
        }

        Print("overall", all);
        Print("baseline (count only)", baseline);
        Console.WriteLine($"ratio overall/baseline (median): {Percentile(all, 50) / Percentile(baseline, 50):F2}");
        Console.WriteLine($"(checksum {hits})");
    }

    private static void Print(string kind, List<double> times) =>
        Console.WriteLine($"{kind,-22} {times.Count,5} {Percentile(times, 50),10:F2} {Percentile(times, 95),8:F2} {Percentile(times, 99),8:F2}");

    private static double Percentile(List<double> values, double p)
    {
        var sorted = values.Order().ToList();
        return sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p / 100 * sorted.Count) - 1)];
    }

    /// <summary>Single words, pairs, misspellings and prefixes, each with 0 to 3 filters, always the same list.</summary>
    private static List<(string Kind, SearchQuery Query)> QueryMix()
    {
        var random = new Random(Seed + 1);
        var texts = new List<(string Kind, string Text)>();
        for (var i = 0; i < 10; i++)
        {
            var a = SyntheticProjects.PickWord(random);
            var b = SyntheticProjects.PickWord(random);
            texts.Add(("single term", a));
            texts.Add(("two terms", a + " " + b));
            var typo = SyntheticProjects.PickWord(random, minLength: 6);
            texts.Add(("fuzzy", typo.Remove(typo.Length / 2, 1)));
            texts.Add(("prefix", SyntheticProjects.PickWord(random, minLength: 6)[..4]));
        }

        var result = new List<(string, SearchQuery)>();
        foreach (var (kind, text) in texts)
        {
            for (var filters = 0; filters <= 3; filters++)
            {
                var selected = new Dictionary<SearchFacet, IReadOnlyList<string>>();
                if (filters >= 1)
                {
                    selected[SearchFacet.Theme] = [SyntheticProjects.Themes[random.Next(5)]];
                }

                if (filters >= 2)
                {
                    selected[SearchFacet.Country] = [SyntheticProjects.Countries[random.Next(6)], SyntheticProjects.Countries[random.Next(6, 12)]];
                }

                if (filters >= 3)
                {
                    selected[SearchFacet.Budget] = ["1m-5m"];
                }

                result.Add(($"{kind}, {filters} filters", new SearchQuery(text, selected)));
            }
        }

        return result;
    }
}

/// <summary>
/// A deterministic generator of SYNTHETIC projects: titles and summaries drawn from word lists in English, French,
/// Dutch and German plus made-up words, skewed (Zipf-like) themes and programmes, three partners each from
/// 100,000 made-up organisations spread over 30 countries. For benchmarks only.
/// </summary>
public static class SyntheticProjects
{
    private static readonly string[][] Words =
    [
        ["cooperation", "water", "energy", "health", "innovation", "heritage", "climate", "transport", "tourism", "biodiversity", "education", "employment", "river", "border", "mobility", "network", "research", "culture", "youth", "digital"],
        ["coopération", "eau", "énergie", "santé", "innovation", "patrimoine", "climat", "transport", "tourisme", "biodiversité", "éducation", "emploi", "rivière", "frontière", "mobilité", "réseau", "recherche", "culture", "jeunesse", "numérique"],
        ["samenwerking", "water", "energie", "gezondheid", "innovatie", "erfgoed", "klimaat", "vervoer", "toerisme", "biodiversiteit", "onderwijs", "werkgelegenheid", "rivier", "grens", "mobiliteit", "netwerk", "onderzoek", "cultuur", "jongeren", "digitaal"],
        ["Zusammenarbeit", "Wasser", "Energie", "Gesundheit", "Innovation", "Kulturerbe", "Klima", "Verkehr", "Tourismus", "Biodiversität", "Bildung", "Beschäftigung", "Fluss", "Grenze", "Mobilität", "Netzwerk", "Forschung", "Kultur", "Jugend", "digital"],
    ];

    private static readonly string[] Languages = ["en", "fr", "nl", "de"];
    private static readonly string[] Syllables = ["ka", "lo", "mer", "vin", "tra", "sel", "dor", "pan", "qui", "bre", "nos", "ul", "gra", "fen", "mi", "zor", "tep", "ha", "lun", "ves"];
    private static readonly string[] Invented = MakeInvented(3000);

    public static readonly string[] Themes = Enumerable.Range(0, 30).Select(i => $"theme-{i:D2}").ToArray();
    public static readonly string[] Countries = ["FR", "BE", "NL", "DE", "LU", "UK", "IE", "ES", "PT", "IT", "AT", "CH", "PL", "CZ", "SK", "HU", "SI", "HR", "RO", "BG", "EL", "CY", "MT", "DK", "SE", "FI", "EE", "LV", "LT", "NO"];
    private static readonly string[] Periods = ["2000-2006", "2007-2013", "2014-2020", "2021-2027"];
    private static readonly string[] Kinds = ["cross-border", "transnational", "interregional", "network"];

    private static string[] MakeInvented(int count)
    {
        var random = new Random(7);
        return Enumerable.Range(0, count)
            .Select(_ => string.Concat(Enumerable.Range(0, random.Next(2, 5)).Select(_ => Syllables[random.Next(Syllables.Length)])))
            .ToArray();
    }

    /// <summary>A Zipf-like pick: low indexes far more often, as real themes and programmes are.</summary>
    private static int Skewed(Random random, int count) => Math.Min(count - 1, (int)(count * Math.Pow(random.NextDouble(), 3)));

    public static string PickWord(Random random, int minLength = 0)
    {
        while (true)
        {
            var word = random.Next(2) == 0 ? Words[random.Next(4)][random.Next(20)] : Invented[Skewed(random, Invented.Length)];
            if (word.Length >= minLength)
            {
                return word.ToLowerInvariant();
            }
        }
    }

    public static IEnumerable<SearchDocument> Generate(int count)
    {
        var random = new Random(SearchBenchmark.Seed);
        var organisations = Enumerable.Range(0, 100_000)
            .Select(i => (Name: $"{Invented[i % Invented.Length]} {Invented[(i * 7 + 3) % Invented.Length]} {i}", Country: Countries[Skewed(random, Countries.Length)]))
            .ToArray();
        for (var id = 1; id <= count; id++)
        {
            var language = random.Next(4);
            var programme = Skewed(random, 80);
            var period = programme % Periods.Length;
            var startYear = 2000 + period * 7 + random.Next(7);
            var partners = Enumerable.Range(0, 3).Select(_ => organisations[random.Next(organisations.Length)]).ToArray();
            var themes = Enumerable.Range(0, 1 + random.Next(3)).Select(_ => Themes[Skewed(random, Themes.Length)]).Distinct().ToList();
            decimal? budget = random.Next(10) == 0 ? null : Math.Round((decimal)Math.Exp(random.NextDouble() * Math.Log(400) + Math.Log(50_000)));
            yield return new SearchDocument
            {
                Type = SearchDocType.Project,
                Id = id,
                Slug = $"synthetic-{id}",
                Name = $"SYN{id}",
                Title = Text(Languages[language], Sentence(random, language, 4 + random.Next(4))),
                Summary = Text(Languages[language], Sentence(random, language, 15 + random.Next(11))),
                Names = partners.Select(p => p.Name).ToList(),
                Subtitle = $"P{programme:D2} · {Periods[period]}",
                Programme = $"P{programme:D2}",
                Period = Periods[period],
                Kind = Kinds[programme % Kinds.Length],
                Status = startYear + 4 < 2026 ? "closed" : "ongoing",
                Themes = themes,
                Countries = partners.Select(p => p.Country).Distinct().ToList(),
                Roles = random.Next(3) == 0 ? ["lead-partner", "partner", "associated-partner"] : ["lead-partner", "partner"],
                StartDate = $"{startYear}-{1 + random.Next(12):D2}",
                Budget = budget,
            };
        }
    }

    private static LocalizedText Text(string language, string text) => language switch
    {
        "fr" => new LocalizedText { Fr = text },
        "nl" => new LocalizedText { Nl = text },
        "de" => new LocalizedText { De = text },
        _ => new LocalizedText { En = text },
    };

    private static string Sentence(Random random, int language, int words) =>
        string.Join(' ', Enumerable.Range(0, words).Select(_ =>
            random.Next(3) == 0 ? Words[language][Skewed(random, 20)] : Invented[Skewed(random, Invented.Length)]));
}
