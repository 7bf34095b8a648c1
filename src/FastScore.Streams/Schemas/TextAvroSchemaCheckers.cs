using FastScore.Streams.Descriptors;

namespace FastScore.Streams.Schemas;

/// <summary>
/// Checks <c>utf-8</c> records: the schema must be <c>"string"</c> (or a union with a string branch), and a record
/// is valid when it is valid UTF-8 (otherwise it is rejected by encoding). Thread-safe.
/// </summary>
internal sealed class Utf8AvroSchemaChecker : AvroSchemaChecker
{
    /// <summary>Creates the checker.</summary>
    /// <param name="schema">The schema: <c>"string"</c> or a union containing it.</param>
    /// <exception cref="DescriptorException">The schema is not a string schema.</exception>
    public Utf8AvroSchemaChecker(Avro.Schema schema)
        : base(schema)
    {
        if (!IsOrHas(schema, Avro.Schema.Type.String))
        {
            throw new DescriptorException("Schema", $"the utf-8 encoding needs the schema \"string\", not {schema}.");
        }

        Standard = new StandardCheck(EncodingTypes.Utf8, schema);
    }

    /// <inheritdoc />
    internal override StandardCheck Standard { get; }

    /// <inheritdoc />
    internal override bool HasStableVerdicts => true;

    /// <inheritdoc />
    public override bool TryCheck(ReadOnlySpan<byte> record, out RecordRejection rejection) => TryCheckUtf8(record, out rejection);
}

/// <summary>
/// Checks records of the null (raw bytes) encoding: the schema must be <c>"bytes"</c> (or a union with a bytes
/// branch), and every record is valid. Thread-safe.
/// </summary>
internal sealed class BytesAvroSchemaChecker : AvroSchemaChecker
{
    /// <summary>Creates the checker.</summary>
    /// <param name="schema">The schema: <c>"bytes"</c> or a union containing it.</param>
    /// <exception cref="DescriptorException">The schema is not a bytes schema.</exception>
    public BytesAvroSchemaChecker(Avro.Schema schema)
        : base(schema)
    {
        if (!IsOrHas(schema, Avro.Schema.Type.Bytes))
        {
            throw new DescriptorException("Schema", $"the null encoding (raw bytes) needs the schema \"bytes\", not {schema}.");
        }

        Standard = new StandardCheck(null, schema);
    }

    /// <inheritdoc />
    internal override StandardCheck Standard { get; }

    /// <inheritdoc />
    internal override bool HasStableVerdicts => true;

    /// <inheritdoc />
    public override bool TryCheck(ReadOnlySpan<byte> record, out RecordRejection rejection)
    {
        rejection = default;
        return true;
    }
}

/// <summary>Accepts every record (no schema, and nothing the encoding can check).</summary>
internal sealed class AcceptAllChecker : SchemaChecker
{
    public static readonly AcceptAllChecker Instance = new();

    internal override bool HasStableVerdicts => true;

    public override bool TryCheck(ReadOnlySpan<byte> record, out RecordRejection rejection)
    {
        rejection = default;
        return true;
    }
}

/// <summary>Checks that records are UTF-8 (utf-8 encoding without a schema).</summary>
internal sealed class Utf8OnlyChecker : SchemaChecker
{
    public static readonly Utf8OnlyChecker Instance = new();

    internal override StandardCheck Standard { get; } = new(EncodingTypes.Utf8, null);

    internal override bool HasStableVerdicts => true;

    public override bool TryCheck(ReadOnlySpan<byte> record, out RecordRejection rejection)
    {
        if (System.Text.Unicode.Utf8.IsValid(record))
        {
            rejection = default;
            return true;
        }

        int index = 0;
        while (System.Text.Rune.DecodeFromUtf8(record[index..], out _, out int consumed) == System.Buffers.OperationStatus.Done)
        {
            index += consumed;
        }

        rejection = new RecordRejection(RejectionKind.Encoding, $"invalid UTF-8 at byte {index}");
        return false;
    }
}
