using System.Globalization;
using System.Numerics;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;

namespace Passerelle.Core.OpenData;

/// <summary>Options of the JSON-based writers.</summary>
public sealed record JsonExportOptions
{
    /// <summary>Bytes pending in the JSON writer before an asynchronous flush (default 64 KiB).</summary>
    public int FlushThresholdBytes { get; init; } = 64 * 1024;

    /// <summary>Indent the output (off by default: open data downloads are for programs).</summary>
    public bool Indented { get; init; }
}

/// <summary>Writes rows as a JSON array of objects, one property per column (named by <see cref="ExportColumn{T}.JsonKey"/>).</summary>
/// <remarks>
/// Numbers are JSON numbers (NaN and infinities, which JSON cannot hold, become null), booleans are booleans, dates
/// are ISO 8601 strings, the rest are strings. No formula neutralisation: JSON is not opened by spreadsheets as-is,
/// and consumers must get the data unchanged.
/// </remarks>
public sealed class JsonExportWriter(JsonExportOptions? options = null) : ITabularExportWriter
{
    private readonly JsonExportOptions _options = options ?? new JsonExportOptions();

    /// <inheritdoc />
    public string ContentType => "application/json; charset=utf-8";

    /// <inheritdoc />
    public string FileExtension => ".json";

    /// <inheritdoc />
    public async Task<ExportResult> WriteAsync<T>(
        Stream output,
        IReadOnlyList<ExportColumn<T>> columns,
        IAsyncEnumerable<T> rows,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(rows);
        var keys = JsonExport.EncodedKeys(columns);
        await using var json = JsonExport.CreateWriter(output, _options);
        json.WriteStartArray();
        long count = 0;
        await foreach (var row in rows.WithCancellation(cancellationToken))
        {
            json.WriteStartObject();
            JsonExport.WriteProperties(json, keys, columns, row);
            json.WriteEndObject();
            count++;
            if (json.BytesPending >= _options.FlushThresholdBytes)
            {
                await json.FlushAsync(cancellationToken);
            }
        }

        json.WriteEndArray();
        await json.FlushAsync(cancellationToken);
        return new ExportResult(count);
    }
}

/// <summary>Shared pieces of the JSON and GeoJSON writers.</summary>
internal static class JsonExport
{
    /// <summary>
    /// Accented letters stay readable ("Région", not "R\u00e9gion"); the encoder still escapes quotes, control chars
    /// and the HTML-sensitive &lt; &gt; &amp; ' + so the output stays safe if it ever ends up inside a page.
    /// </summary>
    private static readonly JavaScriptEncoder Encoder = JavaScriptEncoder.Create(UnicodeRanges.All);

    public static Utf8JsonWriter CreateWriter(Stream output, JsonExportOptions options) =>
        new(output, new JsonWriterOptions { Encoder = Encoder, Indented = options.Indented, SkipValidation = false });

    public static JsonEncodedText[] EncodedKeys<T>(IReadOnlyList<ExportColumn<T>> columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var keys = new JsonEncodedText[columns.Count];
        for (var i = 0; i < columns.Count; i++)
        {
            var key = columns[i].JsonKey;
            if (!seen.Add(key))
            {
                throw new ArgumentException($"Two columns have the JSON key '{key}'; give one of them an explicit Key.", nameof(columns));
            }

            keys[i] = JsonEncodedText.Encode(key, Encoder);
        }

        return keys;
    }

    public static void WriteProperties<T>(Utf8JsonWriter json, JsonEncodedText[] keys, IReadOnlyList<ExportColumn<T>> columns, T row)
    {
        for (var i = 0; i < columns.Count; i++)
        {
            json.WritePropertyName(keys[i]);
            WriteValue(json, columns[i].Value(row));
        }
    }

    private static void WriteValue(Utf8JsonWriter json, object? value)
    {
        switch (value)
        {
            case null:
                json.WriteNullValue();
                break;
            case string s:
                json.WriteStringValue(s);
                break;
            case bool b:
                json.WriteBooleanValue(b);
                break;
            case int n:
                json.WriteNumberValue(n);
                break;
            case long n:
                json.WriteNumberValue(n);
                break;
            case decimal n:
                json.WriteNumberValue(n);
                break;
            case double n:
                WriteFloating(json, n);
                break;
            case float n:
                WriteFloating(json, n);
                break;
            case Half n:
                WriteFloating(json, (double)n);
                break;
            case short or byte or sbyte or ushort:
                json.WriteNumberValue(Convert.ToInt32(value, CultureInfo.InvariantCulture));
                break;
            case uint n:
                json.WriteNumberValue(n);
                break;
            case ulong n:
                json.WriteNumberValue(n);
                break;
            case Int128 or UInt128 or BigInteger:
                json.WriteRawValue(((IFormattable)value).ToString(null, CultureInfo.InvariantCulture));
                break;
            default:
                json.WriteStringValue(ExportValues.FormatText(value));
                break;
        }
    }

    private static void WriteFloating(Utf8JsonWriter json, double value)
    {
        if (double.IsFinite(value))
        {
            json.WriteNumberValue(value);
        }
        else
        {
            json.WriteNullValue();
        }
    }
}
