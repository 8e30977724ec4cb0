namespace Passerelle.Core.Territories;

/// <summary>
/// A territory source file could not be read. Carries where the problem is (file, feature index or line, property or
/// column) so that an import log points at the faulty record instead of a parser's internal position.
/// </summary>
public sealed class TerritoryImportException : Exception
{
    public TerritoryImportException(string fileName, string detail, int? featureIndex = null, int? lineNumber = null,
        string? propertyName = null, Exception? innerException = null)
        : base(Describe(fileName, detail, featureIndex, lineNumber, propertyName), innerException)
    {
        FileName = fileName;
        Detail = detail;
        FeatureIndex = featureIndex;
        LineNumber = lineNumber;
        PropertyName = propertyName;
    }

    public TerritoryImportException()
        : this("(unknown)", "import failed")
    {
    }

    public TerritoryImportException(string message)
        : this("(unknown)", message)
    {
    }

    public TerritoryImportException(string message, Exception innerException)
        : this("(unknown)", message, innerException: innerException)
    {
    }

    /// <summary>File name (without directory) of the source being read.</summary>
    public string FileName { get; }

    /// <summary>What is wrong, without the location.</summary>
    public string Detail { get; }

    /// <summary>Zero-based index of the feature (GeoJSON) or geometry (TopoJSON) concerned, when known.</summary>
    public int? FeatureIndex { get; }

    /// <summary>One-based line number in the file (CSV: the physical line where the record starts), when known.</summary>
    public int? LineNumber { get; }

    /// <summary>The JSON property or CSV column concerned, when known.</summary>
    public string? PropertyName { get; }

    private static string Describe(string fileName, string detail, int? featureIndex, int? lineNumber, string? propertyName)
    {
        var where = new List<string> { fileName };
        if (featureIndex is { } f)
        {
            where.Add($"feature {f}");
        }

        if (lineNumber is { } l)
        {
            where.Add($"line {l}");
        }

        if (propertyName is not null)
        {
            where.Add($"property '{propertyName}'");
        }

        return $"{string.Join(", ", where)}: {detail}";
    }
}
