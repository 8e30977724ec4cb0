using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Unicode;

namespace Passerelle.Core.OpenData;

/// <summary>Limits and choices of <see cref="CsvTableReader"/>.</summary>
public sealed record CsvReadOptions
{
    /// <summary>Longest field, in chars (default 100,000): a longer one is refused, not buffered.</summary>
    public int MaxFieldLength { get; init; } = 100_000;

    /// <summary>
    /// Longest record, in chars, line ends included (default 1 MiB chars). A record is one line, or several when a
    /// quoted field holds line breaks; the limit stops a file without line breaks, or with an unclosed quote, from
    /// being buffered whole.
    /// </summary>
    public int MaxLineLength { get; init; } = 1024 * 1024;

    /// <summary>Most columns accepted (default 1,000).</summary>
    public int MaxColumns { get; init; } = 1_000;

    /// <summary>The separator; null (default) detects comma or semicolon from the header line.</summary>
    public char? Delimiter { get; init; }
}

/// <summary>
/// Reads an RFC 4180 CSV file as a stream of rows, built to take files from outside without trusting them.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Strict UTF-8 (a UTF-8 BOM is skipped): an invalid byte is an error naming its line and byte offset, never a
/// silent U+FFFD that would end up in the database. Files saved as Windows-1252 are thus refused with a clear message.</item>
/// <item>Separator: comma or semicolon (the default of Excel in French, German... locales), whichever occurs more often
/// outside quotes in the header line (within its first 64 KiB); ties go to the comma.</item>
/// <item>Quoted fields may hold separators, doubled quotes and line breaks; CRLF, LF and lone CR end records. A quote
/// inside an unquoted field is kept as a character (common in hand-made files, e.g. 5" disk); text after a closing
/// quote, an unclosed quote, a wrong field count, too long a field or record are errors with row and column.</item>
/// <item>Rows are numbered as a spreadsheet shows them: header = row 1, blank lines count but yield nothing.</item>
/// </list>
/// </remarks>
public sealed class CsvTableReader(CsvReadOptions? options = null)
{
    private readonly CsvReadOptions _options = options ?? new CsvReadOptions();

    /// <summary>Reads the rows after the header. <paramref name="fileName"/> only labels errors. The stream is left open.</summary>
    public async IAsyncEnumerable<TableRow> ReadAsync(
        Stream input,
        string fileName,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(fileName);
        using var parser = new Parser(input, fileName, _options);
        await parser.StartAsync(cancellationToken);
        if (!await parser.ReadRecordAsync(cancellationToken))
        {
            throw new TableReadException(fileName, null, null, "the file is empty (a header row is expected)");
        }

        var header = parser.TakeHeader();
        while (await parser.ReadRecordAsync(cancellationToken))
        {
            if (parser.IsBlankRecord)
            {
                continue;
            }

            yield return parser.TakeRow(header);
        }
    }

    private sealed class Parser(Stream input, string file, CsvReadOptions options) : IDisposable
    {
        private const int BufferSize = 64 * 1024;

        private readonly List<string> _fields = [];
        private readonly StringBuilder _field = new();
        private byte[] _bytes = ArrayPool<byte>.Shared.Rent(BufferSize);
        private char[] _chars = ArrayPool<char>.Shared.Rent(BufferSize);
        private int _byteStart;
        private int _byteEnd;
        private long _byteBase; // absolute offset of _bytes[0]
        private int _charPos;
        private int _charEnd;
        private bool _eof;
        private long? _invalidByteOffset;
        private byte _invalidByte;
        private char _delimiter;
        private int _line = 1;
        private int _row; // record number of the record being read
        private IReadOnlyList<string>? _headerNames;
        private bool _pendingCarriageReturn;

        public bool IsBlankRecord => _fields.Count == 1 && _fields[0].Length == 0;

