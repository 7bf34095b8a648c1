using FastScore.Streams.Descriptors;

namespace FastScore.Streams.S3.Tests.Support;

/// <summary>The FastScore guide's S3 descriptors (Fixtures/s3-*.json), parsed with their <c>Endpoint</c> pointed at the test server.</summary>
internal static class GuideDescriptors
{
    /// <summary>The endpoint written in the fixtures; replaced with the test server's.</summary>
    public const string FixtureEndpoint = "http://127.0.0.1:4568";

    public static string FixturePath(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", name);

    /// <summary>Reads descriptors with the s3 transport registered (the core alone does not know it).</summary>
    public static StreamDescriptorOptions Options { get; } = new StreamFactoryOptions().AddS3().CreateDescriptorOptions();

    public static StreamDescriptor Load(string name, string endpoint) =>
        StreamDescriptor.Parse(File.ReadAllText(FixturePath(name)).Replace(FixtureEndpoint, endpoint, StringComparison.Ordinal), Options);
}
