using Passerelle.Core.Projects;

namespace Passerelle.Core.Exports;

/// <summary>Rates and amounts as the exports write them.</summary>
public static class ExportRates
{
    /// <summary>
    /// The Union co-financing rate in percent (60 for 60 %): the stated rate, else EU contribution over total budget
    /// when a source gives both (<see cref="Project.EuRate"/>); null otherwise, never guessed from a programme's cap.
    /// </summary>
    public static decimal? Percent(decimal? stated, decimal? total, decimal? eu)
    {
        var rate = new Project { Slug = "", Acronym = "", ProgrammeCode = "", StatedEuRate = stated, TotalBudget = total, EuContribution = eu }.EuRate();
        return rate is { } r ? Normalise(Math.Round(r.Rate * 100m, 2)) : null;
    }

    /// <summary>Drops trailing zeros of a decimal (60.0000 → 60) so that files show the value, not its storage scale.</summary>
    public static decimal Normalise(decimal value) => value / 1.000000000000000000000000000000000m;

    public static decimal? Normalise(decimal? value) => value is { } v ? Normalise(v) : null;
}
