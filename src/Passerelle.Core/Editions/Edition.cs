namespace Passerelle.Core.Editions;

/// <summary>
/// One publication of a programme's list of operations (Art. 49(3) of Regulation (EU) 2021/1060): when, by whom, and
/// what it contained, kept for ever (ADR 26). Editions are numbered 1, 2, 3... per programme.
/// </summary>
public sealed class Edition
{
    public int Id { get; set; }

    public int ProgrammeId { get; set; }

    /// <summary>1 for the programme's first edition, then one more for each.</summary>
    public int Number { get; set; }

    /// <summary>UTC.</summary>
    public DateTime PublishedAt { get; set; }

    /// <summary>The publisher's name as their account gave it then (an account can be renamed or disabled later).</summary>
    public required string PublishedBy { get; set; }

    public int? PublishedByUserId { get; set; }

    public int OperationCount { get; set; }

    /// <summary>
    /// The fields the edition published, as JSON <c>[{"key": "operationAcronym", "header": "Operation acronym"}, ...]</c>:
    /// an edition is read back with its own columns even after the list's columns change.
    /// </summary>
    public required string Columns { get; set; }

    /// <summary>SHA-256 (hex) of the edition's operations and contents: two editions with the same hash published the same list.</summary>
    public required string ContentHash { get; set; }

    public List<EditionOperation> Operations { get; set; } = [];
}

/// <summary>One operation of an edition: its stable code and its published fields (shared with every edition where they were the same).</summary>
public sealed class EditionOperation
{
    public int EditionId { get; set; }

    public int OperationCodeId { get; set; }

    public OperationCode OperationCode { get; set; } = null!;

    public long ContentId { get; set; }

    public EditionContent Content { get; set; } = null!;

    /// <summary>The operation's place in the edition as it was published (by acronym).</summary>
    public int Position { get; set; }
}

/// <summary>
/// The published fields of an operation as canonical JSON, stored once however many editions published them unchanged:
/// an edition adds three numbers per operation, and text only for operations that changed.
/// </summary>
public sealed class EditionContent
{
    public long Id { get; set; }

    /// <summary>SHA-256 (hex, lower case) of <see cref="Fields"/> in UTF-8.</summary>
    public required string Hash { get; set; }

    /// <summary>A JSON object, field key to value (a string or a number); a field no source gives is absent.</summary>
    public required string Fields { get; set; }
}

/// <summary>
/// The stable code of an operation in the lists of operations: given the first time the operation is published, then
/// never changed and never given to another operation (ADR 26).
/// </summary>
public sealed class OperationCode
{
    public int Id { get; set; }

    public int ProjectId { get; set; }

    /// <summary>"{programme code}-{project id}", e.g. "FWV-42"; the project id makes it unique for ever.</summary>
    public required string Code { get; set; }

    /// <summary>UTC: when the first edition that listed the operation was published.</summary>
    public DateTime AssignedAt { get; set; }
}
