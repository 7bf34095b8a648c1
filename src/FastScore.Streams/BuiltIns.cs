using FastScore.Streams.Descriptors;
using FastScore.Streams.Encodings;
using FastScore.Streams.Envelopes;
using FastScore.Streams.Schemas;
using FastScore.Streams.Transports;

namespace FastScore.Streams;

/// <summary>Registers the components that ship with the core package, as providers like any other.</summary>
internal static class BuiltIns
{
    public static void Register(ComponentRegistry registry)
    {
        registry.Add(new FileTransportProvider()).Add(new InlineTransportProvider()).Add(new DiscardTransportProvider()).Add(new ConsoleTransportProvider());
        registry.Add(new TcpTransportProvider()).Add(new UdpTransportProvider()).Add(new ExecTransportProvider()).Add(new HttpTransportProvider());

        registry.Add(new DelimitedEnvelopeProvider()).Add(new FixedEnvelopeProvider()).Add(new OcfBlockEnvelopeProvider()).Add(new DelimitedCsvEnvelopeProvider());
        registry.Add(new JsonEncodingProvider()).Add(new Utf8EncodingProvider()).Add(new RawEncodingProvider())
            .Add(new AvroBinaryEncodingProvider()).Add(new CsvEncodingProvider());
        registry.Add(new JsonCheckerProvider()).Add(new Utf8CheckerProvider()).Add(new BytesCheckerProvider())
            .Add(new AvroBinaryCheckerProvider()).Add(new CsvCheckerProvider());

        // FastScore names whose descriptors are read and checked here, but which no registered provider runs yet: a
        // package that implements one registers a provider of the same name, which replaces it.
        registry.Add(new DeclaredEncodingProvider(EncodingTypes.MsgPack, isSelfDelimiting: true, SchemaUse.Optional))
            .Add(new DeclaredEncodingProvider(EncodingTypes.SoapRpc, isSelfDelimiting: true, SchemaUse.Forbidden));
    }
}
