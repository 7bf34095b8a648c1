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

        // json, utf-8 (also spelled utf8) and the null (raw bytes) encoding; avro-binary and csv come later.
        options.Encodings[StreamFactoryOptions.NullEncodingKey] = _ => RawRecordEncoding.Instance;
        options.Encodings[EncodingTypes.Json] = static e => RecordEncodings.Create(e);
        options.Encodings[EncodingTypes.Utf8] = static _ => Utf8RecordEncoding.Instance;
        options.Encodings["utf8"] = static _ => Utf8RecordEncoding.Instance;
    }

    public static Framer NoEnvelope() => Framers.Create(null);
}
