using FastScore.Streams.Descriptors;

namespace FastScore.Streams.Schemas;

/// <summary>Checks <c>json</c> records: against an Avro schema, or only their JSON syntax when the stream is untyped.</summary>
internal sealed class JsonCheckerProvider : SchemaCheckerProvider
{
    public override string EncodingType => EncodingTypes.Json;

    public override SchemaChecker Create(Avro.Schema? schema, EncodingDescriptor? encoding) =>
        schema is null ? JsonSyntaxChecker.Instance : new JsonAvroSchemaChecker(schema);
}

/// <summary>Checks <c>utf-8</c> records: against the schema <c>"string"</c>, or only UTF-8 validity when the stream is untyped.</summary>
internal sealed class Utf8CheckerProvider : SchemaCheckerProvider
{
    public override string EncodingType => EncodingTypes.Utf8;

    public override SchemaChecker Create(Avro.Schema? schema, EncodingDescriptor? encoding) =>
        schema is null ? Utf8OnlyChecker.Instance : new Utf8AvroSchemaChecker(schema);
}

/// <summary>Checks raw-bytes records (the null encoding): every record is valid for the schema <c>"bytes"</c>.</summary>
internal sealed class BytesCheckerProvider : SchemaCheckerProvider
{
    public override string EncodingType => EncodingTypes.Null;

    public override SchemaChecker Create(Avro.Schema? schema, EncodingDescriptor? encoding) =>
        schema is null ? AcceptAllChecker.Instance : new BytesAvroSchemaChecker(schema);
}

/// <summary>Checks <c>avro-binary</c> records by a skip-parse of the stream's schema (<see cref="AvroBinarySchemaChecker"/>); the encoding requires a schema.</summary>
internal sealed class AvroBinaryCheckerProvider : SchemaCheckerProvider
{
    public override string EncodingType => EncodingTypes.AvroBinary;

    public override SchemaChecker Create(Avro.Schema? schema, EncodingDescriptor? encoding) =>
        new AvroBinarySchemaChecker(schema ?? throw new DescriptorException("Schema", "the avro-binary encoding requires a schema; found null."));
}

/// <summary>Checks <c>csv</c> rows against the stream's columns (<see cref="CsvSchemaChecker"/>), the same columns its envelope and encoding use.</summary>
internal sealed class CsvCheckerProvider : SchemaCheckerProvider
{
    public override string EncodingType => EncodingTypes.Csv;

    public override SchemaChecker Create(Avro.Schema? schema, EncodingDescriptor? encoding) =>
        new CsvSchemaChecker(Encodings.CsvEncodingProvider.Format(encoding), schema is null ? Encodings.Csv.CsvLayout.FromHeader() : Encodings.Csv.CsvLayout.FromSchema(schema));

    internal override SchemaChecker Create(Avro.Schema? schema, EncodingDescriptor? encoding, ComponentContext context) =>
        ReferenceEquals(schema, context.Schema)
            ? new CsvSchemaChecker(Encodings.CsvEncodingProvider.Format(encoding), Encodings.CsvEncodingProvider.Layout(context))
            : Create(schema, encoding);
}
