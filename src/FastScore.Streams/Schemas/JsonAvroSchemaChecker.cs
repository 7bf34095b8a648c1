using System.Runtime.CompilerServices;
using System.Text.Json;
using FastScore.Streams.Internal;
using FastScore.Streams.Schemas.Json;

namespace FastScore.Streams.Schemas;

/// <summary>
/// Checks <c>json</c> records against an Avro schema in one streaming pass over the bytes (no parsing into objects,
/// no allocation for valid records). See docs/schemas.md for how each Avro type is matched.
/// </summary>
/// <remarks>
/// Invalid JSON (or invalid UTF-8) is rejected with <see cref="RejectionKind.Encoding"/> and the reader's message; a
/// mismatch is rejected with <see cref="RejectionKind.Schema"/> and a reason naming the path, for example
/// <c>$.petal_width: expected float, got "abc"</c>. The checker is thread-safe; its only state is the key order records
/// come in, which it learns to prove them faster (the verdicts do not depend on it).
/// </remarks>
internal sealed class JsonAvroSchemaChecker : AvroSchemaChecker
{
    private const int MaxEmissions = 4;

    private static readonly JsonReaderOptions s_readerOptions = new() { MaxDepth = 64 };

    private readonly SchemaNode _root;

    // The root record, when an in-order scanner can be emitted for it (flat, scalar fields), else null.
    private readonly RecordNode? _flatRoot;

    // The emitted scanner for the key order records have (learned from the first record with every field), if any.
    private InOrderRecordScanner? _inOrder;

    // Misses: records the in-order scanner declines (or, before there is one, valid records it could not be learned from);
    // when too many, it stops being tried (and learned).
    private FastPathScore _inOrderScore;

    // Scanners emitted so far (a new key order is learned at most MaxEmissions times).
    private int _emissions;

    /// <summary>Compiles the checker for a schema.</summary>
    /// <param name="schema">The Avro schema (any type, named and recursive types included).</param>
    public JsonAvroSchemaChecker(Avro.Schema schema)
        : base(schema)
    {
        _root = SchemaCompiler.Compile(schema);
        Standard = new StandardCheck(Descriptors.EncodingTypes.Json, schema);
        _flatRoot = _root is RecordNode record && EmittedCode.IsEnabled && InOrderRecordScanner.CanScan(record) ? record : null;
    }

    /// <inheritdoc />
    internal override StandardCheck Standard { get; }

    /// <inheritdoc />
    public override bool TryCheck(ReadOnlySpan<byte> record, out RecordRejection rejection)
    {
        // Fast path: a byte scanner proves common records valid (UTF-8 included); anything else gets the full check.
        if (FastAccepts(record))
        {
            rejection = default;
            return true;
        }

        return TryCheckUtf8(record, out rejection) && FullCheck(record, out rejection);
    }

    /// <summary>The fast path alone: whether the byte scanner proves the record valid (and UTF-8).</summary>
    internal bool FastAccepts(ReadOnlySpan<byte> record)
    {
        if (_flatRoot is null || !_inOrderScore.Tried)
        {
            return GeneralAccepts(record);
        }

        // Most streams have their keys in one order: a scanner emitted for that order proves those records with
        // constant key comparisons and the same value scans. Anything else goes to the general scanner.
        InOrderRecordScanner? inOrder = _inOrder;
        if (inOrder is not null)
        {
            if (inOrder.Accepts(record))
            {
                _inOrderScore.Hit();
                return true;
            }

            _inOrderScore.Miss();
        }

        if (!GeneralAccepts(record))
        {
            return false;
        }

        // Learn the order from the first valid record, and again when most records are in another one.
        if ((inOrder is null || _inOrderScore.HalfWay) && _emissions < MaxEmissions)
        {
            Learn(record, inOrder);
        }

        return true;
    }

    /// <summary>Gets the emitted scanner for the key order records were seen in, if one was emitted (for tests).</summary>
    internal InOrderRecordScanner? InOrderScanner => _inOrder;

    /// <summary>Gets a value indicating whether records are tried with an emitted in-order scanner first (until too many are not in its order).</summary>
    internal bool TriesInOrder => _flatRoot is not null && _inOrderScore.Tried;

