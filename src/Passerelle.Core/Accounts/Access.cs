namespace Passerelle.Core.Accounts;

/// <summary>What a person may do in the back office and through the API's write routes.</summary>
public enum AccessRole
{
    /// <summary>Sees drafts, deleted records and history; changes nothing.</summary>
    Viewer = 1,

    /// <summary>Edits the programmes and groupings of their scope and the projects and partners under them, nothing else.</summary>
    Editor = 2,

    /// <summary>Users, settings and every record.</summary>
    Administrator = 3,
}

/// <summary>
/// The access of the person behind one request, as Core checks it: the back office and the API build it from the
/// signed-in user (cookie, personal access token or OpenID Connect), and every write service refuses what it does not
/// allow. One instance serves several programmes and groupings; a secretariat's editors see and change only their own.
/// </summary>
/// <param name="UserId">The user's id; null for the system itself.</param>
/// <param name="Name">The user's name, recorded on each change set.</param>
/// <param name="Role">The user's role.</param>
/// <param name="ProgrammeIds">The programmes an <see cref="AccessRole.Editor"/> edits (ignored for other roles).</param>
/// <param name="GroupingIds">The groupings an <see cref="AccessRole.Editor"/> edits (ignored for other roles).</param>
public sealed record Access(int? UserId, string Name, AccessRole Role, IReadOnlySet<int> ProgrammeIds, IReadOnlySet<int> GroupingIds)
{
    public bool IsAdministrator => Role == AccessRole.Administrator;

    public bool CanEditAnything => Role >= AccessRole.Editor;

    public static Access Administrator(string name, int? userId = null) => new(userId, name, AccessRole.Administrator, new HashSet<int>(), new HashSet<int>());

    public static Access Editor(string name, IEnumerable<int> programmeIds, IEnumerable<int> groupingIds, int? userId = null) =>
        new(userId, name, AccessRole.Editor, programmeIds.ToHashSet(), groupingIds.ToHashSet());

    public static Access Viewer(string name, int? userId = null) => new(userId, name, AccessRole.Viewer, new HashSet<int>(), new HashSet<int>());
}

/// <summary>Thrown by a write service when the access does not allow the write; the hosts answer 403.</summary>
public sealed class AccessDeniedException(string message) : Exception(message);
