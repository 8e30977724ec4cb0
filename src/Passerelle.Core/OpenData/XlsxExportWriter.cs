using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Xml;

namespace Passerelle.Core.OpenData;

/// <summary>Options of <see cref="XlsxExportWriter"/>.</summary>
public sealed record XlsxExportOptions
{
    /// <summary>Worksheet name (1 to 31 chars, none of <c>: \ / ? * [ ]</c>, no leading or trailing apostrophe).</summary>
    public string SheetName { get; init; } = "Data";

    /// <summary>
    /// Deflate level of the zip parts. <see cref="CompressionLevel.Fastest"/> by default: sheet XML still shrinks
    /// about tenfold and a large export is limited by CPU, not by bytes.
    /// </summary>
    public CompressionLevel CompressionLevel { get; init; } = CompressionLevel.Fastest;

    /// <summary>Bytes of zip output buffered before an asynchronous write to the output stream (default 64 KiB).</summary>
    public int FlushThresholdBytes { get; init; } = 64 * 1024;

    /// <summary>
    /// Data rows per worksheet before the next one begins, each with the header row (default
    /// <see cref="XlsxExportWriter.MaxDataRowsPerSheet"/>, Excel's limit; smaller only to test the split).
    /// </summary>
    public int MaxRowsPerSheet { get; init; } = XlsxExportWriter.MaxDataRowsPerSheet;
}

/// <summary>
/// Streams rows into a real Office Open XML workbook (.xlsx), without any spreadsheet library: one worksheet, or more
/// when the rows exceed a sheet's 1,048,576 rows (<see cref="MaxDataRowsPerSheet"/>), each with the header row.
/// </summary>
/// <remarks>
/// <para>
/// The package follows ECMA-376 Part 2 (Open Packaging Conventions: <c>[Content_Types].xml</c>, <c>_rels/.rels</c>)
/// and Part 1 §18 (SpreadsheetML: <c>xl/workbook.xml</c>, <c>xl/_rels/workbook.xml.rels</c>,
/// <c>xl/worksheets/sheet1.xml</c>, <c>xl/styles.xml</c>). Every part is written by hand with <see cref="XmlWriter"/>.
/// </para>
/// <para>
/// Memory stays flat: text cells are inline strings (<c>t="inlineStr"</c>, §18.3.1.4) so no shared-string table is
/// built, and <see cref="ZipArchive"/> in Create mode writes entries sequentially. The archive writes into an
/// <see cref="AsyncDrainStream"/> that is drained to the output with asynchronous writes whenever it holds a chunk
/// (ZipArchive itself writes synchronously, which an ASP.NET Core response body refuses); that bridge is non-seekable,
/// so entries carry data descriptors and the output may be non-seekable too (an HTTP response body). The sheet part is written first and the workbook part
/// after it, because the workbook's filter range needs the final row count.
/// </para>
/// <para>
/// Cells: numbers are numeric cells (decimals with at most 2 decimal places get the <c>#,##0.00</c> format, other
/// numbers General); booleans are boolean cells; <see cref="DateOnly"/>, <see cref="DateTime"/> and
/// <see cref="DateTimeOffset"/> (in UTC) are serial dates with a <c>yyyy-mm-dd</c> or <c>yyyy-mm-dd hh:mm:ss</c>
/// format; the rest is text, neutralised against formula injection like CSV (<see cref="FormulaInjectionGuard"/>).
/// Text longer than 32,767 chars, Excel's cell limit, is truncated (Excel would otherwise refuse to open the file
/// with a "repair" prompt); characters XML 1.0 cannot carry (control chars, lone surrogates) are dropped.
/// The header row is bold, frozen, and carries an autofilter.
/// </para>
/// </remarks>
public sealed class XlsxExportWriter(XlsxExportOptions? options = null) : ITabularExportWriter
{
    /// <summary>Excel's limit on the length of a cell's text.</summary>
    public const int MaxCellTextLength = 32_767;

    /// <summary>
    /// Data rows a worksheet holds below its header: Excel's and LibreOffice's 1,048,576 rows a sheet. Past them Excel
    /// loads the file incompletely, so a larger export (2 M projects, 6 M partners) goes on in further sheets.
    /// </summary>
    public const int MaxDataRowsPerSheet = 1_048_575;