    /// <summary>The general byte scanner alone (any key order).</summary>
    internal bool GeneralAccepts(ReadOnlySpan<byte> record)
    {
        int pos = 0;
        FastJson.SkipWhitespace(record, ref pos);
        if (!_root.Scan(record, ref pos, 0))
        {
            return false;
        }

        FastJson.SkipWhitespace(record, ref pos);
        return pos == record.Length;
    }

    // A valid record the in-order scanner (if any) declined: emit a scanner for its key order when it has every field.
    private void Learn(ReadOnlySpan<byte> record, InOrderRecordScanner? current)
    {
        int[]? order = _flatRoot!.KeyOrder(record, out byte[][] separators);
        if (order is null || (current is not null && order.AsSpan().SequenceEqual(current.Order)))
        {
            if (current is null)
            {
                _inOrderScore.Miss(); // records without every field: stop looking for an order after many
            }

            return;
        }

        if (Interlocked.Increment(ref _emissions) > MaxEmissions)
        {
            return;
        }

        InOrderRecordScanner? learned = InOrderRecordScanner.TryCreate(_flatRoot, order, separators);
        if (learned is null)
        {
            _inOrderScore.Stop(); // cannot emit: the general scanner takes every record
            return;
        }

        Volatile.Write(ref _inOrder, learned);
        _inOrderScore.Reset();
    }

    /// <summary>The full check alone (on a UTF-8 record): exact verdict and message.</summary>
    internal bool FullCheck(ReadOnlySpan<byte> record, out RecordRejection rejection)
    {
        var reader = new Utf8JsonReader(record, s_readerOptions);
        var context = new CheckContext(record);
        try
        {
            reader.Read();
            if (_root.Check(ref reader, ref context))
            {
                // Reading past the value throws on trailing data.
                reader.Read();
                rejection = default;
                return true;
            }

            // Finish reading, so that a record that is also invalid JSON is rejected by encoding, as when decoding first.
            while (reader.Read())
            {
            }

            rejection = new RecordRejection(RejectionKind.Schema, context.Describe());
            return false;
        }
        catch (JsonException ex)
        {
            rejection = new RecordRejection(RejectionKind.Encoding, Descriptors.Json.JsonErrors.ForRecord(ex));
            return false;
        }
    }
}

/// <summary>Checks that <c>json</c> records are valid JSON (when the stream has no schema).</summary>
internal sealed class JsonSyntaxChecker : SchemaChecker
{
    public static readonly JsonSyntaxChecker Instance = new();

    private static readonly StandardCheck s_standard = new(Descriptors.EncodingTypes.Json, null);

    private static readonly JsonReaderOptions s_readerOptions = new() { MaxDepth = 64 };

    internal override StandardCheck Standard => s_standard;

    public override bool TryCheck(ReadOnlySpan<byte> record, out RecordRejection rejection)
    {
        // Fast path: a byte scanner proves common records valid (UTF-8 included); anything else gets the full check.
        if (FastJson.AcceptsAnyValue(record))
        {
            rejection = default;
            return true;
        }

        return FullCheck(record, out rejection);
    }

    /// <summary>The full check alone (<c>Utf8JsonReader</c>): exact verdict and message.</summary>
    internal static bool FullCheck(ReadOnlySpan<byte> record, out RecordRejection rejection)
    {
        if (!System.Text.Unicode.Utf8.IsValid(record))
        {
            return Utf8OnlyChecker.Instance.TryCheck(record, out rejection);
        }

        try
        {
            // One value and nothing after it (an empty record, or data after the value, throws); every string must be text.
            var reader = new Utf8JsonReader(record, s_readerOptions);
            while (reader.Read())
            {
                if (reader.TokenType is JsonTokenType.String or JsonTokenType.PropertyName)
                {
                    StringValues.EnsureText(ref reader);
                }
            }

            rejection = default;
            return true;
        }
        catch (JsonException ex)
        {
            rejection = new RecordRejection(RejectionKind.Encoding, Descriptors.Json.JsonErrors.ForRecord(ex));
            return false;
        }
    }
}
