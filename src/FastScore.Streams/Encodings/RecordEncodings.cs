using System.Text.Json;
using FastScore.Streams.Descriptors;

namespace FastScore.Streams.Encodings;

/// <summary>Creates the built-in encodings from encoding descriptors.</summary>
public static class RecordEncodings
{
    /// <summary>Gets the encoding for a descriptor.</summary>
    /// <param name="encoding">The encoding, or <see langword="null"/> for raw bytes (<see cref="RawRecordEncoding"/>).</param>
    /// <param name="jsonOptions">Serializer options for the <c>json</c> encoding; <see langword="null"/> for <see cref="JsonRecordEncoding.Default"/>.</param>
    /// <returns>The encoding (a shared instance unless <paramref name="jsonOptions"/> is given; encodings are thread-safe).</returns>
    /// <exception cref="NotSupportedException">The encoding is not implemented yet (<c>avro-binary</c>, <c>csv</c>) or unknown.</exception>
    public static RecordEncoding Create(EncodingDescriptor? encoding, JsonSerializerOptions? jsonOptions = null) => encoding?.Type switch
    {
        null => RawRecordEncoding.Instance,
        EncodingTypes.Json => jsonOptions is null ? JsonRecordEncoding.Default : new JsonRecordEncoding(jsonOptions),
        EncodingTypes.Utf8 or "utf8" => Utf8RecordEncoding.Instance,
        EncodingTypes.AvroBinary => throw new NotSupportedException("The avro-binary encoding comes in a later release."),
        EncodingTypes.Csv => throw new NotSupportedException("The csv encoding comes in a later release."),
        _ => throw new NotSupportedException($"Encoding '{encoding.Type}' is not supported."),
    };
}
