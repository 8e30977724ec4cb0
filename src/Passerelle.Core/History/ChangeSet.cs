namespace Passerelle.Core.History;

/// <summary>Who makes a change: a person signed in to the back office, a command (and its file), or the system itself.</summary>
public enum ActorKind
{
    /// <summary>The platform on its own, e.g. the default data loaded at the first start.</summary>
    System = 0,

    /// <summary>A maintenance command (seed, import, import-territories, restore), with the file it read.</summary>
    Command = 1,

    /// <summary>A person (the back office; the API with a personal token).</summary>
    User = 2,
}

/// <summary>Who is writing, and from what: stored on the <see cref="ChangeSet"/> of every change made on their behalf.</summary>
/// <param name="Name">A user's name, or the command ("seed", "import projects").</param>
/// <param name="Detail">The file or folder a command read, a user's reason; null when there is none.</param>
public sealed record Actor(ActorKind Kind, string Name, string? Detail = null)
{
    public static Actor System(string what, string? detail = null) => new(ActorKind.System, what, detail);

    public static Actor Command(string command, string? file = null) => new(ActorKind.Command, command, file);

    public static Actor User(string name, string? detail = null) => new(ActorKind.User, name, detail);
}

/// <summary>
/// One committed write: the changes a seed, an import, a territory import or one save in the back office made
/// together, in one transaction. Append-only, like its <see cref="Revision"/>s: nothing updates or deletes either.
/// </summary>
public sealed class ChangeSet
{
    public long Id { get; set; }

    /// <summary>UTC.</summary>
    public DateTime At { get; set; }

    public ActorKind ActorKind { get; set; }

    /// <summary>A user's name, or the command ("seed", "import projects", "import-territories").</summary>
    public required string Actor { get; set; }

    /// <summary>The file or folder a command read, with its hash where useful; a user's note.</summary>
    public string? Detail { get; set; }
}
