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
    }

    public static Framer NoEnvelope() => throw new NotSupportedException("No envelope framer is registered yet.");
}