    private const string MainNs = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
    private const string RelNs = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
    private const string PackageRelNs = "http://schemas.openxmlformats.org/package/2006/relationships";

    // Style indexes into cellXfs of styles.xml.
    private const string HeaderStyle = "1";
    private const string DateStyle = "2";
    private const string DateTimeStyle = "3";
    private const string MoneyStyle = "4";

    private static readonly XmlWriterSettings XmlSettings = new()
    {
        Encoding = new UTF8Encoding(false),
        CloseOutput = false,
        Indent = false,
        // Keep CR inside cell text as &#xD; instead of normalising it away.
        NewLineHandling = NewLineHandling.Entitize,
    };

    private readonly XlsxExportOptions _options = options ?? new XlsxExportOptions();

    /// <inheritdoc />
    public string ContentType => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

    /// <inheritdoc />
    public string FileExtension => ".xlsx";

    /// <inheritdoc />
    public async Task<ExportResult> WriteAsync<T>(
        Stream output,
        IReadOnlyList<ExportColumn<T>> columns,
        IAsyncEnumerable<T> rows,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentNullException.ThrowIfNull(rows);
        if (columns.Count is 0 or > 16_384)
        {
            throw new ArgumentException("An xlsx sheet has between 1 and 16,384 columns.", nameof(columns));
        }

        ValidateSheetName(_options.SheetName);
        if (_options.MaxRowsPerSheet is < 1 or > MaxDataRowsPerSheet)
        {
            throw new ArgumentException($"A sheet holds 1 to {MaxDataRowsPerSheet:N0} data rows.", nameof(options));
        }

        var bridge = new AsyncDrainStream(output);
        long rowCount = 0;
        var sheets = new List<(string Name, string LastCell)>();
        using (var archive = new ZipArchive(bridge, ZipArchiveMode.Create, leaveOpen: true))
        {
            await using var e = rows.GetAsyncEnumerator(cancellationToken);
            var more = await e.MoveNextAsync();
            do
            {
                var sheet = archive.CreateEntry($"xl/worksheets/sheet{sheets.Count + 1}.xml", _options.CompressionLevel);
                long count;
                using (var sheetStream = sheet.Open())
                {
                    (count, more) = await WriteSheetAsync(sheetStream, bridge, columns, e, more, cancellationToken);
                }

                rowCount += count;
                sheets.Add((SheetName(_options.SheetName, sheets.Count + 1),
                    CellReference.ColumnName(columns.Count - 1) + (count + 1).ToString(CultureInfo.InvariantCulture)));
                await bridge.DrainAsync(cancellationToken);
            }
            while (more);

            WritePart(archive, "xl/workbook.xml", xml => WriteWorkbook(xml, sheets));
            WritePart(archive, "xl/_rels/workbook.xml.rels", xml => WriteWorkbookRelationships(xml, sheets.Count));
            WritePart(archive, "xl/styles.xml", WriteStyles);
            WritePart(archive, "_rels/.rels", WritePackageRelationships);
            WritePart(archive, "[Content_Types].xml", xml => WriteContentTypes(xml, sheets.Count));
        }

        // Disposing the archive wrote the central directory into the bridge.
        await bridge.DrainAsync(cancellationToken);
        await output.FlushAsync(cancellationToken);
        return new ExportResult(rowCount);
    }

