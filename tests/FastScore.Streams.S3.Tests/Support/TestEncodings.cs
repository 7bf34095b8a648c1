using FastScore.Streams.Descriptors;
using FastScore.Streams.Encodings;

namespace FastScore.Streams.S3.Tests.Support;

/// <summary>Registers the core encodings (raw, json, utf-8) where the factory has none of that name yet.</summary>
internal static class TestEncodings
{
    public static StreamFactoryOptions WithTestEncodings(this StreamFactoryOptions options)
    {
        return options; // the core registers them: kept so that the tests read as before
    }
}
