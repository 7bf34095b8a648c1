using FastScore.Streams.Descriptors;

namespace FastScore.Streams.Schemas;

/// <summary>Creates the schema checker for a stream's (schema, encoding) pair.</summary>
public static class SchemaCheckers
{
    /// <summary>Gets a checker that accepts every record.</summary>
    public static SchemaChecker AcceptAll => AcceptAllChecker.Instance;

    /// <summary>Creates the checker for a schema and an encoding.</summary>
    /// <param name="schema">The Avro schema, or <see langword="null"/> when typing is off.</param>
    /// <param name="encoding">The stream's encoding, or <see langword="null"/> for raw bytes.</param>
    /// <returns>
    /// With a schema: <see cref="JsonAvroSchemaChecker"/>, <see cref="Utf8AvroSchemaChecker"/> or
    /// <see cref="BytesAvroSchemaChecker"/>. Without: for <c>json</c> a checker of JSON syntax only, for <c>utf-8</c>
    /// a checker of UTF-8 validity only, otherwise <see cref="AcceptAll"/>. Checkers are thread-safe; build one per
    /// stream and reuse it.
    /// </returns>
    /// <exception cref="DescriptorException">The schema does not suit the encoding (utf-8 needs "string", raw bytes need "bytes").</exception>
    /// <exception cref="NotSupportedException">The encoding is not implemented yet (<c>avro-binary</c>, <c>csv</c>) or unknown.</exception>
    public static SchemaChecker Create(Avro.Schema? schema, EncodingDescriptor? encoding)
    {
        string? type = encoding?.Type;
        if (type is EncodingTypes.AvroBinary or EncodingTypes.Csv)
        {
            throw new NotSupportedException($"Schema checking for the {type} encoding comes in a later release.");
        }

        if (schema is null)
        {
            return type switch
            {
                EncodingTypes.Json => JsonSyntaxChecker.Instance,
                EncodingTypes.Utf8 or "utf8" => Utf8OnlyChecker.Instance,
                _ => AcceptAllChecker.Instance,
            };
        }

        return type switch
        {
            null => new BytesAvroSchemaChecker(schema),
            EncodingTypes.Json => new JsonAvroSchemaChecker(schema),
            EncodingTypes.Utf8 or "utf8" => new Utf8AvroSchemaChecker(schema),
            _ => throw new NotSupportedException($"Schema checking for the {type} encoding is not supported."),
        };
    }
}