    /// <summary>One sheet: the header, then rows from <paramref name="rows"/> (its current row first, if <paramref name="more"/>) up to the sheet's limit.</summary>
    /// <returns>The data rows written, and whether rows are left for the next sheet.</returns>
    private async Task<(long Count, bool More)> WriteSheetAsync<T>(
        Stream entry,
        AsyncDrainStream bridge,
        IReadOnlyList<ExportColumn<T>> columns,
        IAsyncEnumerator<T> rows,
        bool more,
        CancellationToken cancellationToken)
    {
        var columnNames = new string[columns.Count];
        for (var i = 0; i < columnNames.Length; i++)
        {
            columnNames[i] = CellReference.ColumnName(i);
        }

        var scratch = new char[64];
        using (var xml = XmlWriter.Create(entry, XmlSettings))
        {
            xml.WriteStartDocument(standalone: true);
            xml.WriteStartElement("worksheet", MainNs);

            // §18.3.1.66 pane: a frozen split below row 1 keeps the header visible while scrolling.
            xml.WriteStartElement("sheetViews");
            xml.WriteStartElement("sheetView");
            xml.WriteAttributeString("workbookViewId", "0");
            xml.WriteStartElement("pane");
            xml.WriteAttributeString("ySplit", "1");
            xml.WriteAttributeString("topLeftCell", "A2");
            xml.WriteAttributeString("activePane", "bottomLeft");
            xml.WriteAttributeString("state", "frozen");
            xml.WriteEndElement();
            xml.WriteEndElement();
            xml.WriteEndElement();

            xml.WriteStartElement("sheetData");
            xml.WriteStartElement("row");
            xml.WriteAttributeString("r", "1");
            for (var i = 0; i < columns.Count; i++)
            {
                WriteTextCell(xml, columnNames[i], "1", columns[i].Header, HeaderStyle);
            }

            xml.WriteEndElement();

            long count = 0;
            for (; more && count < _options.MaxRowsPerSheet; more = await rows.MoveNextAsync())
            {
                var row = rows.Current;
                count++;
                var rowNumber = (count + 1).ToString(CultureInfo.InvariantCulture);
                xml.WriteStartElement("row");
                xml.WriteAttributeString("r", rowNumber);
                for (var i = 0; i < columns.Count; i++)
                {
                    WriteCell(xml, columnNames[i], rowNumber, columns[i].Value(row), scratch);
                }

                xml.WriteEndElement();

                // XmlWriter and DeflateStream each hold a few KiB; what they pushed out waits in the bridge.
                if (bridge.PendingBytes >= _options.FlushThresholdBytes)
                {
                    await bridge.DrainAsync(cancellationToken);
                }
            }

            xml.WriteEndElement(); // sheetData

            // §18.3.1.2 autoFilter comes after sheetData in CT_Worksheet's sequence.
            xml.WriteStartElement("autoFilter");
            xml.WriteAttributeString("ref", $"A1:{columnNames[^1]}{count + 1}");
            xml.WriteEndElement();

            xml.WriteEndElement(); // worksheet
            xml.WriteEndDocument();
            return (count, more);
        }
    }

    private static void WriteCell(XmlWriter xml, string column, string row, object? value, char[] scratch)
    {
        switch (value)
        {
            case null:
                return;
            case string s:
                WriteTextCell(xml, column, row, s, style: null);
                return;
            case bool b:
                StartCell(xml, column, row, type: "b", style: null);
                xml.WriteElementString("v", b ? "1" : "0");
                xml.WriteEndElement();
                return;
            case not null when ExportValues.IsNumber(value):
                if (!ExportValues.TryFormatNumber(value, scratch, out var written))
                {
                    return; // NaN / infinity: no portable representation, left empty.
                }

                StartCell(xml, column, row, type: null, style: value is decimal { Scale: <= 2 } ? MoneyStyle : null);
                xml.WriteStartElement("v");
                xml.WriteChars(scratch, 0, written);
                xml.WriteEndElement();
                xml.WriteEndElement();
                return;
            case not null when ExportValues.TryGetExcelSerial(value, out var serial, out var hasTime):
                StartCell(xml, column, row, type: null, style: hasTime ? DateTimeStyle : DateStyle);
                xml.WriteElementString("v", serial.ToString("R", CultureInfo.InvariantCulture));
                xml.WriteEndElement();
                return;
            default:
                WriteTextCell(xml, column, row, ExportValues.FormatText(value), style: null);
                return;
        }
    }

    private static void WriteTextCell(XmlWriter xml, string column, string row, string text, string? style)
    {
        text = FormulaInjectionGuard.Neutralise(SanitiseXmlText(text));
        if (text.Length > MaxCellTextLength)
        {
            // Do not cut a surrogate pair in half.
            var cut = char.IsHighSurrogate(text[MaxCellTextLength - 1]) ? MaxCellTextLength - 1 : MaxCellTextLength;
            text = text[..cut];
        }

        StartCell(xml, column, row, type: "inlineStr", style);
        xml.WriteStartElement("is");
        xml.WriteStartElement("t");
        if (text.Length > 0 && (char.IsWhiteSpace(text[0]) || char.IsWhiteSpace(text[^1])))
        {
            xml.WriteAttributeString("xml", "space", null, "preserve");
        }

        xml.WriteString(text);
        xml.WriteEndElement();
        xml.WriteEndElement();
        xml.WriteEndElement();
    }

