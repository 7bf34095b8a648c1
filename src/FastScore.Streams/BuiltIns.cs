using FastScore.Streams.Descriptors;
using FastScore.Streams.Encodings;
using FastScore.Streams.Envelopes;
using FastScore.Streams.Transports;

namespace FastScore.Streams;

/// <summary>Registers the components that ship with the core package.</summary>
internal static class BuiltIns
{
    public static void Register(StreamFactoryOptions options)
    {
        foreach (TransportProvider provider in new TransportProvider[]
                 {
                     new FileTransportProvider(), new InlineTransportProvider(), new DiscardTransportProvider(), new ConsoleTransportProvider(),
                 })
        {
            options.Transports[provider.Type] = provider;
        }

        foreach (string envelope in (string[])[EnvelopeTypes.Delimited, EnvelopeTypes.Fixed, EnvelopeTypes.OcfBlock, EnvelopeTypes.DelimitedCsv])
        {
            options.Envelopes[envelope] = Framers.Create;
        }

        foreach (string encoding in (string[])[StreamFactoryOptions.NullEncodingKey, EncodingTypes.Json, EncodingTypes.Utf8, EncodingTypes.AvroBinary, EncodingTypes.Csv])
        {
            options.Encodings[encoding] = d => RecordEncodings.Create(d);
        }
    }

    public static Framer NoEnvelope() => Framers.Create(null);
}
