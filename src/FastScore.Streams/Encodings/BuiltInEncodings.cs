using System.Text.Json;
using FastScore.Streams.Descriptors;
using FastScore.Streams.Descriptors.Json;
using FastScore.Streams.Envelopes;

namespace FastScore.Streams.Encodings;

/// <summary><c>json</c>: one JSON value per record (System.Text.Json).</summary>
internal sealed class JsonEncodingProvider(JsonSerializerOptions? options = null) : EncodingProvider
{
    public override string Type => EncodingTypes.Json;

    public override IReadOnlyList<string> FileEndings { get; } = [".json", ".jsons", ".jsonl", ".ndjson"];

    public override RecordEncoding CreateEncoding(EncodingDescriptor? encoding, ComponentContext context) =>
        options is null ? JsonRecordEncoding.Default : new JsonRecordEncoding(options);
}

/// <summary><c>utf-8</c> (also read: <c>utf8</c>): one string per record; a schema must be <c>"string"</c>.</summary>
internal sealed class Utf8EncodingProvider : EncodingProvider
{
    public override string Type => EncodingTypes.Utf8;

    public override IReadOnlyList<string> FileEndings { get; } = [".utf8"];

    public override IReadOnlyList<ComponentAlias> Aliases { get; } = [new("utf8")];

    protected internal override string? CheckSchema(Avro.Schema schema) =>
        schema.Tag == Avro.Schema.Type.String ? null : "needs the schema \"string\"";

    public override RecordEncoding CreateEncoding(EncodingDescriptor? encoding, ComponentContext context) => Utf8RecordEncoding.Instance;
}

/// <summary>The null encoding (<c>"Encoding": null</c>): raw bytes; a schema must be <c>"bytes"</c>.</summary>
internal sealed class RawEncodingProvider : EncodingProvider
{
    public override string Type => EncodingTypes.Null;

    public override IReadOnlyList<string> FileEndings { get; } = [".bin"];

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

/// <summary>
/// <c>avro-binary</c>: one record is the Avro binary of one value of the stream's schema (<see cref="AvroBinary.AvroBinaryRecordEncoding"/>).
/// A schema is required; records find their own end (on a byte stream without an envelope, <see cref="Envelopes.AvroRecordFramer"/>
/// cuts them). An input on a slot whose model declares another, compatible schema decodes by Avro schema resolution
/// (the stream's schema is the writer's, the model's the reader's).
/// </summary>
internal sealed class AvroBinaryEncodingProvider : EncodingProvider
{
    public override string Type => EncodingTypes.AvroBinary;

    public override IReadOnlyList<string> FileEndings { get; } = [".avro"];

    public override bool IsSelfDelimiting => true;

    public override SchemaUse SchemaUse => SchemaUse.Required;

    internal override bool ChecksModelSchema => false;

    public override RecordEncoding CreateEncoding(EncodingDescriptor? encoding, ComponentContext context)
    {
        Avro.Schema schema = SchemaOf(context);
        try
        {
            return new AvroBinary.AvroBinaryRecordEncoding(schema, context.IsInput ? context.ModelSchema : null);
        }
        catch (AvroBinary.AvroResolutionException ex)
        {
            throw new DescriptorException("Schema", $"the model's schema cannot read records of the stream's schema: {ex.Message}");
        }
    }

    public override Framer? CreateFramer(EncodingDescriptor? encoding, ComponentContext context) => new AvroRecordFramer(SchemaOf(context));

    internal static Avro.Schema SchemaOf(ComponentContext context) =>
        context.Schema ?? throw new DescriptorException("Schema", context.Descriptor.Schema.Kind == SchemaKind.Inherit
            ? "the avro-binary encoding requires a schema: the stream inherits the model's schema ($inherit), and the model declares none for this slot."
            : "the avro-binary encoding requires a schema (records cannot be read without the schema they were written with); found null.");
}

/// <summary>
/// <c>csv</c>: one record is one CSV row (<see cref="Csv.CsvRecordEncoding"/>): <c>Delimiter</c>, <c>QuoteCharacter</c>; the
/// columns from the record schema, or on input without a schema from the header the <c>delimited-csv</c> envelope reads.
/// </summary>
internal sealed class CsvEncodingProvider : EncodingProvider
{
    public override string Type => EncodingTypes.Csv;

    public override IReadOnlyList<string> FileEndings { get; } = [".csv"];

    internal override bool ChecksModelSchema => false;

    /// <summary>The stream's columns, shared by its envelope, encoding and checker (created by whichever comes first).</summary>
    /// <exception cref="DescriptorException">The schema is not a record of column types.</exception>
    internal static Csv.CsvLayout Layout(ComponentContext context) =>
        context.Shared(() => context.Schema is null ? Csv.CsvLayout.FromHeader() : Csv.CsvLayout.FromSchema(context.Schema));

    internal static Csv.CsvFormat Format(EncodingDescriptor? encoding) =>
        encoding is CsvEncodingDescriptor d ? new Csv.CsvFormat(d.Delimiter, d.QuoteCharacter) : Csv.CsvFormat.Default;

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

    public override RecordEncoding CreateEncoding(EncodingDescriptor? encoding, ComponentContext context)
    {
        if (!context.IsInput && context.Schema is null)
        {
            throw new DescriptorException("Schema", "a csv output needs a record schema (its fields name the columns and the header); found null.");
        }

        return new Csv.CsvRecordEncoding(Format(encoding), Layout(context));
    }
}
