using System.Text.Json;
using FastScore.Streams.Descriptors;

namespace FastScore.Streams.S3.Tests.Support;

/// <summary>
/// Reads the S3 descriptors of the FastScore guide (Fixtures/s3-*.json) with their <c>Endpoint</c> pointed at the test
/// server. A minimal reader for the s3 form only, until descriptor parsing (<c>StreamDescriptor.Parse</c>) is on this branch.
/// </summary>
internal static class GuideDescriptors
{
    /// <summary>The endpoint written in the fixtures; replaced with the test server's.</summary>
    public const string FixtureEndpoint = "http://127.0.0.1:4568";

    public static string FixturePath(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", name);

    public static StreamDescriptor Load(string name, string endpoint)
    {
        string json = File.ReadAllText(FixturePath(name)).Replace(FixtureEndpoint, endpoint, StringComparison.Ordinal);
        using JsonDocument document = JsonDocument.Parse(json);
        JsonElement root = document.RootElement;
        JsonElement transport = Get(root, "Transport") ?? throw new InvalidDataException("no Transport");
        if (!string.Equals(Get(transport, "Type")?.GetString(), "s3", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidDataException("not an S3 descriptor");
        }

        return new StreamDescriptor
        {
            Transport = new S3TransportDescriptor
            {
                Bucket = Get(transport, "Bucket")!.Value.GetString()!,
                ObjectKey = Get(transport, "ObjectKey")!.Value.GetString()!,
                Region = Get(transport, "Region")?.GetString() ?? "us-east-1",
                IntegrityChecks = Get(transport, "IntegrityChecks")?.GetBoolean() ?? false,
                AccessKeyId = Get(transport, "AccessKeyID")?.GetString(),
                SecretAccessKey = Get(transport, "SecretAccessKey")?.GetString(),
                Endpoint = Get(transport, "Endpoint")?.GetString(),
                AssumeRoleWithSaml = Get(transport, "AssumeRoleWithSAML")?.GetRawText(),
            },
            Envelope = new DelimitedEnvelopeDescriptor(),
            Encoding = Get(root, "Encoding")?.GetString() is { } encoding ? new EncodingDescriptor(encoding.ToLowerInvariant()) : null,
        };
    }

    private static JsonElement? Get(JsonElement element, string name)
    {
        foreach (JsonProperty property in element.EnumerateObject())
        {
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return property.Value.ValueKind == JsonValueKind.Null ? null : property.Value;
            }
        }

        return null;
    }
}
