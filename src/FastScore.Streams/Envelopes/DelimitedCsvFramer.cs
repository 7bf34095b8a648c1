using System.Buffers;
using System.Text;
using System.Text.Unicode;
using FastScore.Streams.Descriptors;
using FastScore.Streams.Encodings.Csv;
using FastScore.Streams.Internal;

namespace FastScore.Streams.Envelopes;

/// <summary>
/// The <c>delimited-csv</c> envelope: CSV rows cut by RFC 4180, so a separator inside a quoted field does not end the
/// record. A quote opens a quoted field only at the start of a field (after the delimiter or at the start of the row); a
/// doubled quote inside it is a quote; a quote inside an unquoted field is literal here (the encoding rejects the row).
/// </summary>
/// <remarks>
/// <para><b>Separator.</b> With the default <c>"\r\n"</c>, and with <c>"\n"</c>, a record ends at a line feed outside quotes
/// and a carriage return just before it is dropped: Windows (CRLF) and Unix (LF) files both read, mixed too. Any other
/// separator must appear exactly. Output writes the configured separator.</para>
/// <para><b>Header.</b> With <c>SkipHeader</c> the first (non-blank) row is the header: it is not a record. With a schema
/// it must name the schema's fields in order, otherwise it is rejected (as a record, with the reason naming the columns
/// that differ) and the rows are still read in the schema's order; without a schema its names become the columns.
/// Output writes the header first when <c>SkipHeader</c> is set.</para>
/// <para><b>Blank lines.</b> With <c>SkipBlankLines</c> an empty row (nothing between two separators) is no record.</para>
/// <para><b>Limits.</b> A record longer than <see cref="Framer.MaxRecordSize"/> follows <see cref="Framer.OnOversize"/>; an
/// unbalanced quote makes a record run on to the next quote, so such a record ends at the end of the stream or is cut by the
/// limit (the rejection says that a quoted field is still open). The framer never buffers more than the limit.</para>
/// <para>One instance serves one stream; it is not thread-safe.</para>
/// </remarks>
internal sealed class DelimitedCsvFramer : Framer
{
    private enum Scan
    {
        Found,
        NeedMore,
    }

    private readonly CsvFormat _format;
    private readonly CsvLayout? _layout;
    private readonly byte[] _separator;
    private readonly bool _lineMode;
    private readonly bool _lineRows;
    private readonly byte _endByte;
    private readonly int _window;

    private bool _headerDone;
    private bool _skippingTail;
    private string? _reason;

    // Resumable scan of the record at the reader: how far it was scanned (from the reader's position) and the quote state there.
    private int _scanned;
    private bool _inQuotes;
    private bool _atFieldStart = true;
    private int _quoteStart;

    /// <summary>Creates the framer.</summary>
    /// <param name="format">The csv encoding's delimiter and quote.</param>
    /// <param name="layout">The columns: checked against (schema) or filled from (no schema) the header; <see langword="null"/>: none.</param>
    /// <param name="separator">The record separator.</param>
    /// <param name="skipHeader">Whether the first row is a header (input) and a header is written (output).</param>
    /// <param name="skipBlankLines">Whether empty rows are skipped.</param>
    /// <param name="maxRecordSize">The maximum record length in bytes, separator excluded.</param>
    /// <param name="onOversize">What to do with a longer record.</param>
    /// <exception cref="ArgumentException">The separator is empty or holds the quote character.</exception>
    public DelimitedCsvFramer(CsvFormat format, CsvLayout? layout = null, string separator = "\r\n", bool skipHeader = true, bool skipBlankLines = true,
        int maxRecordSize = EnvelopeDescriptor.DefaultMaxRecordSize, OversizePolicy onOversize = OversizePolicy.Reject)
        : base(maxRecordSize, onOversize)
    {
        ArgumentNullException.ThrowIfNull(format);
        ArgumentException.ThrowIfNullOrEmpty(separator);
        if (separator.Contains(format.QuoteChar, StringComparison.Ordinal))
        {
            throw new ArgumentException("The separator must not hold the quote character.", nameof(separator));
        }

        _format = format;
        _layout = layout;
        _separator = Encoding.UTF8.GetBytes(separator);
        _lineMode = separator is "\r\n" or "\n";
        _lineRows = _lineMode && format.Delimiter.Length == 1 && format.Delimiter[0] is not ((byte)'\r' or (byte)'\n') && format.Quote is not ((byte)'\r' or (byte)'\n');
        _endByte = _lineMode ? (byte)'\n' : _separator[0];
        SkipHeader = skipHeader;
        SkipBlankLines = skipBlankLines;
        _window = (int)Math.Min((long)maxRecordSize + _separator.Length + 1, int.MaxValue);
    }

    /// <summary>Gets a value indicating whether the first row is a header.</summary>
    public bool SkipHeader { get; }

