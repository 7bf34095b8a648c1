using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Nodes;
using FastScore.Streams.Internal;
using FastScore.Streams.Schemas;

namespace FastScore.Streams.Encodings.Csv;

/// <summary>
/// The <c>csv</c> encoding: one record is one CSV row (RFC 4180 fields split by <see cref="CsvFormat.Delimiter"/>, quoted
/// with <see cref="CsvFormat.Quote"/>), without its record separator. The columns, their names and types come from the
/// stream's record schema (in field order) or, on input without a schema, from the header line the
/// <c>delimited-csv</c> envelope reads (every value is then text).
/// </summary>
/// <remarks>
/// <para>Host types. Decode: a POCO (members bound by name as for avro-binary, read by compiled accessors),
/// <see cref="JsonElement"/>, <see cref="JsonNode"/> and <see cref="object"/> (a JSON object, one property per column,
/// typed by the schema; an empty field of a nullable column is null), <see cref="string"/>[] (the fields' text),
/// <see cref="byte"/>[] and <see cref="ReadOnlyMemory{T}"/> (the row, not decoded). Encode: the same types.</para>
/// <para>Values: int and long in the invariant integer form, float and double in the invariant float form (the shortest
/// round-trip form on output), booleans <c>true</c>/<c>false</c> in any case, enums by symbol. An unquoted empty field is
/// null in a nullable column; a quoted empty field (<c>""</c>) is the empty string; an empty string is written quoted.</para>
/// <para>One instance serves one stream (it shares the <see cref="CsvLayout"/> its envelope fills from the header); it is
/// thread-safe once the header is read.</para>
/// </remarks>
internal sealed class CsvRecordEncoding : RecordEncoding
{
    private readonly ConcurrentDictionary<Type, object> _readers = new();
    private readonly ConcurrentDictionary<Type, object> _writers = new();
    private object? _lastReader;

    /// <summary>Creates the encoding.</summary>
    /// <param name="format">The delimiter and quote.</param>
    /// <param name="layout">The columns (from the schema, or filled from the header).</param>
    public CsvRecordEncoding(CsvFormat format, CsvLayout layout)
    {
        ArgumentNullException.ThrowIfNull(format);
        ArgumentNullException.ThrowIfNull(layout);
        Format = format;
        Layout = layout;
    }

    /// <summary>Gets the delimiter and quote.</summary>
    public CsvFormat Format { get; }

    /// <summary>Gets the columns.</summary>
    public CsvLayout Layout { get; }

    /// <inheritdoc />
    public override string? Name => "csv";

    private IReadOnlyList<CsvColumn> Columns =>
        Layout.Columns ?? throw new StreamFormatException("the csv stream has no schema and its header line has not been read, so its columns are unknown");

    /// <inheritdoc />
    public override T Decode<T>(ReadOnlySpan<byte> record)
    {
        if (typeof(T) == typeof(byte[]))
        {
            return (T)(object)record.ToArray();
        }

        if (typeof(T) == typeof(ReadOnlyMemory<byte>))
        {
            return (T)(object)new ReadOnlyMemory<byte>(record.ToArray());
        }

        IReadOnlyList<CsvColumn> columns = Columns;
        if (typeof(T) == typeof(string[]))
        {
            CsvField[] fields = Split(record, columns);
            string[] texts = new string[columns.Count];
            for (int i = 0; i < texts.Length; i++)
            {
                texts[i] = CsvValues.Text(record, fields[i], Format.Quote);
            }

            return (T)(object)texts;
        }

        if (typeof(T) == typeof(JsonElement) || typeof(T) == typeof(object))
        {
            using JsonDocument document = JsonDocument.Parse(ToJsonBytes(record));
            return (T)(object)document.RootElement.Clone();
        }

        if (typeof(T) == typeof(JsonNode) || typeof(T) == typeof(JsonObject))
        {
            return (T)(object)JsonNode.Parse(ToJsonBytes(record))!;
        }

        if (typeof(T) == typeof(string) || typeof(T).IsPrimitive || typeof(T) == typeof(JsonArray) || typeof(T) == typeof(JsonValue))
        {
            throw new NotSupportedException($"The csv encoding decodes a row to a class, JsonElement, JsonNode, JsonObject, string[] or bytes, not {typeof(T).Name}.");
        }

        CsvField[] split = Split(record, columns);
        if (!ReaderOf<T>(columns).TryRead(record, split, validate: true, out T value, out string? error))
        {
            throw new StreamFormatException(error!);
        }

        return value;
    }

