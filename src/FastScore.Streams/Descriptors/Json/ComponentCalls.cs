using FastScore.Streams.Encodings;
using FastScore.Streams.Envelopes;
using FastScore.Streams.Transports;

namespace FastScore.Streams.Descriptors.Json;

/// <summary>
/// Calls into providers and descriptor types from other packages while a descriptor is read or checked: what one of
/// them throws becomes an error at the part's path (a descriptor error, never a stack trace).
/// </summary>
internal static class ComponentCalls
{
    public static TransportDescriptor Read(TransportProvider provider, DescriptorFields fields, ErrorSink sink, string path) =>
        Guard(() => provider.Read(fields), sink, path, provider.Type, "transport") ?? new CustomTransportDescriptor(provider.Type, default, false, false);

    public static EnvelopeDescriptor Read(EnvelopeProvider provider, DescriptorFields fields, ErrorSink sink, string path) =>
        Guard(() => provider.Read(fields), sink, path, provider.Type, "envelope") ?? new DelimitedEnvelopeDescriptor();

    public static EncodingDescriptor Read(EncodingProvider provider, DescriptorFields fields, ErrorSink sink, string path) =>
        Guard(() => provider.Read(fields), sink, path, provider.Type, "encoding") ?? new EncodingDescriptor(provider.Type);

    public static void Validate(TransportDescriptor transport, ErrorSink sink, string path) =>
        _ = Guard<object>(() => { transport.Validate(new DescriptorErrors(sink, path)); return sink; }, sink, path, transport.Type, "transport");

    public static void Validate(EnvelopeDescriptor envelope, ErrorSink sink, string path) =>
        _ = Guard<object>(() => { envelope.Validate(new DescriptorErrors(sink, path)); return sink; }, sink, path, envelope.Type, "envelope");

    public static void Validate(EncodingDescriptor encoding, ErrorSink sink, string path) =>
        _ = Guard<object>(() => { encoding.Validate(new DescriptorErrors(sink, path)); return sink; }, sink, path, encoding.Type, "encoding");

    private static T? Guard<T>(Func<T?> call, ErrorSink sink, string path, string type, string kind)
        where T : class
    {
        try
        {
            T? result = call();
            if (result is null)
            {
                sink.Error(path, $"the {type} {kind} provider gave no descriptor.");
            }

            return result;
        }
        catch (DescriptorException ex)
        {
            foreach (DescriptorError error in ex.Errors)
            {
                sink.Error(error.Path.Length == 0 ? path : error.Path, error.Message);
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            sink.Error(path, $"the {type} {kind} provider failed: {ex.GetType().Name}: {ex.Message}");
        }

        return null;
    }
}
