namespace FastScore.Streams.Descriptors.Json;

/// <summary>Value rules for a transport's fields: each descriptor type checks its own (<see cref="TransportDescriptor.Validate"/>).</summary>
internal static class TransportRules
{
    public static void Validate(TransportDescriptor transport, ErrorSink sink, string path = "Transport") =>
        ComponentCalls.Validate(transport, sink, path);
}
