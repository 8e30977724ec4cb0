using System.Linq.Expressions;

using Passerelle.Core.Projects;

namespace Passerelle.Core.Exports;

/// <summary>
/// The programme column of the full exports (the list of operations, the keep.eu tables, the Kohesio CSV) and their
/// first sort: a published programme's slug, else the project's own programme code. The rows of one key are one run
/// of each file, which is what lets a file be kept in parts (ADR 39). The merged readers' SQL says the same in
/// <see cref="Sql"/>; the projections that select the column beside others repeat it inline, since an expression
/// cannot be spliced into an object initialiser, and the byte-for-byte tests of each path hold them together.
/// </summary>
internal static class ListKey
{
    public static readonly Expression<Func<Project, string>> Of =
        p => p.Programme != null && p.Programme.IsPublished ? p.Programme.Slug : p.ProgrammeCode;

    /// <summary><see cref="Of"/> over the projects aliased <c>p</c> joined (left) to their programmes aliased <c>g</c>.</summary>
    public const string Sql = "CASE WHEN " + PublishedProgramme + " THEN g.\"Slug\" ELSE p.\"ProgrammeCode\" END";

    /// <summary>The programme <c>g</c> joined to a project is published (its slug is the key, its values are shown).</summary>
    public const string PublishedProgramme = "g.\"Id\" IS NOT NULL AND g.\"IsPublished\"";

    /// <summary>
    /// SQL conditions on the projects <c>p</c> of a programme's code or a published period's slug, the parameter
    /// <c>@programme</c>: each branch an index search (ADR 31), where a condition on the joined programme read every project.
    /// </summary>
    public const string ProgrammeSql = " AND " + OfProgramme;

    /// <summary>
    /// The ids of the projects of <see cref="ProgrammeSql"/>, for a query that reaches the projects through another table
    /// (the facts by their subject's index).
    /// </summary>
    public const string ProjectIdsOfProgrammeSql = "SELECT p.\"Id\" FROM \"Projects\" p WHERE " + OfProgramme;

    private const string OfProgramme =
        "(p.\"ProgrammeCode\" = @programme OR p.\"ProgrammeId\" IN (SELECT \"Id\" FROM \"Programmes\" WHERE \"IsPublished\" AND \"Slug\" = @programme))";

    /// <summary>
    /// SQL conditions on the projects <c>p</c> listed under the key <c>@programme</c> exactly: <see cref="ProgrammeSql"/>'s
    /// index searches, then the key itself, since a project whose code is the key but whose published programme has
    /// another slug is listed under that slug.
    /// </summary>
    public const string KeySql = ProgrammeSql + " AND " + Sql + " = @programme";

    /// <summary>The projects listed under <paramref name="key"/> exactly (as a query parameter, not a constant).</summary>
    public static Expression<Func<Project, bool>> Is(string key)
    {
        Expression<Func<string>> parameter = () => key;
        return Expression.Lambda<Func<Project, bool>>(Expression.Equal(Of.Body, parameter.Body), Of.Parameters);
    }
}
