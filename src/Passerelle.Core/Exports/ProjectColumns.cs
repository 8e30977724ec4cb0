using System.Data.Common;

using Passerelle.Core.Common;

namespace Passerelle.Core.Exports;

/// <summary>
/// The project columns every flat export query reads in the same order (the operations list and the Kohesio CSV, ADR
/// 32): titles, summaries, dates and amounts, from column <see cref="First"/> of the row.
/// </summary>
internal static class ProjectColumns
{
    /// <summary>The position of the first of these columns in each query: after the id, a programme key and the acronym.</summary>
    public const int First = 3;

    /// <summary>The columns after the query's first three, as SQL (quoted names of the table aliased <c>p</c>).</summary>
    public const string Sql =
        "p.\"Title_En\", p.\"Title_Fr\", p.\"Title_Nl\", p.\"Title_De\", p.\"Summary_En\", p.\"Summary_Fr\", p.\"Summary_Nl\", p.\"Summary_De\", " +
        "p.\"StartDate\", p.\"EndDate\", p.\"TotalBudget\", p.\"EuContribution\", p.\"StatedEuRate\"";

    /// <summary>The number of columns <see cref="Sql"/> names: the next column of the query is at <see cref="First"/> + Count.</summary>
    public const int Count = 13;

    public static ProjectValues Read(DbDataReader r)
    {
        string? Text(int i) => r.IsDBNull(First + i) ? null : r.GetString(First + i);
        decimal? Amount(int i) => r.IsDBNull(First + i) ? null : r.GetDecimal(First + i);
        return new ProjectValues(
            new LocalizedText { En = Text(0), Fr = Text(1), Nl = Text(2), De = Text(3) },
            new LocalizedText { En = Text(4), Fr = Text(5), Nl = Text(6), De = Text(7) },
            Text(8), Text(9), Amount(10), Amount(11), Amount(12));
    }
}

internal readonly record struct ProjectValues(
    LocalizedText Title, LocalizedText Summary, string? StartDate, string? EndDate, decimal? TotalBudget, decimal? EuContribution, decimal? StatedEuRate);
