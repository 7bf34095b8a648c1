using System.Text.Json;
using FastScore.Streams.Schemas.Json;

namespace FastScore.Streams.Schemas;

/// <summary>
/// Checks <c>json</c> records against an Avro schema in one streaming pass over the bytes (no parsing into objects,
/// no allocation for valid records). See docs/schemas.md for how each Avro type is matched.
/// </summary>
/// <remarks>
/// Invalid JSON (or invalid UTF-8) is rejected with <see cref="RejectionKind.Encoding"/> and the reader's message; a
/// mismatch is rejected with <see cref="RejectionKind.Schema"/> and a reason naming the path, for example
/// <c>$.petal_width: expected float, got "abc"</c>. The checker is immutable and thread-safe.
/// </remarks>
public sealed class JsonAvroSchemaChecker : AvroSchemaChecker
{
    private static readonly JsonReaderOptions s_readerOptions = new() { MaxDepth = 64 };

    private readonly SchemaNode _root;

    /// <summary>Compiles the checker for a schema.</summary>
    /// <param name="schema">The Avro schema (any type, named and recursive types included).</param>
    public JsonAvroSchemaChecker(Avro.Schema schema)
        : base(schema) => _root = SchemaCompiler.Compile(schema);

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
        int pos = 0;
        FastJson.SkipWhitespace(record, ref pos);
        if (!_root.Scan(record, ref pos, 0))
        {
            return false;
        }

        FastJson.SkipWhitespace(record, ref pos);
        return pos == record.Length;
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
            rejection = new RecordRejection(RejectionKind.Encoding, ex.Message);
            return false;
        }
    }
}

/// <summary>Checks that <c>json</c> records are valid JSON (when the stream has no schema).</summary>
internal sealed class JsonSyntaxChecker : SchemaChecker
{
    public static readonly JsonSyntaxChecker Instance = new();

    private static readonly JsonReaderOptions s_readerOptions = new() { MaxDepth = 64 };

    public override bool TryCheck(ReadOnlySpan<byte> record, out RecordRejection rejection)
    {
        if (!System.Text.Unicode.Utf8.IsValid(record))
        {
            return Utf8OnlyChecker.Instance.TryCheck(record, out rejection);
        }

        try
        {
            var reader = new Utf8JsonReader(record, s_readerOptions);
            reader.Read();
            reader.Skip();
            reader.Read();
            rejection = default;
            return true;
        }
        catch (JsonException ex)
        {
            rejection = new RecordRejection(RejectionKind.Encoding, ex.Message);
            return false;
        }
    }
}
