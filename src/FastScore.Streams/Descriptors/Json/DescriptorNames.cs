namespace FastScore.Streams.Descriptors.Json;

/// <summary>The component names a descriptor may use (those of the registry in use) and the messages about unknown ones.</summary>
internal static class DescriptorNames
{
    /// <summary>The Avro primitive type names a <c>$ref</c> may name without a library entry.</summary>
    public static readonly string[] AvroPrimitives = ["null", "boolean", "int", "long", "float", "double", "bytes", "string"];

    /// <summary>All transport names known with these options, sorted.</summary>
    public static IReadOnlyList<string> KnownTransports(StreamDescriptorOptions options) =>
        [.. options.Components.TransportNames.Concat(DescriptorReader.LegacyTransports).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];

    public static string UnknownTransportMessage(string name, StreamDescriptorOptions options)
    {
        IReadOnlyList<string> known = KnownTransports(options);
        return $"'{name}' is not a known transport; known: {string.Join(", ", known)}.{NameSuggester.DidYouMean(name, known)}";
    }

    public static string UnknownEnvelopeMessage(string name, StreamDescriptorOptions options)
    {
        IReadOnlyList<string> known = options.Components.EnvelopeNames;
        return $"'{name}' is not a known envelope; known: {string.Join(", ", known)} (or null for no framing).{NameSuggester.DidYouMean(name, known)}";
    }

    public static string UnknownEncodingMessage(string name, StreamDescriptorOptions options)
    {
        IReadOnlyList<string> known = options.Components.EncodingNames;
        return $"'{name}' is not a known encoding; known: {string.Join(", ", known)} (or null for raw bytes).{NameSuggester.DidYouMean(name, known)}";
    }
}
