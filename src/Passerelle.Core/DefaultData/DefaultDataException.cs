namespace Passerelle.Core.DefaultData;

/// <summary>A default-data file that cannot be loaded: names the file, the line (or record) and the reason.</summary>
public sealed class DefaultDataException(string file, int? line, string reason)
    : Exception(line is null ? $"{file}: {reason}" : $"{file}, line {line}: {reason}")
{
    public string File { get; } = file;
    public int? Line { get; } = line;
    public string Reason { get; } = reason;
}