        public async Task StartAsync(CancellationToken cancellationToken)
        {
            // Read a full buffer first so that the BOM and the header line are in view.
            _byteEnd = await input.ReadAtLeastAsync(_bytes.AsMemory(0, BufferSize), BufferSize, throwOnEndOfStream: false, cancellationToken);
            _eof = _byteEnd < BufferSize;
            if (_byteEnd >= 2 && ((_bytes[0] == 0xFF && _bytes[1] == 0xFE) || (_bytes[0] == 0xFE && _bytes[1] == 0xFF)))
            {
                throw new TableReadException(file, null, null, "the file is UTF-16; save it as CSV UTF-8");
            }

            if (_byteEnd >= 3 && _bytes[0] == 0xEF && _bytes[1] == 0xBB && _bytes[2] == 0xBF)
            {
                _byteStart = 3;
            }

            Decode();
            _delimiter = options.Delimiter ?? DetectDelimiter(_chars.AsSpan(0, _charEnd));
        }

        public async ValueTask<bool> ReadRecordAsync(CancellationToken cancellationToken)
        {
            _fields.Clear();
            _field.Clear();
            _row++;
            if (_pendingCarriageReturn)
            {
                // The previous record ended with CR at the end of a buffer: its LF, if any, starts this one.
                _pendingCarriageReturn = false;
                if ((_charPos < _charEnd || await FillAsync(cancellationToken)) && _chars[_charPos] == '\n')
                {
                    _charPos++;
                    _line++;
                }
            }

            var state = State.FieldStart;
            var recordLength = 0;
            var quoteLine = 0;
            while (true)
            {
                if (_charPos == _charEnd && !await FillAsync(cancellationToken))
                {
                    if (state == State.Quoted)
                    {
                        throw Error($"missing closing quote (the field opened at line {quoteLine} runs to the end of the file)");
                    }

                    if (recordLength == 0)
                    {
                        return false;
                    }

                    EndField();
                    return true;
                }

                var c = _chars[_charPos++];
                if (++recordLength > options.MaxLineLength)
                {
                    throw Error($"line longer than {options.MaxLineLength:N0} characters (line {_line}); is the file really CSV?");
                }

                if (c == '\n')
                {
                    _line++;
                }

                switch (state)
                {
                    case State.FieldStart:
                        if (c == '"')
                        {
                            state = State.Quoted;
                            quoteLine = _line;
                            continue;
                        }

                        goto case State.Unquoted;
                    case State.Unquoted:
                        if (c == _delimiter)
                        {
                            EndField();
                            state = State.FieldStart;
                        }
                        else if (c is '\r' or '\n')
                        {
                            ConsumeLineFeedAfter(c);
                            EndField();
                            return true;
                        }
                        else
                        {
                            Append(c);
                            state = State.Unquoted;
                        }

                        continue;
                    case State.Quoted:
                        if (c == '"')
                        {
                            state = State.QuoteInQuoted;
                        }
                        else
                        {
                            Append(c);
                        }

                        continue;
                    case State.QuoteInQuoted:
                        if (c == '"')
                        {
                            Append('"');
                            state = State.Quoted;
                        }
                        else if (c == _delimiter)
                        {
                            EndField();
                            state = State.FieldStart;
                        }
                        else if (c is '\r' or '\n')
                        {
                            ConsumeLineFeedAfter(c);
                            EndField();
                            return true;
                        }
                        else
                        {
                            throw Error($"unexpected '{c}' after a closing quote at line {_line} (quotes inside a quoted field must be doubled)");
                        }

                        continue;
                }
            }
        }

        public TableHeader TakeHeader()
        {
            var names = new string[_fields.Count];
            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < names.Length; i++)
            {
                names[i] = _fields[i].Trim();
                if (names[i].Length == 0)
                {
                    throw new TableReadException(file, 1, $"#{i + 1}", "empty column name in the header row");
                }

                if (!seen.Add(names[i]))
                {
                    throw new TableReadException(file, 1, names[i], "this column name appears twice in the header row");
                }
            }

            _headerNames = names;
            return new TableHeader(names);
        }

        public TableRow TakeRow(TableHeader header)
        {
            if (_fields.Count != header.Names.Count)
            {
                // A short row names its first missing column, which is where a person would look.
                throw new TableReadException(
                    file, _row, _fields.Count < header.Names.Count ? header.Names[_fields.Count] : null,
                    $"{_fields.Count} fields where the header has {header.Names.Count} (separator '{_delimiter}')");
            }

            return new TableRow(file, null, _row, header, [.. _fields]);
        }