    private static void StartCell(XmlWriter xml, string column, string row, string? type, string? style)
    {
        xml.WriteStartElement("c");
        xml.WriteStartAttribute("r");
        xml.WriteString(column);
        xml.WriteString(row);
        xml.WriteEndAttribute();
        if (style is not null)
        {
            xml.WriteAttributeString("s", style);
        }

        if (type is not null)
        {
            xml.WriteAttributeString("t", type);
        }
    }

    /// <summary>Drops characters that XML 1.0 cannot represent (XmlWriter would throw on them).</summary>
    internal static string SanitiseXmlText(string text)
    {
        var firstBad = -1;
        for (var i = 0; i < text.Length; i++)
        {
            if (!IsXmlCharAt(text, i, out var width))
            {
                firstBad = i;
                break;
            }

            i += width - 1;
        }

        if (firstBad < 0)
        {
            return text;
        }

        var builder = new StringBuilder(text.Length);
        builder.Append(text, 0, firstBad);
        for (var i = firstBad; i < text.Length; i++)
        {
            if (IsXmlCharAt(text, i, out var width))
            {
                builder.Append(text, i, width);
            }

            i += width - 1;
        }

        return builder.ToString();
    }

    private static bool IsXmlCharAt(string text, int index, out int width)
    {
        var c = text[index];
        if (char.IsHighSurrogate(c) && index + 1 < text.Length && char.IsLowSurrogate(text[index + 1]))
        {
            width = 2;
            return true;
        }

        width = 1;
        return XmlConvert.IsXmlChar(c);
    }