    /// <summary>Decodes a row to a POCO without throwing for bad data (the fast path of input streams).</summary>
    internal bool TryDecode<T>(ReadOnlySpan<byte> record, bool validate, out T value, out RecordRejection rejection)
    {
        IReadOnlyList<CsvColumn> columns = Columns;
        if (validate && ReaderOf<T>(columns).TryReadRow(record, Format, out value))
        {
            rejection = default;
            return true; // split, checked and read in one pass
        }

        CsvField[] fields = CsvRows.Buffer(columns.Count);
        if (!CsvRows.TrySplit(record, Format, columns, fields, out rejection))
        {
            value = default!;
            return false;
        }

        if (ReaderOf<T>(columns).TryRead(record, fields, validate, out value, out string? error))
        {
            return true;
        }

        rejection = new RecordRejection(RejectionKind.Schema, error!);
        return false;
    }

    /// <summary>The row as a JSON object (UTF-8).</summary>
    /// <exception cref="StreamFormatException">The row is not a valid record.</exception>
    public byte[] ToJsonBytes(ReadOnlySpan<byte> record)
    {
        var buffer = new ArrayBufferWriter<byte>(Math.Max(64, record.Length * 2));
        CsvRows.WriteJson(record, Format, Columns, buffer);
        return buffer.WrittenSpan.ToArray();
    }

    private CsvField[] Split(ReadOnlySpan<byte> record, IReadOnlyList<CsvColumn> columns)
    {
        CsvField[] fields = CsvRows.Buffer(columns.Count);
        return CsvRows.TrySplit(record, Format, columns, fields, out RecordRejection rejection) ? fields : throw new StreamFormatException(rejection.Reason);
    }

    /// <inheritdoc />
    public override void Encode<T>(T value, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        switch (value)
        {
            case byte[] bytes:
                output.Write(bytes);
                return;
            case ReadOnlyMemory<byte> memory:
                output.Write(memory.Span);
                return;
            case string[] texts:
                WriteTexts(texts, output);
                return;
            case JsonElement element:
                WriteJson(element, output);
                return;
            case JsonNode node:
            {
                using JsonDocument document = JsonDocument.Parse(node.ToJsonString());
                WriteJson(document.RootElement, output);
                return;
            }

            case null:
                throw new StreamFormatException("$: null is not a record");
            case string or Array or System.Collections.IEnumerable:
            case not null when typeof(T).IsPrimitive:
                throw new NotSupportedException($"The csv encoding writes a class, JsonElement, JsonNode, string[] or bytes, not {value.GetType().Name}.");
            default:
                WriterOf<T>(Columns).Write(value, output);
                return;
        }
    }

    /// <summary>Writes the header line (the column names, without the record separator).</summary>
    /// <param name="output">Where the bytes go.</param>
    public void WriteHeader(IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        IReadOnlyList<CsvColumn> columns = Columns;
        for (int i = 0; i < columns.Count; i++)
        {
            if (i > 0)
            {
                output.Write(Format.Delimiter);
            }

            CsvValues.WriteText(output, columns[i].Name, Format);
        }
    }

    private void WriteTexts(string[] texts, IBufferWriter<byte> output)
    {
        for (int i = 0; i < texts.Length; i++)
        {
            if (i > 0)
            {
                output.Write(Format.Delimiter);
            }

            if (texts[i] is { } text)
            {
                CsvValues.WriteText(output, text, Format);
            }
        }
    }