        public void Dispose()
        {
            ArrayPool<byte>.Shared.Return(_bytes);
            ArrayPool<char>.Shared.Return(_chars);
            _bytes = [];
            _chars = [];
        }

        private static char DetectDelimiter(ReadOnlySpan<char> text)
        {
            int commas = 0, semicolons = 0;
            var quoted = false;
            foreach (var c in text)
            {
                if (c == '"')
                {
                    quoted = !quoted;
                }
                else if (!quoted && c is '\r' or '\n')
                {
                    break;
                }
                else if (!quoted && c == ',')
                {
                    commas++;
                }
                else if (!quoted && c == ';')
                {
                    semicolons++;
                }
            }

            return semicolons > commas ? ';' : ',';
        }

        private void ConsumeLineFeedAfter(char c)
        {
            // CRLF is one line end; when the CR is the last char of the buffer, the next record checks for the LF.
            if (c != '\r')
            {
                return;
            }

            if (_charPos == _charEnd)
            {
                _pendingCarriageReturn = true;
            }
            else if (_chars[_charPos] == '\n')
            {
                _charPos++;
                _line++;
            }
        }

        private void Append(char c)
        {
            if (_field.Length >= options.MaxFieldLength)
            {
                throw Error($"field longer than {options.MaxFieldLength:N0} characters");
            }

            _field.Append(c);
        }

        private void EndField()
        {
            if (_fields.Count >= options.MaxColumns)
            {
                throw Error($"more than {options.MaxColumns:N0} columns");
            }

            _fields.Add(_field.ToString());
            _field.Clear();
        }

        private TableReadException Error(string reason)
        {
            var index = _fields.Count;
            var column = _headerNames is not null && index < _headerNames.Count ? _headerNames[index] : $"#{index + 1}";
            return new TableReadException(file, _row, column, reason);
        }

        /// <summary>Decodes more chars into the empty char buffer; false at the end of the input.</summary>
        private async ValueTask<bool> FillAsync(CancellationToken cancellationToken)
        {
            while (true)
            {
                if (_invalidByteOffset is { } offset)
                {
                    throw Error($"invalid UTF-8 byte 0x{_invalidByte:X2} at line {_line}, byte offset {offset}; save the file as CSV UTF-8");
                }

                if (Decode())
                {
                    return true;
                }

                if (_eof)
                {
                    return false;
                }

                // Keep an incomplete multi-byte sequence at the end, read more behind it.
                var leftover = _byteEnd - _byteStart;
                Buffer.BlockCopy(_bytes, _byteStart, _bytes, 0, leftover);
                _byteBase += _byteStart;
                _byteStart = 0;
                var read = await input.ReadAsync(_bytes.AsMemory(leftover, BufferSize - leftover), cancellationToken);
                _byteEnd = leftover + read;
                _eof = read == 0;
            }
        }

        private bool Decode()
        {
            var status = Utf8.ToUtf16(
                _bytes.AsSpan(_byteStart, _byteEnd - _byteStart),
                _chars.AsSpan(0, BufferSize),
                out var bytesRead,
                out var charsWritten,
                replaceInvalidSequences: false,
                isFinalBlock: _eof);
            _byteStart += bytesRead;
            _charPos = 0;
            _charEnd = charsWritten;
            if (status == System.Buffers.OperationStatus.InvalidData)
            {
                // Hand out the valid chars before the bad byte first, so the error has the right line.
                _invalidByteOffset = _byteBase + _byteStart;
                _invalidByte = _bytes[_byteStart];
                if (charsWritten == 0)
                {
                    throw Error($"invalid UTF-8 byte 0x{_invalidByte:X2} at line {_line}, byte offset {_invalidByteOffset}; save the file as CSV UTF-8");
                }
            }

            return charsWritten > 0;
        }

        private enum State
        {
            FieldStart,
            Unquoted,
            Quoted,
            QuoteInQuoted,
        }
    }
}
