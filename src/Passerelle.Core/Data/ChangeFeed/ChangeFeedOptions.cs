namespace Passerelle.Core.Data.ChangeFeed;

public sealed class ChangeFeedOptions
{
    public const string Section = "ChangeFeed";

    /// <summary>How often each instance reads the feed for entries it has not seen.</summary>
    public double PollIntervalSeconds { get; set; } = 2;

    /// <summary>Entries read per query; a longer backlog is read in several batches within one poll.</summary>
    public int BatchSize { get; set; } = 500;
}
