using FastScore.Streams.Descriptors;
using FastScore.Streams.Encodings;

namespace FastScore.Streams.S3.Tests.Support;

/// <summary>Registers the core encodings (raw, json, utf-8) where the factory has none of that name yet.</summary>
internal static class TestEncodings
{
    public static StreamFactoryOptions WithTestEncodings(this StreamFactoryOptions options)
    {
        options.Encodings.TryAdd(StreamFactoryOptions.NullEncodingKey, _ => RecordEncodings.Create(null));
        options.Encodings.TryAdd(EncodingTypes.Json, d => RecordEncodings.Create(d));
        options.Encodings.TryAdd(EncodingTypes.Utf8, d => RecordEncodings.Create(d));
        return options;
    }
}
