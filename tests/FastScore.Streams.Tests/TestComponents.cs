using FastScore.Streams.Descriptors;
using FastScore.Streams.Encodings;
using FastScore.Streams.Envelopes;
using FastScore.Streams.Schemas;

namespace FastScore.Streams.Tests;

/// <summary>Creates components through the core's registry, as the stream factory does (the switch factories they replace are gone).</summary>
internal static class TestComponents
{
    private static readonly ComponentContext s_context = new(new StreamDescriptor { Transport = new DiscardTransportDescriptor() }, schema: null, isInput: true);

    public static Framer Framer(EnvelopeDescriptor? envelope, Avro.Schema? schema = null) =>
        envelope is null ? new NoneFramer()
        : ComponentRegistry.Default.TryGetEnvelope(envelope.Type, out EnvelopeProvider? provider) ? provider.CreateFramer(envelope, schema is null ? s_context : new ComponentContext(s_context.Descriptor, schema, isInput: true))
        : throw new DescriptorException("Envelope", $"'{envelope.Type}' is not registered.");

    public static RecordEncoding Encoding(EncodingDescriptor? encoding, System.Text.Json.JsonSerializerOptions? json = null, Avro.Schema? schema = null) =>
        json is not null ? new JsonRecordEncoding(json)
        : ComponentRegistry.Default.TryGetEncoding(encoding?.Type ?? EncodingTypes.Null, out EncodingProvider? provider) ? provider.CreateEncoding(encoding, schema is null ? s_context : new ComponentContext(s_context.Descriptor, schema, isInput: true))
        : throw new DescriptorException("Encoding", $"'{encoding?.Type}' is not registered.");

    public static SchemaChecker Checker(Avro.Schema? schema, EncodingDescriptor? encoding) =>
        ComponentRegistry.Default.TryGetSchemaChecker(encoding?.Type ?? EncodingTypes.Null, out SchemaCheckerProvider? provider) ? provider.Create(schema, encoding)
        : throw new DescriptorException("Schema", $"no checker for '{encoding?.Type}'.");
}

/// <summary>A transport known only by its name and capabilities: descriptors naming it are read into a <see cref="CustomTransportDescriptor"/>; it creates nothing.</summary>
internal sealed class DescriptorOnlyTransport(string type, bool preservesRecordBoundaries, bool isSeekable, bool canRead = true, bool canWrite = true) : FastScore.Streams.Transports.TransportProvider
{
    public override string Type => type;

    public override bool PreservesRecordBoundaries => preservesRecordBoundaries;

    public override bool IsSeekable => isSeekable;

    public override bool CanRead => canRead;

    public override bool CanWrite => canWrite;

    public static StreamDescriptorOptions Options(params DescriptorOnlyTransport[] transports)
    {
        var registry = new ComponentRegistry();
        foreach (DescriptorOnlyTransport transport in transports)
        {
            registry.Add(transport);
        }

        return new StreamDescriptorOptions { Components = registry };
    }
}