    private static void ValidateSheetName(string name)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Length > 31 || name.AsSpan().IndexOfAny(@":\/?*[]") >= 0
            || name[0] == '\'' || name[^1] == '\'')
        {
            throw new ArgumentException(
                $"'{name}' is not a valid worksheet name: 1 to 31 chars, none of : \\ / ? * [ ], no apostrophe at either end.",
                nameof(options));
        }
    }

    private void WritePart(ZipArchive archive, string name, Action<XmlWriter> write)
    {
        var entry = archive.CreateEntry(name, _options.CompressionLevel);
        using var stream = entry.Open();
        using var xml = XmlWriter.Create(stream, XmlSettings);
        xml.WriteStartDocument(standalone: true);
        write(xml);
        xml.WriteEndDocument();
    }

    /// <summary>"Data", then "Data (2)", "Data (3)"…, the name shortened to keep within 31 characters.</summary>
    internal static string SheetName(string name, int number)
    {
        if (number == 1)
        {
            return name;
        }

        var suffix = $" ({number})";
        return name[..Math.Min(name.Length, 31 - suffix.Length)].TrimEnd('\'') + suffix;
    }

    private static void WriteWorkbook(XmlWriter xml, IReadOnlyList<(string Name, string LastCell)> sheets)
    {
        xml.WriteStartElement("workbook", MainNs);
        xml.WriteAttributeString("xmlns", "r", null, RelNs);
        xml.WriteStartElement("sheets");
        for (var i = 0; i < sheets.Count; i++)
        {
            xml.WriteStartElement("sheet");
            xml.WriteAttributeString("name", sheets[i].Name);
            xml.WriteAttributeString("sheetId", (i + 1).ToString(CultureInfo.InvariantCulture));
            xml.WriteAttributeString("id", RelNs, SheetRelationship(i));
            xml.WriteEndElement();
        }

        xml.WriteEndElement();

        // Excel records each sheet's autofilter range as this hidden defined name (§18.2.5, "_xlnm._FilterDatabase").
        xml.WriteStartElement("definedNames");
        for (var i = 0; i < sheets.Count; i++)
        {
            var (name, lastCell) = sheets[i];
            xml.WriteStartElement("definedName");
            xml.WriteAttributeString("name", "_xlnm._FilterDatabase");
            xml.WriteAttributeString("localSheetId", i.ToString(CultureInfo.InvariantCulture));
            xml.WriteAttributeString("hidden", "1");
            var dollarCell = "$" + string.Concat(lastCell.TakeWhile(char.IsAsciiLetter)) + "$" + string.Concat(lastCell.SkipWhile(char.IsAsciiLetter));
            xml.WriteString($"'{name.Replace("'", "''", StringComparison.Ordinal)}'!$A$1:{dollarCell}");
            xml.WriteEndElement();
        }

        xml.WriteEndElement();
        xml.WriteEndElement();
    }

    private static string SheetRelationship(int index) => "rId" + (index + 1).ToString(CultureInfo.InvariantCulture);

    private static void WriteWorkbookRelationships(XmlWriter xml, int sheets)
    {
        xml.WriteStartElement("Relationships", PackageRelNs);
        for (var i = 0; i < sheets; i++)
        {
            WriteRelationship(xml, SheetRelationship(i), RelNs + "/worksheet", $"worksheets/sheet{i + 1}.xml");
        }

        WriteRelationship(xml, SheetRelationship(sheets), RelNs + "/styles", "styles.xml");
        xml.WriteEndElement();
    }

    private static void WritePackageRelationships(XmlWriter xml)
    {
        xml.WriteStartElement("Relationships", PackageRelNs);
        WriteRelationship(xml, "rId1", RelNs + "/officeDocument", "xl/workbook.xml");
        xml.WriteEndElement();
    }

    private static void WriteRelationship(XmlWriter xml, string id, string type, string target)
    {
        xml.WriteStartElement("Relationship");
        xml.WriteAttributeString("Id", id);
        xml.WriteAttributeString("Type", type);
        xml.WriteAttributeString("Target", target);
        xml.WriteEndElement();
    }

    private static void WriteContentTypes(XmlWriter xml, int sheets)
    {
        xml.WriteStartElement("Types", "http://schemas.openxmlformats.org/package/2006/content-types");
        WriteDefault(xml, "rels", "application/vnd.openxmlformats-package.relationships+xml");
        WriteDefault(xml, "xml", "application/xml");
        WriteOverride(xml, "/xl/workbook.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml");
        for (var i = 1; i <= sheets; i++)
        {
            WriteOverride(xml, $"/xl/worksheets/sheet{i}.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml");
        }

        WriteOverride(xml, "/xl/styles.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml");
        xml.WriteEndElement();

        static void WriteDefault(XmlWriter xml, string extension, string contentType)
        {
            xml.WriteStartElement("Default");
            xml.WriteAttributeString("Extension", extension);
            xml.WriteAttributeString("ContentType", contentType);
            xml.WriteEndElement();
        }

        static void WriteOverride(XmlWriter xml, string part, string contentType)
        {
            xml.WriteStartElement("Override");
            xml.WriteAttributeString("PartName", part);
            xml.WriteAttributeString("ContentType", contentType);
            xml.WriteEndElement();
        }
    }

    /// <summary>
    /// The smallest stylesheet Excel accepts (§18.8): two fonts (normal, bold), the two mandatory fills, one border, and
    /// cell formats 0 default, 1 bold header, 2 date, 3 date-time, 4 <c>#,##0.00</c> (built-in number format 4).
    /// </summary>
    private static void WriteStyles(XmlWriter xml)
    {
        xml.WriteStartElement("styleSheet", MainNs);
        xml.WriteStartElement("numFmts");
        xml.WriteAttributeString("count", "2");
        WriteNumFmt(xml, "164", "yyyy-mm-dd");
        WriteNumFmt(xml, "165", "yyyy-mm-dd hh:mm:ss");
        xml.WriteEndElement();

        xml.WriteStartElement("fonts");
        xml.WriteAttributeString("count", "2");
        WriteFont(xml, bold: false);
        WriteFont(xml, bold: true);
        xml.WriteEndElement();

        xml.WriteStartElement("fills");
        xml.WriteAttributeString("count", "2");
        WriteFill(xml, "none");
        WriteFill(xml, "gray125");
        xml.WriteEndElement();

        xml.WriteStartElement("borders");
        xml.WriteAttributeString("count", "1");
        xml.WriteStartElement("border");
        foreach (var side in (string[])["left", "right", "top", "bottom", "diagonal"])
        {
            xml.WriteElementString(side, string.Empty);
        }

        xml.WriteEndElement();
        xml.WriteEndElement();

        xml.WriteStartElement("cellStyleXfs");
        xml.WriteAttributeString("count", "1");
        WriteXf(xml, numFmtId: "0", fontId: "0", inCellXfs: false);
        xml.WriteEndElement();

        xml.WriteStartElement("cellXfs");
        xml.WriteAttributeString("count", "5");
        WriteXf(xml, numFmtId: "0", fontId: "0", inCellXfs: true);
        WriteXf(xml, numFmtId: "0", fontId: "1", inCellXfs: true);
        WriteXf(xml, numFmtId: "164", fontId: "0", inCellXfs: true);
        WriteXf(xml, numFmtId: "165", fontId: "0", inCellXfs: true);
        WriteXf(xml, numFmtId: "4", fontId: "0", inCellXfs: true);
        xml.WriteEndElement();

        xml.WriteStartElement("cellStyles");
        xml.WriteAttributeString("count", "1");
        xml.WriteStartElement("cellStyle");
        xml.WriteAttributeString("name", "Normal");
        xml.WriteAttributeString("xfId", "0");
        xml.WriteAttributeString("builtinId", "0");
        xml.WriteEndElement();
        xml.WriteEndElement();
        xml.WriteEndElement();

        static void WriteNumFmt(XmlWriter xml, string id, string code)
        {
            xml.WriteStartElement("numFmt");
            xml.WriteAttributeString("numFmtId", id);
            xml.WriteAttributeString("formatCode", code);
            xml.WriteEndElement();
        }

        static void WriteFont(XmlWriter xml, bool bold)
        {
            xml.WriteStartElement("font");
            if (bold)
            {
                xml.WriteElementString("b", string.Empty);
            }

            xml.WriteStartElement("sz");
            xml.WriteAttributeString("val", "11");
            xml.WriteEndElement();
            xml.WriteStartElement("name");
            xml.WriteAttributeString("val", "Calibri");
            xml.WriteEndElement();
            xml.WriteEndElement();
        }

        static void WriteFill(XmlWriter xml, string pattern)
        {
            xml.WriteStartElement("fill");
            xml.WriteStartElement("patternFill");
            xml.WriteAttributeString("patternType", pattern);
            xml.WriteEndElement();
            xml.WriteEndElement();
        }

        static void WriteXf(XmlWriter xml, string numFmtId, string fontId, bool inCellXfs)
        {
            xml.WriteStartElement("xf");
            xml.WriteAttributeString("numFmtId", numFmtId);
            xml.WriteAttributeString("fontId", fontId);
            xml.WriteAttributeString("fillId", "0");
            xml.WriteAttributeString("borderId", "0");
            if (inCellXfs)
            {
                xml.WriteAttributeString("xfId", "0");
                if (numFmtId != "0")
                {
                    xml.WriteAttributeString("applyNumberFormat", "1");
                }

                if (fontId != "0")
                {
                    xml.WriteAttributeString("applyFont", "1");
                }
            }

            xml.WriteEndElement();
        }
    }
}

/// <summary>A1-style cell references (ECMA-376 Part 1 §18.17.2.3).</summary>
public static class CellReference
{
    /// <summary>Column letters of a zero-based column index: 0 → "A", 25 → "Z", 26 → "AA".</summary>
    public static string ColumnName(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        Span<char> buffer = stackalloc char[8];
        var position = buffer.Length;
        var n = index + 1;
        while (n > 0)
        {
            n--;
            buffer[--position] = (char)('A' + (n % 26));
            n /= 26;
        }

        return new string(buffer[position..]);
    }

    /// <summary>
    /// Zero-based column index of a reference such as "C12" (→ 2) or "AA" (→ 26); -1 when it does not start with
    /// 1 to 3 letters or goes beyond column XFD (16,384 columns).
    /// </summary>
    public static int ColumnIndex(ReadOnlySpan<char> reference)
    {
        var index = 0;
        var letters = 0;
        foreach (var c in reference)
        {
            if (!char.IsAsciiLetter(c))
            {
                break;
            }

            index = (index * 26) + (char.ToUpperInvariant(c) - 'A' + 1);
            if (++letters > 3)
            {
                return -1;
            }
        }

        return letters == 0 || index > 16_384 ? -1 : index - 1;
    }
}