    /// <summary>Gets a value indicating whether empty rows are skipped.</summary>
    public bool SkipBlankLines { get; }

    /// <summary>Gets the separator bytes written after each record.</summary>
    public ReadOnlyMemory<byte> Separator => _separator;

    /// <inheritdoc />
    protected internal override string? RejectionReason => _reason;

    /// <inheritdoc />
    public override FrameStatus TryReadFrame(ref SequenceReader<byte> reader, bool isFinalBlock, out ReadOnlySequence<byte> frame)
    {
        frame = default;
        if (_skippingTail)
        {
            return SkipTail(ref reader, isFinalBlock);
        }

        long remaining = reader.Remaining;
        if (remaining == 0)
        {
            return FrameStatus.NeedMoreData;
        }

        int limit = (int)Math.Min(remaining, _window);
        byte[]? rented = null;
        ReadOnlySpan<byte> data = reader.UnreadSpan;
        if (data.Length < limit)
        {
            rented = ArrayPool<byte>.Shared.Rent(limit);
            reader.UnreadSequence.Slice(0, limit).CopyTo(rented);
            data = rented.AsSpan(0, limit);
        }
        else
        {
            data = data[..limit];
        }

        try
        {
            bool final = isFinalBlock && limit == remaining;
            if (ScanRecord(data, final, out int content, out int consumed) == Scan.NeedMore)
            {
                if (!final)
                {
                    if (limit == _window)
                    {
                        return Oversize(ref reader, out frame);
                    }

                    return FrameStatus.NeedMoreData;
                }

                // The end of the stream: what is left is the last record.
                content = consumed = data.Length;
            }

            ResetScan();
            if (content > MaxRecordSize)
            {
                return OversizeEnded(ref reader, consumed, out frame);
            }

            if (content == 0 && SkipBlankLines)
            {
                reader.Advance(consumed);
                return FrameStatus.Skipped;
            }

            if (SkipHeader && !_headerDone)
            {
                _headerDone = true;
                string? problem = ReadHeader(data[..content]);
                reader.Advance(consumed);
                if (problem is null)
                {
                    return FrameStatus.Skipped;
                }

                _reason = problem;
                return FrameStatus.Rejected;
            }

            frame = reader.UnreadSequence.Slice(0, content);
            reader.Advance(consumed);
            return FrameStatus.Frame;
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <inheritdoc />
    protected internal override bool CanFrameSpans => true;

    /// <inheritdoc />
    /// <remarks>With the separator <c>"\r\n"</c> or <c>"\n"</c>, a one-byte delimiter, neither it nor the quote a line
    /// break, once the header is read and while no record is half-scanned.</remarks>
    internal override CsvFormat? CsvLineRows => _lineRows && !_skippingTail && _scanned == 0 && (_headerDone || !SkipHeader) ? _format : null;

    /// <inheritdoc />
    /// <remarks>Frames rows that end inside <paramref name="span"/> (rows without quotes by one vectorised search, rows with
    /// quotes by the full scan); declines everything else (blank lines to skip, the header, the rest of an oversized record, a
    /// scan carried over from a read).</remarks>
    protected internal override int TryFrameSpan(ReadOnlySpan<byte> span, out int consumed)
    {
        consumed = 0;
        if (_skippingTail || _scanned != 0 || (SkipHeader && !_headerDone))
        {
            return -1;
        }

        ReadOnlySpan<byte> searched = span.Length > _window ? span[.._window] : span;
        int index = searched.IndexOfAny(_format.Quote, _endByte);
        if (index < 0)
        {
            return -1;
        }

        int content;
        if (searched[index] == _format.Quote)
        {
            if (_lineMode && _format.Delimiter.Length == 1)
            {
                // Quotes, a one-byte delimiter: only quotes and line feeds need looking at (a quote opens a quoted field
                // only right after the delimiter or at the row's start); a row that does not end in the span is left to TryReadFrame.
                if (!TryQuotedLine(searched, index, out content, out consumed))
                {
                    return -1;
                }
            }
            else if (ScanRecord(searched, final: false, out content, out consumed) != Scan.Found)
            {
                ResetScan();
                consumed = 0;
                return -1;
            }
            else
            {
                ResetScan();
            }
        }
        else if (_lineMode)
        {
            content = index > 0 && searched[index - 1] == (byte)'\r' ? index - 1 : index;
            consumed = index + 1;
        }
        else
        {
            if (!searched[index..].StartsWith(_separator))
            {
                return -1;
            }

            content = index;
            consumed = index + _separator.Length;
        }

        if (content > MaxRecordSize || (content == 0 && SkipBlankLines))
        {
            consumed = 0;
            return -1;
        }

        return content;
    }

    // The row at the start of `span` (line mode, a one-byte delimiter) whose first quote or line feed, at `index`, is a
    // quote: the same rules as ScanRecord, with one vectorised search per quote or line feed instead of one per field. A
    // quote outside a quoted field opens one exactly when it follows the delimiter or starts the row (the byte before it
    // is then outside quotes too: a quoted field ends with a quote). False when the row does not end inside `span` (the
    // caller leaves it to TryReadFrame, which scans from scratch).
    private bool TryQuotedLine(ReadOnlySpan<byte> span, int index, out int content, out int consumed)
    {
        byte quote = _format.Quote;
        byte delimiter = _format.Delimiter[0];
        int i = index;
        content = consumed = 0;
        while (true)
        {
            // span[i] is a quote outside a quoted field.
            if (i == 0 || span[i - 1] == delimiter)
            {
                int j = i + 1;
                while (true)
                {
                    int next = span[j..].IndexOf(quote);
                    if (next < 0)
                    {
                        return false;
                    }

                    j += next;
                    if (j + 1 >= span.Length)
                    {
                        return false; // a closing quote or the first of a pair? The next byte, not here yet, says.
                    }

                    if (span[j + 1] != quote)
                    {
                        break;
                    }

                    j += 2;
                }

                i = j + 1;
            }
            else
            {
                i++; // a literal quote inside an unquoted field
            }

            int found = span[i..].IndexOfAny(quote, (byte)'\n');
            if (found < 0)
            {
                return false;
            }

            i += found;
            if (span[i] == (byte)'\n')
            {
                content = i > 0 && span[i - 1] == (byte)'\r' ? i - 1 : i;
                consumed = i + 1;
                return true;
            }
        }
    }

    /// <inheritdoc />
    public override void WriteStart(IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (SkipHeader && _layout?.Columns is { } columns)
        {
            for (int i = 0; i < columns.Count; i++)
            {
                if (i > 0)
                {
                    output.Write(_format.Delimiter);
                }

                CsvValues.WriteText(output, columns[i].Name, _format);
            }

            output.Write(_separator);
        }
    }

    /// <inheritdoc />
    public override void WriteFrame(ReadOnlySpan<byte> record, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        output.Write(record);
        output.Write(_separator);
    }

    /// <inheritdoc />
    protected internal override ReadOnlyMemory<byte> RecordSuffix => _separator;

    /// <inheritdoc />
    public override void Reset()
    {
        _headerDone = false;
        _skippingTail = false;
        _reason = null;
        ResetScan();
    }

    private void ResetScan()
    {
        _scanned = 0;
        _inQuotes = false;
        _atFieldStart = true;
        _quoteStart = 0;
    }

    // Scans the record at the start of `data` from where the last scan stopped. Found: the record's content length and
    // the bytes it takes with its separator. NeedMore: the record does not end inside `data` (the state is kept).
    private Scan ScanRecord(ReadOnlySpan<byte> data, bool final, out int content, out int consumed)
    {
        byte quote = _format.Quote;
        ReadOnlySpan<byte> delimiter = _format.Delimiter;
        byte delimiterStart = delimiter[0];
        int i = _scanned;
        content = consumed = 0;
        while (i < data.Length)
        {
            if (_inQuotes)
            {
                int next = data[i..].IndexOf(quote);
                if (next < 0)
                {
                    i = data.Length;
                    break;
                }

                int j = i + next;
                if (j + 1 >= data.Length)
                {
                    if (!final)
                    {
                        i = j; // is it a closing quote or the first of a pair? The next byte says.
                        break;
                    }

                    _inQuotes = false;
                    i = j + 1;
                    continue;
                }

                if (data[j + 1] == quote)
                {
                    i = j + 2;
                    continue;
                }

                _inQuotes = false;
                _atFieldStart = false;
                i = j + 1;
                continue;
            }

            if (_atFieldStart && data[i] == quote)
            {
                _inQuotes = true;
                _quoteStart = i;
                _atFieldStart = false;
                i++;
                continue;
            }

            int found = data[i..].IndexOfAny(quote, _endByte, delimiterStart);
            if (found < 0)
            {
                _atFieldStart = false;
                i = data.Length;
                break;
            }

            int k = i + found;
            if (found > 0)
            {
                _atFieldStart = false;
            }

            byte b = data[k];
            if (b == _endByte)
            {
                if (_lineMode)
                {
                    content = k > 0 && data[k - 1] == (byte)'\r' ? k - 1 : k;
                    consumed = k + 1;
                    return Scan.Found;
                }

                if (data[k..].StartsWith(_separator))
                {
                    content = k;
                    consumed = k + _separator.Length;
                    return Scan.Found;
                }

                if (!final && data.Length - k < _separator.Length && _separator.AsSpan().StartsWith(data[k..]))
                {
                    i = k; // a separator may be cut by the end of the buffer
                    break;
                }
            }

            if (b == delimiterStart)
            {
                if (data[k..].StartsWith(delimiter))
                {
                    _atFieldStart = true;
                    i = k + delimiter.Length;
                    continue;
                }

                if (!final && data.Length - k < delimiter.Length && delimiter.StartsWith(data[k..]))
                {
                    i = k;
                    break;
                }
            }

            // A byte that ends nothing (a quote inside an unquoted field is literal here).
            _atFieldStart = false;
            i = k + 1;
        }

        _scanned = i;
        return Scan.NeedMore;
    }

    private string? ReadHeader(ReadOnlySpan<byte> header)
    {
        if (!Utf8.IsValid(header))
        {
            return "the header line is not UTF-8";
        }

        CsvRowParser.TryParse(header, _format, [], out int count, out _);
        var fields = new CsvField[count];
        if (!CsvRowParser.TryParse(header, _format, fields, out _, out string? error))
        {
            return $"the header line is not CSV: {error}";
        }

        string[] names = new string[count];
        for (int i = 0; i < count; i++)
        {
            names[i] = CsvValues.Text(header, fields[i], _format.Quote);
        }

        if (_layout is null)
        {
            return null;
        }

        _layout.SetHeader(names);
        return _layout.Mismatch(names);
    }

    // The record at the reader is longer than MaxRecordSize.
    private FrameStatus Oversize(ref SequenceReader<byte> reader, out ReadOnlySequence<byte> frame)
    {
        OversizedRecords++;
        string open = _inQuotes ? $"; the quoted field that starts at byte {_quoteStart} of the record is still open (an unbalanced quote?)" : "";
        if (OnOversize == OversizePolicy.Fail)
        {
            ResetScan();
            ThrowHelper.ThrowOversize(MaxRecordSize);
        }

        _reason = $"the record is longer than MaxRecordSize ({MaxRecordSize} bytes){open}";
        _skippingTail = true;
        _scanned -= MaxRecordSize; // the scan state stays valid for the rest of the record
        if (_scanned < 0)
        {
            ResetScan(); // (cannot happen: the scan reached the window)
        }

        if (OnOversize == OversizePolicy.Truncate)
        {
            frame = reader.UnreadSequence.Slice(0, MaxRecordSize);
            reader.Advance(MaxRecordSize);
            return FrameStatus.Frame;
        }

        frame = default;
        reader.Advance(MaxRecordSize);
        return FrameStatus.Rejected;
    }

    // The record at the reader is longer than MaxRecordSize, and its end (`consumed` bytes on) is buffered.
    private FrameStatus OversizeEnded(ref SequenceReader<byte> reader, int consumed, out ReadOnlySequence<byte> frame)
    {
        OversizedRecords++;
        if (OnOversize == OversizePolicy.Fail)
        {
            ThrowHelper.ThrowOversize(MaxRecordSize);
        }

        _reason = $"the record is longer than MaxRecordSize ({MaxRecordSize} bytes)";
        frame = OnOversize == OversizePolicy.Truncate ? reader.UnreadSequence.Slice(0, MaxRecordSize) : default;
        reader.Advance(consumed);
        return OnOversize == OversizePolicy.Truncate ? FrameStatus.Frame : FrameStatus.Rejected;
    }

    // Discards the rest of an oversized record, up to and including its separator, keeping the quote state.
    private FrameStatus SkipTail(ref SequenceReader<byte> reader, bool isFinalBlock)
    {
        long remaining = reader.Remaining;
        if (remaining == 0)
        {
            if (isFinalBlock)
            {
                _skippingTail = false;
                ResetScan();
            }

            return FrameStatus.NeedMoreData;
        }

        int limit = (int)Math.Min(remaining, 64 * 1024);
        byte[]? rented = null;
        ReadOnlySpan<byte> data = reader.UnreadSpan;
        if (data.Length < limit)
        {
            rented = ArrayPool<byte>.Shared.Rent(limit);
            reader.UnreadSequence.Slice(0, limit).CopyTo(rented);
            data = rented.AsSpan(0, limit);
        }
        else
        {
            data = data[..limit];
        }

        try
        {
            bool final = isFinalBlock && limit == remaining;
            if (ScanRecord(data, final, out _, out int consumed) == Scan.Found)
            {
                _skippingTail = false;
                ResetScan();
                reader.Advance(consumed);
                return FrameStatus.Skipped;
            }

            if (final)
            {
                _skippingTail = false;
                ResetScan();
                reader.Advance(data.Length);
                return FrameStatus.Skipped;
            }

            int scanned = _scanned;
            if (scanned == 0)
            {
                return FrameStatus.NeedMoreData;
            }

            _scanned = 0;
            _quoteStart = 0;
            reader.Advance(scanned);
            return FrameStatus.Skipped;
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }
}
