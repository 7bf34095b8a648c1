using System.Text.Json;
using FastScore.Streams.Descriptors;
using FastScore.Streams.Descriptors.Json;
using FastScore.Streams.Envelopes;

namespace FastScore.Streams.Encodings;

/// <summary><c>json</c>: one JSON value per record (System.Text.Json).</summary>
internal sealed class JsonEncodingProvider(JsonSerializerOptions? options = null) : EncodingProvider
{
    public override string Type => EncodingTypes.Json;

    public override RecordEncoding CreateEncoding(EncodingDescriptor? encoding, ComponentContext context) =>
        options is null ? JsonRecordEncoding.Default : new JsonRecordEncoding(options);
}

/// <summary><c>utf-8</c> (also read: <c>utf8</c>): one string per record; a schema must be <c>"string"</c>.</summary>
internal sealed class Utf8EncodingProvider : EncodingProvider
{
    public override string Type => EncodingTypes.Utf8;

    public override IReadOnlyList<ComponentAlias> Aliases { get; } = [new("utf8")];

    protected internal override string? CheckSchema(Avro.Schema schema) =>
        schema.Tag == Avro.Schema.Type.String ? null : "needs the schema \"string\"";

    public override RecordEncoding CreateEncoding(EncodingDescriptor? encoding, ComponentContext context) => Utf8RecordEncoding.Instance;
}

/// <summary>The null encoding (<c>"Encoding": null</c>): raw bytes; a schema must be <c>"bytes"</c>.</summary>
internal sealed class RawEncodingProvider : EncodingProvider
{
    public override string Type => EncodingTypes.Null;

    protected internal override string? CheckSchema(Avro.Schema schema) =>
        schema.Tag == Avro.Schema.Type.Bytes ? null : "needs the schema \"bytes\"";

    public override RecordEncoding CreateEncoding(EncodingDescriptor? encoding, ComponentContext context) => RawRecordEncoding.Instance;
}

/// <summary>
/// An encoding FastScore defines whose descriptor is read and checked here, but which no registered provider runs yet
/// (<c>avro-binary</c>, <c>csv</c>, <c>msgpack</c>, <c>soap-rpc</c>). A package that implements it registers a provider
/// of the same name, which replaces this one.
/// </summary>
internal sealed class DeclaredEncodingProvider(string type, bool isSelfDelimiting, SchemaUse schemaUse) : EncodingProvider
{
    public override string Type => type;

    public override bool IsSelfDelimiting => isSelfDelimiting;

    public override SchemaUse SchemaUse => schemaUse;

    public override RecordEncoding CreateEncoding(EncodingDescriptor? encoding, ComponentContext context) =>
        throw NotAvailable.Error("Encoding", "encoding", Type);
}

/// <summary><c>csv</c>: read and checked here (delimiter, quote character, the record schema it needs); a CSV package registers the provider that runs it.</summary>
internal sealed class CsvEncodingProvider : EncodingProvider
{
    public override string Type => EncodingTypes.Csv;

    public override IReadOnlyList<string> Fields { get; } = ["Delimiter", "QuoteCharacter"];

    public override string DefaultEnvelope => EnvelopeTypes.DelimitedCsv;

    protected internal override EncodingDescriptor Read(DescriptorFields fields)
    {
        char quote = '"';
        if (fields.TryGet("QuoteCharacter", out DescriptorValue value))
        {
            if (value.Kind == System.Text.Json.JsonValueKind.String && value.GetString().Length == 1)
            {
                quote = value.GetString()[0];
            }
            else
            {
                fields.Errors.Add("QuoteCharacter", $"expected a string of exactly one character, e.g. \"\\\"\"; found {value.Describe()}.");
            }
        }

        return new CsvEncodingDescriptor { Delimiter = fields.OptionalString("Delimiter") ?? ",", QuoteCharacter = quote };
    }

    protected internal override string? CheckSchema(Avro.Schema schema) =>
        schema.Tag == Avro.Schema.Type.Record ? null : "needs a record schema (its fields name the columns)";

    protected internal override void ValidateStream(EncodingDescriptor encoding, TransportDescriptor? transport, SchemaReference schema, DescriptorErrors errors)
    {
        if (schema.Kind == SchemaKind.None && transport is { PreservesRecordBoundaries: true })
        {
            errors.Add("Schema", $"a csv stream over {DescriptorFinisher.WithArticle(transport.Type)} transport has no header line, so it needs a record schema; found null.");
        }
    }

    public override RecordEncoding CreateEncoding(EncodingDescriptor? encoding, ComponentContext context) =>
        throw NotAvailable.Error("Encoding", "encoding", Type);
}