    private void WriteJson(JsonElement element, IBufferWriter<byte> output)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new StreamFormatException($"$: a csv record is written from a JSON object, not {element.ValueKind}");
        }

        IReadOnlyList<CsvColumn> columns = Columns;
        for (int i = 0; i < columns.Count; i++)
        {
            if (i > 0)
            {
                output.Write(Format.Delimiter);
            }

            CsvColumn column = columns[i];
            if (!element.TryGetProperty(column.Name, out JsonElement v) || v.ValueKind == JsonValueKind.Null)
            {
                if (!column.Nullable && Layout.Schema is not null)
                {
                    throw new StreamFormatException($"$.{column.Name}: {(v.ValueKind == JsonValueKind.Null ? "null" : "missing")}, and the column is not nullable");
                }

                continue;
            }

            switch (v.ValueKind)
            {
                case JsonValueKind.String:
                    CsvValues.WriteText(output, v.GetString()!, Format);
                    break;
                case JsonValueKind.True or JsonValueKind.False:
                    CsvValues.WriteBoolean(output, v.GetBoolean());
                    break;
                case JsonValueKind.Number when column.Type == CsvType.Int && v.TryGetInt32(out int n):
                    CsvValues.WriteFormatted(output, n);
                    break;
                case JsonValueKind.Number when column.Type == CsvType.Long && v.TryGetInt64(out long l):
                    CsvValues.WriteFormatted(output, l);
                    break;
                case JsonValueKind.Number when column.Type == CsvType.Float:
                    CsvValues.WriteFormatted(output, v.GetSingle());
                    break;
                case JsonValueKind.Number when column.Type is CsvType.Double or CsvType.String:
                    output.Write(JsonMarshalRaw(v));
                    break;
                default:
                    string raw = v.GetRawText();
                    throw new StreamFormatException($"$.{column.Name}: {(raw.Length <= 40 ? raw : raw[..40] + "…")} cannot be written to the column of type {column.Type.ToString().ToLowerInvariant()}");
            }
        }
    }

    private static byte[] JsonMarshalRaw(JsonElement element) => System.Text.Encoding.UTF8.GetBytes(element.GetRawText());

    internal CsvPocoReader<T> ReaderOf<T>(IReadOnlyList<CsvColumn> columns)
    {
        if (_lastReader is CsvPocoReader<T> last)
        {
            return last;
        }

        var reader = (CsvPocoReader<T>)_readers.GetOrAdd(typeof(T), static (_, state) => state.self.CreateReader<T>(state.columns), (self: this, columns));
        _lastReader = reader;
        return reader;
    }

    private CsvPocoWriter<T> WriterOf<T>(IReadOnlyList<CsvColumn> columns) =>
        (CsvPocoWriter<T>)_writers.GetOrAdd(typeof(T), static (_, state) => state.self.CreateWriter<T>(state.columns), (self: this, columns));

    private const string ReflectionJustification =
        "The reflection-built readers and writers are used only where the runtime supports dynamic code (not under Native AOT); "
        + "without it, host types go through their JSON form and the JSON encoding's serializer options.";

    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = ReflectionJustification)]
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = ReflectionJustification)]
    private CsvPocoReader<T> CreateReader<T>(IReadOnlyList<CsvColumn> columns) =>
        EmittedCode.IsSupported ? CsvPocoCodec.CreateReader<T>(columns, Format) : new CsvJsonReader<T>(this);

    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = ReflectionJustification)]
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = ReflectionJustification)]
    private CsvPocoWriter<T> CreateWriter<T>(IReadOnlyList<CsvColumn> columns) =>
        EmittedCode.IsSupported ? CsvPocoCodec.CreateWriter<T>(columns, Format) : new CsvJsonWriter<T>(this);

    /// <summary>Recognises a control row: first field <c>$fastscore.end</c>, <c>.set</c> or <c>.pig</c>, then optionally id, timestamp and misc (<see cref="CsvControl"/>).</summary>
    public override bool TryReadControl(ReadOnlySpan<byte> record, out ControlRecord control) => CsvControl.TryRead(record, Format, out control);

    /// <summary>Writes a control row (<see cref="CsvControl"/>).</summary>
    public override void WriteControl(ControlRecord control, IBufferWriter<byte> output) => CsvControl.Write(control, Format, output);

    /// <inheritdoc />
    internal override CheckingDecoder<T>? CreateCheckingDecoder<T>(SchemaChecker checker)
    {
        if (checker is not CsvSchemaChecker csv || csv.Layout != Layout || !csv.Format.SameSyntax(Format) || Layout.Schema is null
            || typeof(T) == typeof(object) || typeof(T) == typeof(string) || typeof(T).IsPrimitive || typeof(T).IsValueType
            || typeof(T).IsArray || typeof(JsonNode).IsAssignableFrom(typeof(T)) || typeof(T) == typeof(JsonElement))
        {
            return null;
        }

        return new CsvCheckingDecoder<T>(this);
    }

    private sealed class CsvCheckingDecoder<T>(CsvRecordEncoding encoding) : CheckingDecoder<T>
    {
        private readonly byte _quote = encoding.Format.Quote;
        private readonly byte _delimiter = encoding.Format.Delimiter[0];
        private readonly CsvEmittedReader<T>? _emitted = Emitted(encoding);

        // The emitted one-pass reader, called straight from here (the schema's columns never change), when there is one.
        private static CsvEmittedReader<T>? Emitted(CsvRecordEncoding encoding)
        {
            try
            {
                return encoding.Format.Delimiter.Length == 1 && encoding.Layout.Columns is { } columns
                    ? (encoding.ReaderOf<T>(columns) as ReflectionReader<T>)?.Emitted
                    : null;
            }
            catch (Exception ex) when (ex is NotSupportedException or StreamFormatException)
            {
                return null; // the usual way says why, row by row
            }
        }

        private CsvFormat? _rows; // the last framer format found to be of this encoding's syntax

        public override int TryDecodeLineRow(ReadOnlySpan<byte> span, CsvFormat rows, int maxLength, out int consumed, out T value)
        {
            value = default!;
            consumed = 0;
            if (_emitted is not { } emitted || (!ReferenceEquals(rows, _rows) && !SameRows(rows)))
            {
                return -1;
            }

            int length = emitted.TryFrameRead(span, _delimiter, _quote, out T? read, out consumed);
            if (length <= 0 || length > maxLength
                || ((span[0] == (byte)'$' || span[0] == _quote) && encoding.TryReadControl(span[..length], out _)))
            {
                consumed = 0;
                return -1; // an empty row (perhaps skipped), an oversized one, a control row: the framer and the usual way decide
            }

            value = read!;
            return length;
        }

        public override bool DecodesLineRows => _emitted is { ReadsMany: true };

        public override int TryDecodeLineRows(ReadOnlySpan<byte> span, CsvFormat rows, int maxLength, T[] values, int[] lengths, int[] ends, int count) =>
            _emitted is { } emitted && (ReferenceEquals(rows, _rows) || SameRows(rows))
                ? emitted.TryFrameReadMany(span, _delimiter, _quote, maxLength, values!, lengths, ends, count)
                : 0;

        private bool SameRows(CsvFormat rows)
        {
            if (!rows.SameSyntax(encoding.Format) || rows.Delimiter.Length != 1)
            {
                return false;
            }

            _rows = rows;
            return true;
        }

        public override bool TryDecodeValid(ReadOnlySpan<byte> record, out T value)
        {
            if (record.Length > 0 && (record[0] == (byte)'$' || record[0] == _quote) && encoding.TryReadControl(record, out _))
            {
                value = default!;
                return false; // a control row takes the usual way
            }

            if (_emitted is { } emitted && emitted.TryRead(record, _delimiter, _quote, out T? read))
            {
                value = read!;
                return true;
            }

            try
            {
                return encoding.TryDecode(record, validate: true, out value, out _);
            }
            catch (Exception ex) when (ex is NotSupportedException or StreamFormatException)
            {
                value = default!;
                return false;
            }
        }
    }

    /// <summary>Reads a host type through its JSON form (Native AOT).</summary>
    private sealed class CsvJsonReader<T>(CsvRecordEncoding encoding) : CsvPocoReader<T>
    {
        public override bool TryRead(ReadOnlySpan<byte> row, ReadOnlySpan<CsvField> fields, bool validate, out T value, out string? error)
        {
            try
            {
                value = JsonRecordEncoding.Default.Decode<T>(encoding.ToJsonBytes(row));
                error = null;
                return true;
            }
            catch (Exception ex) when (ex is JsonException or StreamFormatException or NotSupportedException or InvalidOperationException)
            {
                value = default!;
                error = $"$: cannot be read as {typeof(T).Name}: {ex.Message}";
                return false;
            }
        }
    }

    /// <summary>Writes a host type through its JSON form (Native AOT).</summary>
    private sealed class CsvJsonWriter<T>(CsvRecordEncoding encoding) : CsvPocoWriter<T>
    {
        public override void Write(T value, IBufferWriter<byte> output)
        {
            var buffer = new ArrayBufferWriter<byte>(256);
            JsonRecordEncoding.Default.Encode(value, buffer);
            using JsonDocument document = JsonDocument.Parse(buffer.WrittenMemory);
            encoding.WriteJson(document.RootElement, output);
        }
    }
}
