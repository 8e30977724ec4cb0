using System.Globalization;
using System.IO.Compression;
using System.Runtime.CompilerServices;
using System.Text;
using System.Xml;

namespace Passerelle.Core.OpenData;

/// <summary>Limits of <see cref="XlsxTableReader"/>.</summary>
public sealed record XlsxReadOptions
{
    /// <summary>Largest uncompressed size of one zip entry (default 200 MiB), declared or actually read.</summary>
    public long MaxEntryUncompressedBytes { get; init; } = 200L * 1024 * 1024;

    /// <summary>Largest uncompressed/compressed ratio of an entry (default 100; real sheets stay well under 30).</summary>
    public double MaxCompressionRatio { get; init; } = 100;

    /// <summary>
    /// Entries smaller than this (default 1 MiB) are not ratio-checked: a tiny part full of repeated markup can compress
    /// very well and is harmless.
    /// </summary>
    public long CompressionRatioThresholdBytes { get; init; } = 1024 * 1024;

    /// <summary>Most entries in the zip (default 1,000).</summary>
    public int MaxEntries { get; init; } = 1_000;

    /// <summary>Largest file accepted from a non-seekable stream, which is spooled to a temporary file (default 100 MiB).</summary>
    public long MaxFileBytes { get; init; } = 100L * 1024 * 1024;

    /// <summary>Longest cell text, in chars (default 100,000).</summary>
    public int MaxFieldLength { get; init; } = 100_000;

    /// <summary>Most columns (default 1,000).</summary>
    public int MaxColumns { get; init; } = 1_000;
}

/// <summary>
/// Reads the first worksheet of an .xlsx workbook as a stream of rows: the first non-empty row is the header, the
/// next non-empty rows are data, keyed by header.
/// </summary>
/// <remarks>
/// <para>
/// Parts are found as ECMA-376 says: <c>_rels/.rels</c> points at the workbook, the workbook's first &lt;sheet&gt;
/// and <c>xl/_rels/workbook.xml.rels</c> at the worksheet, shared strings and styles. Cells: shared strings
/// (<c>t="s"</c>), inline strings, formula string results, booleans ("true"/"false"), error values as their text
/// ("#N/A"), numbers as written in the file (invariant culture); numbers with a date format become ISO 8601 text
/// ("2024-03-01" or "2024-03-01T14:30:00"). Cell references ("C12") place cells; rows keep their sheet number.
/// </para>
/// <para>
/// Hostile files: a zip bomb is refused before inflating (more than <see cref="XlsxReadOptions.MaxEntries"/> entries,
/// a declared size over the limit, or a declared ratio over <see cref="XlsxReadOptions.MaxCompressionRatio"/>), and
/// again while inflating, counting bytes actually produced, because the sizes in zip headers are written by the
/// sender and can lie. XML is read with DTDs prohibited and no resolver (no entity expansion, no XXE).
/// </para>
/// </remarks>
public sealed class XlsxTableReader(XlsxReadOptions? options = null)
{
    private const string MainNs = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
    private const string RelNs = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

