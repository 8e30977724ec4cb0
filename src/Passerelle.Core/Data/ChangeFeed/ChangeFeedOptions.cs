namespace Passerelle.Core.Data.ChangeFeed;

public sealed class ChangeFeedOptions
{
    public const string Section = "ChangeFeed";

    /// <summary>
    /// How often each instance reads the feed for entries it has not seen. Half a second: a change must be visible in
    /// search within 2 s of its commit (issue 17), and that is this wait (up to one interval) plus re-reading and
    /// re-indexing the records (0.3-0.8 s at 2 M projects, ADR 7). A poll is one query on the feed's primary key.
    /// </summary>
    public double PollIntervalSeconds { get; set; } = 0.5;

    /// <summary>Entries read per query; a longer backlog is read in several batches within one poll.</summary>
    public int BatchSize { get; set; } = 500;
}
