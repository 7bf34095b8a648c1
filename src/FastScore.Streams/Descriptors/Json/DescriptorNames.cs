namespace FastScore.Streams.Descriptors.Json;

/// <summary>The known type, envelope and encoding names, matched case-insensitively, and their old spellings.</summary>
internal static class DescriptorNames
{
    public static readonly string[] BuiltInTransports =
    [
        TransportTypes.Console, TransportTypes.Discard, TransportTypes.Exec, TransportTypes.File, TransportTypes.Hdfs,
        TransportTypes.Http, TransportTypes.Inline, TransportTypes.Kafka, TransportTypes.Odbc, TransportTypes.Rest,
        TransportTypes.S3, TransportTypes.Tcp, TransportTypes.Udp,
    ];

    public static readonly string[] Envelopes =
        [EnvelopeTypes.Delimited, EnvelopeTypes.Fixed, EnvelopeTypes.OcfBlock, EnvelopeTypes.DelimitedCsv];

    public static readonly string[] Encodings =
        [EncodingTypes.Json, EncodingTypes.Utf8, EncodingTypes.Csv, EncodingTypes.MsgPack, EncodingTypes.AvroBinary, EncodingTypes.SoapRpc];

    /// <summary>The Avro primitive type names a <c>$ref</c> may name without a library entry.</summary>
    public static readonly string[] AvroPrimitives = ["null", "boolean", "int", "long", "float", "double", "bytes", "string"];

    public static bool IsBuiltInTransport(string name) =>
        BuiltInTransports.Contains(name, StringComparer.OrdinalIgnoreCase);

    /// <summary>All transport names known with these options, sorted.</summary>
    public static IReadOnlyList<string> KnownTransports(StreamDescriptorOptions options) =>
        [.. BuiltInTransports.Concat(options.CustomTransports.Keys).Order(StringComparer.Ordinal)];

    /// <summary>Finds the canonical envelope name; <paramref name="oldSpelling"/> is set for <c>deliminated</c>.</summary>
    public static string? CanonicalEnvelope(string name, out bool oldSpelling)
    {
        oldSpelling = false;
        string trimmed = name.Trim();
        if (trimmed.Equals("deliminated", StringComparison.OrdinalIgnoreCase))
        {
            oldSpelling = true;
            return EnvelopeTypes.Delimited;
        }

        return Envelopes.FirstOrDefault(e => e.Equals(trimmed, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>Finds the canonical encoding name (<c>utf8</c> → <c>utf-8</c>).</summary>
    public static string? CanonicalEncoding(string name)
    {
        string trimmed = name.Trim();
        if (trimmed.Equals("utf8", StringComparison.OrdinalIgnoreCase))
        {
            return EncodingTypes.Utf8;
        }

        return Encodings.FirstOrDefault(e => e.Equals(trimmed, StringComparison.OrdinalIgnoreCase));
    }

    public static string UnknownTransportMessage(string name, StreamDescriptorOptions options)
    {
        IReadOnlyList<string> known = KnownTransports(options);
        return $"'{name}' is not a known transport; known: {string.Join(", ", known)}.{NameSuggester.DidYouMean(name, known)}";
    }

    public static string UnknownEnvelopeMessage(string name) =>
        $"'{name}' is not a known envelope; known: {string.Join(", ", Envelopes)} (or null for no framing).{NameSuggester.DidYouMean(name, Envelopes)}";

    public static string UnknownEncodingMessage(string name) =>
        $"'{name}' is not a known encoding; known: {string.Join(", ", Encodings)} (or null for raw bytes).{NameSuggester.DidYouMean(name, Encodings)}";
}