    private static readonly XmlReaderSettings XmlSettings = new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        IgnoreComments = true,
        IgnoreProcessingInstructions = true,
        CloseInput = true,
        MaxCharactersFromEntities = 0,
    };

    private readonly XlsxReadOptions _options = options ?? new XlsxReadOptions();

    /// <summary>Reads the rows after the header. <paramref name="fileName"/> only labels errors. The stream is left open.</summary>
    public async IAsyncEnumerable<TableRow> ReadAsync(
        Stream input,
        string fileName,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(fileName);
        Stream? spool = null;
        try
        {
            var source = input;
            if (!input.CanSeek)
            {
                // ZipArchive needs to seek to the central directory; it would otherwise copy the whole upload to memory.
                spool = await SpoolAsync(input, fileName, cancellationToken);
                source = spool;
            }

            using var archive = Open(source, fileName);
            using var sheet = new SheetReader(archive, fileName, _options);
            while (sheet.MoveNext())
            {
                cancellationToken.ThrowIfCancellationRequested();
                yield return sheet.Current;
            }
        }
        finally
        {
            if (spool is not null)
            {
                await spool.DisposeAsync();
            }
        }
    }

    private async Task<Stream> SpoolAsync(Stream input, string fileName, CancellationToken cancellationToken)
    {
        var spool = new FileStream(
            Path.GetTempFileName(), FileMode.Create, FileAccess.ReadWrite, FileShare.None, 81920,
            FileOptions.DeleteOnClose | FileOptions.Asynchronous);
        try
        {
            var buffer = new byte[81920];
            int read;
            while ((read = await input.ReadAsync(buffer, cancellationToken)) > 0)
            {
                if (spool.Length + read > _options.MaxFileBytes)
                {
                    throw new TableReadException(fileName, null, null, $"the file is larger than {_options.MaxFileBytes:N0} bytes");
                }

                await spool.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            }

            spool.Position = 0;
            return spool;
        }
        catch
        {
            await spool.DisposeAsync();
            throw;
        }
    }

    private ZipArchive Open(Stream source, string fileName)
    {
        ZipArchive archive;
        try
        {
            archive = new ZipArchive(source, ZipArchiveMode.Read, leaveOpen: true);
        }
        catch (InvalidDataException ex)
        {
            throw new TableReadException(fileName, null, null, "not an .xlsx file (it is not a zip archive)", ex);
        }

        try
        {
            if (archive.Entries.Count > _options.MaxEntries)
            {
                throw new TableReadException(fileName, null, null, $"the zip has {archive.Entries.Count:N0} entries, more than the {_options.MaxEntries:N0} allowed");
            }

            foreach (var entry in archive.Entries)
            {
                CheckDeclaredSize(entry, fileName, _options);
            }

            return archive;
        }
        catch
        {
            archive.Dispose();
            throw;
        }
    }

    private static void CheckDeclaredSize(ZipArchiveEntry entry, string fileName, XlsxReadOptions options)
    {
        if (entry.Length > options.MaxEntryUncompressedBytes)
        {
            throw new TableReadException(
                fileName, null, null,
                $"zip entry '{entry.FullName}' would inflate to {entry.Length:N0} bytes, more than the {options.MaxEntryUncompressedBytes:N0} allowed (zip bomb?)");
        }

        if (entry.Length >= options.CompressionRatioThresholdBytes
            && entry.Length > entry.CompressedLength * options.MaxCompressionRatio)
        {
            throw new TableReadException(
                fileName, null, null,
                $"zip entry '{entry.FullName}' has a compression ratio of {(double)entry.Length / Math.Max(1, entry.CompressedLength):N0}, more than {options.MaxCompressionRatio:N0} (zip bomb?)");
        }
    }

    /// <summary>Pulls rows out of the worksheet XML one at a time; every failure becomes a located TableReadException.</summary>
    private sealed class SheetReader : IDisposable
    {
        private readonly ZipArchive _archive;
        private readonly string _file;
        private readonly XlsxReadOptions _options;
        private readonly List<(int Column, string Value)> _cells = [];
        private string? _sheetName;
        private string _sheetPath = "xl/worksheets/sheet1.xml";
        private List<string> _sharedStrings = [];
        private HashSet<int> _dateStyles = [];
        private XmlReader? _reader;
        private TableHeader? _header;
        private int[] _positionOfColumn = [];
        private int _rowNumber;
        private bool _started;

        public SheetReader(ZipArchive archive, string file, XlsxReadOptions options)
        {
            _archive = archive;
            _file = file;
            _options = options;
        }

        public TableRow Current { get; private set; } = null!;

        public bool MoveNext()
        {
            try
            {
                if (!_started)
                {
                    _started = true;
                    Start();
                }

                while (ReadRow())
                {
                    if (_cells.Count == 0)
                    {
                        continue;
                    }

                    if (_header is null)
                    {
                        TakeHeader();
                        continue;
                    }

                    Current = TakeRow();
                    return true;
                }

                if (_header is null)
                {
                    throw Error(null, null, "the first worksheet is empty (a header row is expected)");
                }

                return false;
            }
            catch (XmlException ex)
            {
                var reason = ex.Message.Contains("DTD", StringComparison.OrdinalIgnoreCase)
                    ? "the workbook XML declares a DTD, which is refused (entity expansion / XXE protection)"
                    : $"malformed XML: {ex.Message}";
                throw Error(_rowNumber > 0 ? _rowNumber : null, null, reason, ex);
            }
            catch (InvalidDataException ex)
            {
                throw Error(_rowNumber > 0 ? _rowNumber : null, null, $"corrupt zip data: {ex.Message}", ex);
            }
        }

        public void Dispose() => _reader?.Dispose();

        private void Start()
        {
            var workbookPath = FindRelationshipTarget("_rels/.rels", "", "/officeDocument") ?? "xl/workbook.xml";
            if (GetEntry(workbookPath) is null)
            {
                throw Error(null, null, $"not an .xlsx workbook (no {workbookPath} in the zip)");
            }

            string? sheetRelationshipId = null;
            using (var workbook = OpenXml(workbookPath))
            {
                while (workbook.Read())
                {
                    if (workbook.NodeType == XmlNodeType.Element && workbook.LocalName == "sheet" && workbook.NamespaceURI == MainNs)
                    {
                        _sheetName = workbook.GetAttribute("name");
                        sheetRelationshipId = workbook.GetAttribute("id", RelNs);
                        break;
                    }
                }
            }

            if (_sheetName is null)
            {
                throw Error(null, null, "the workbook has no worksheet");
            }

            var folder = workbookPath.Contains('/', StringComparison.Ordinal) ? workbookPath[..(workbookPath.LastIndexOf('/') + 1)] : "";
            var relsPath = folder + "_rels/" + workbookPath[folder.Length..] + ".rels";
            var relationships = ReadRelationships(relsPath, folder);
            if (sheetRelationshipId is not null && relationships.TryGetValue(sheetRelationshipId, out var sheet))
            {
                _sheetPath = sheet.Target;
            }

            foreach (var (_, relationship) in relationships)
            {
                if (relationship.Type.EndsWith("/sharedStrings", StringComparison.Ordinal))
                {
                    _sharedStrings = ReadSharedStrings(relationship.Target);
                }
                else if (relationship.Type.EndsWith("/styles", StringComparison.Ordinal))
                {
                    _dateStyles = ReadDateStyles(relationship.Target);
                }
            }

            if (GetEntry(_sheetPath) is null)
            {
                throw Error(null, null, $"the worksheet part {_sheetPath} is missing");
            }

            _reader = OpenXml(_sheetPath);
        }

        /// <summary>Reads the next &lt;row&gt; into <see cref="_cells"/>; false at the end of sheetData.</summary>
        private bool ReadRow()
        {
            var reader = _reader!;
            while (reader.Read())
            {
                if (reader.NodeType != XmlNodeType.Element || reader.NamespaceURI != MainNs)
                {
                    continue;
                }

                if (reader.LocalName != "row")
                {
                    continue;
                }

                _rowNumber = int.TryParse(reader.GetAttribute("r"), NumberStyles.None, CultureInfo.InvariantCulture, out var r) && r > _rowNumber
                    ? r
                    : _rowNumber + 1;
                _cells.Clear();
                if (reader.IsEmptyElement)
                {
                    return true;
                }

                var depth = reader.Depth;
                var nextColumn = 0;
                while (reader.Read() && !(reader.NodeType == XmlNodeType.EndElement && reader.Depth == depth))
                {
                    if (reader.NodeType == XmlNodeType.Element && reader.LocalName == "c" && reader.NamespaceURI == MainNs)
                    {
                        var reference = reader.GetAttribute("r");
                        var column = reference is null ? nextColumn : CellReference.ColumnIndex(reference);
                        if (column < 0)
                        {
                            throw Error(_rowNumber, reference, $"invalid cell reference '{reference}'");
                        }

                        if (column >= _options.MaxColumns)
                        {
                            throw Error(_rowNumber, CellReference.ColumnName(column), $"more than {_options.MaxColumns:N0} columns");
                        }

                        nextColumn = column + 1;
                        var value = ReadCell(reader, column);
                        if (value.Length > 0)
                        {
                            _cells.Add((column, value));
                        }
                    }
                }

                return true;
            }

            return false;
        }

        private string ReadCell(XmlReader reader, int column)
        {
            var type = reader.GetAttribute("t");
            var style = int.TryParse(reader.GetAttribute("s"), NumberStyles.None, CultureInfo.InvariantCulture, out var s) ? s : 0;
            if (reader.IsEmptyElement)
            {
                return "";
            }

            string? v = null;
            string? inline = null;
            var depth = reader.Depth;
            var advance = true;
            while (true)
            {
                // ReadElementContentAsString leaves the reader on the next node already: do not Read() past it.
                if (advance && !reader.Read())
                {
                    break;
                }

                advance = true;
                if (reader.NodeType == XmlNodeType.EndElement && reader.Depth == depth)
                {
                    break;
                }

                if (reader.NodeType == XmlNodeType.Element && reader.NamespaceURI == MainNs && reader.LocalName == "v")
                {
                    v = ReadLimitedText(reader, column);
                    advance = false;
                }
                else if (reader.NodeType == XmlNodeType.Element && reader.NamespaceURI == MainNs && reader.LocalName == "is")
                {
                    inline = ReadRichText(reader, column);
                }
            }

            switch (type)
            {
                case "s":
                    if (!int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var index) || index >= _sharedStrings.Count)
                    {
                        throw Error(_rowNumber, ColumnLabel(column), $"shared string index '{v}' does not exist");
                    }

                    return _sharedStrings[index];
                case "inlineStr":
                    return inline ?? "";
                case "b":
                    return v switch { "1" => "true", "0" => "false", _ => throw Error(_rowNumber, ColumnLabel(column), $"invalid boolean '{v}'") };
                case "str" or "e" or "d":
                    return v ?? "";
                default:
                    if (v is null)
                    {
                        return "";
                    }

                    if (!double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
                    {
                        throw Error(_rowNumber, ColumnLabel(column), $"not a number ('{v}')");
                    }

                    return _dateStyles.Contains(style) ? FormatSerialDate(number, column) : v;
            }
        }

        private string FormatSerialDate(double serial, int column)
        {
            if (serial is < 0 or >= 2_958_466)
            {
                throw Error(_rowNumber, ColumnLabel(column), $"date serial {serial} is out of range");
            }

            // Round to the second: Excel stores times as binary fractions of a day.
            var dateTime = DateTime.FromOADate(serial);
            dateTime = new DateTime((dateTime.Ticks + (TimeSpan.TicksPerSecond / 2)) / TimeSpan.TicksPerSecond * TimeSpan.TicksPerSecond, DateTimeKind.Unspecified);
            return dateTime.TimeOfDay == TimeSpan.Zero
                ? dateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)
                : dateTime.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture);
        }

        private string ReadLimitedText(XmlReader reader, int column)
        {
            var text = reader.ReadElementContentAsString();
            if (text.Length > _options.MaxFieldLength)
            {
                throw Error(_rowNumber, ColumnLabel(column), $"cell text longer than {_options.MaxFieldLength:N0} characters");
            }

            return text;
        }

        /// <summary>Text of an &lt;is&gt; or &lt;si&gt;: its &lt;t&gt; and runs' &lt;t&gt;, without phonetic guides (&lt;rPh&gt;).</summary>
        private string ReadRichText(XmlReader reader, int column)
        {
            var builder = new StringBuilder();
            if (reader.IsEmptyElement)
            {
                return "";
            }

            var depth = reader.Depth;
            var advance = true;
            while (true)
            {
                if (advance && !reader.Read())
                {
                    break;
                }

                advance = true;
                if (reader.NodeType == XmlNodeType.EndElement && reader.Depth == depth)
                {
                    break;
                }

                if (reader.NodeType == XmlNodeType.Element && reader.LocalName == "rPh")
                {
                    reader.Skip();
                    advance = false;
                }
                else if (reader.NodeType == XmlNodeType.Element && reader.LocalName == "t" && reader.NamespaceURI == MainNs)
                {
                    builder.Append(reader.ReadElementContentAsString());
                    advance = false;
                    if (builder.Length > _options.MaxFieldLength)
                    {
                        throw Error(_rowNumber > 0 ? _rowNumber : null, column >= 0 ? ColumnLabel(column) : null, $"cell text longer than {_options.MaxFieldLength:N0} characters");
                    }
                }
            }

            return builder.ToString();
        }

        private void TakeHeader()
        {
            var width = _cells.Max(static c => c.Column) + 1;
            _positionOfColumn = new int[width];
            Array.Fill(_positionOfColumn, -1);
            var names = new List<string>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (column, value) in _cells)
            {
                var name = value.Trim();
                if (name.Length == 0)
                {
                    continue;
                }

                if (!seen.Add(name))
                {
                    throw Error(_rowNumber, name, "this column name appears twice in the header row");
                }

                _positionOfColumn[column] = names.Count;
                names.Add(name);
            }

            if (names.Count == 0)
            {
                _positionOfColumn = [];
                return; // a row of blanks: keep looking for the header
            }

            _header = new TableHeader(names);
        }

        private TableRow TakeRow()
        {
            var values = new string[_header!.Names.Count];
            Array.Fill(values, "");
            foreach (var (column, value) in _cells)
            {
                var position = column < _positionOfColumn.Length ? _positionOfColumn[column] : -1;
                if (position < 0)
                {
                    if (value.Trim().Length == 0)
                    {
                        continue;
                    }

                    throw Error(_rowNumber, CellReference.ColumnName(column), "a value in a column that has no header");
                }

                values[position] = value;
            }

            return new TableRow(_file, _sheetName, _rowNumber, _header, values);
        }

        private string ColumnLabel(int column)
        {
            if (_header is not null && column < _positionOfColumn.Length && _positionOfColumn[column] >= 0)
            {
                return _header.Names[_positionOfColumn[column]];
            }

            return CellReference.ColumnName(column);
        }

        private TableReadException Error(int? row, string? column, string reason, Exception? inner = null) =>
            new(_file, _sheetName, row, column, reason, inner);

        private ZipArchiveEntry? GetEntry(string path) =>
            _archive.GetEntry(path)
            ?? _archive.Entries.FirstOrDefault(e => string.Equals(e.FullName, path, StringComparison.OrdinalIgnoreCase));

        private XmlReader OpenXml(string path)
        {
            var entry = GetEntry(path) ?? throw Error(null, null, $"part {path} is missing");
            var stream = new InflateLimitStream(entry.Open(), entry, _file, _options);
            return XmlReader.Create(stream, XmlSettings);
        }

        private string? FindRelationshipTarget(string relsPath, string folder, string typeSuffix) =>
            ReadRelationships(relsPath, folder).Values.FirstOrDefault(r => r.Type.EndsWith(typeSuffix, StringComparison.Ordinal))?.Target;

        private Dictionary<string, Relationship> ReadRelationships(string relsPath, string folder)
        {
            var relationships = new Dictionary<string, Relationship>(StringComparer.Ordinal);
            if (GetEntry(relsPath) is null)
            {
                return relationships;
            }

            using var reader = OpenXml(relsPath);
            while (reader.Read())
            {
                if (reader.NodeType == XmlNodeType.Element && reader.LocalName == "Relationship"
                    && reader.GetAttribute("Id") is { } id && reader.GetAttribute("Type") is { } type
                    && reader.GetAttribute("Target") is { } target
                    && reader.GetAttribute("TargetMode") != "External")
                {
                    relationships[id] = new Relationship(type, ResolvePath(folder, target));
                }
            }

            return relationships;
        }

        private static string ResolvePath(string folder, string target)
        {
            var parts = new List<string>((target.StartsWith('/') ? target : folder + target).Split('/', StringSplitOptions.RemoveEmptyEntries));
            var resolved = new List<string>();
            foreach (var part in parts)
            {
                if (part == "..")
                {
                    if (resolved.Count > 0)
                    {
                        resolved.RemoveAt(resolved.Count - 1);
                    }
                }
                else if (part != ".")
                {
                    resolved.Add(part);
                }
            }

            return string.Join('/', resolved);
        }

        private List<string> ReadSharedStrings(string path)
        {
            var strings = new List<string>();
            if (GetEntry(path) is null)
            {
                return strings;
            }

            using var reader = OpenXml(path);
            while (reader.Read())
            {
                if (reader.NodeType == XmlNodeType.Element && reader.LocalName == "si" && reader.NamespaceURI == MainNs)
                {
                    strings.Add(ReadRichText(reader, -1));
                }
            }

            return strings;
        }

        /// <summary>Indexes of cellXfs whose number format shows a date (built-in 14–22, 45–47, or a custom code with y/m/d/h/s).</summary>
        private HashSet<int> ReadDateStyles(string path)
        {
            var dateStyles = new HashSet<int>();
            if (GetEntry(path) is null)
            {
                return dateStyles;
            }

            var customDateFormats = new HashSet<int>();
            var inCellXfs = false;
            var xfIndex = 0;
            using var reader = OpenXml(path);
            while (reader.Read())
            {
                if (reader.NodeType == XmlNodeType.EndElement && reader.LocalName == "cellXfs")
                {
                    inCellXfs = false;
                }

                if (reader.NodeType != XmlNodeType.Element || reader.NamespaceURI != MainNs)
                {
                    continue;
                }

                switch (reader.LocalName)
                {
                    case "numFmt":
                        if (int.TryParse(reader.GetAttribute("numFmtId"), NumberStyles.None, CultureInfo.InvariantCulture, out var id)
                            && IsDateFormatCode(reader.GetAttribute("formatCode") ?? ""))
                        {
                            customDateFormats.Add(id);
                        }

                        break;
                    case "cellXfs":
                        inCellXfs = !reader.IsEmptyElement;
                        break;
                    case "xf" when inCellXfs:
                        var numFmt = int.TryParse(reader.GetAttribute("numFmtId"), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0;
                        if (numFmt is (>= 14 and <= 22) or (>= 45 and <= 47) || customDateFormats.Contains(numFmt))
                        {
                            dateStyles.Add(xfIndex);
                        }

                        xfIndex++;
                        break;
                }
            }

            return dateStyles;
        }

        private static bool IsDateFormatCode(string code)
        {
            // Ignore quoted literals, escaped chars and [colour]/[$-locale] sections, then look for date/time letters.
            var inQuotes = false;
            var inBrackets = false;
            for (var i = 0; i < code.Length; i++)
            {
                var c = code[i];
                if (inQuotes)
                {
                    inQuotes = c != '"';
                }
                else if (inBrackets)
                {
                    inBrackets = c != ']';
                }
                else if (c == '"')
                {
                    inQuotes = true;
                }
                else if (c == '[')
                {
                    inBrackets = true;
                }
                else if (c is '\\' or '_' or '*')
                {
                    i++;
                }
                else if (char.ToLowerInvariant(c) is 'y' or 'm' or 'd' or 'h' or 's')
                {
                    return true;
                }
            }

            return false;
        }

        private sealed record Relationship(string Type, string Target);
    }

    /// <summary>
    /// Counts the bytes an entry actually inflates to and stops past the declared size, the size limit or the ratio
    /// limit: the declared sizes come from the zip's own headers and a forged file can understate them.
    /// </summary>
    /// <remarks>
    /// The .NET 10 reader already stops a Deflate entry at its declared size (a forged small size then reads as
    /// truncated XML, reported as malformed); this counter does not rely on that and also bounds stored entries.
    /// </remarks>
    private sealed class InflateLimitStream(Stream inner, ZipArchiveEntry entry, string file, XlsxReadOptions options) : Stream
    {
        private long _total;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => _total;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var read = inner.Read(buffer);
            _total += read;
            if (_total > entry.Length)
            {
                throw Fail($"zip entry '{entry.FullName}' inflates to more than its declared {entry.Length:N0} bytes (forged zip header?)");
            }

            if (_total > options.MaxEntryUncompressedBytes)
            {
                throw Fail($"zip entry '{entry.FullName}' inflates to more than {options.MaxEntryUncompressedBytes:N0} bytes (zip bomb?)");
            }

            if (_total >= options.CompressionRatioThresholdBytes && _total > entry.CompressedLength * options.MaxCompressionRatio)
            {
                throw Fail($"zip entry '{entry.FullName}' inflates more than {options.MaxCompressionRatio:N0} times its compressed size (zip bomb?)");
            }

            return read;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }

        private TableReadException Fail(string reason) => new(file, null, null, reason);
    }
}
