using System.Text.Json;
using System.Text.Json.Nodes;
using FastScore.Streams.Descriptors;

namespace FastScore.Streams.Rest;

/// <summary>
/// Reads descriptors the way the REST API and <c>fastscore serve</c> do: <see cref="StreamDescriptor.Parse(string, StreamDescriptorOptions?)"/>
/// and <see cref="StreamDescriptor.FromArgument"/>, plus the REST transport's own default: a REST stream whose
/// descriptor has no <c>Batching</c> gets <see cref="RoundTripBatching"/> (<c>{"Watermark": null, "NagleTime": 0}</c>,
/// FastScore's rest-trip pattern), so round trips never wait for a batch to fill.
/// </summary>
public static class RestDescriptors
{
    /// <summary>Gets the batching a REST stream gets when its descriptor has none: no record limit, no waiting.</summary>
    public static BatchingDescriptor RoundTripBatching { get; } = new(null, 0);

    /// <summary>The core's components and the <c>rest</c> transport: what descriptors are read with when no options are given.</summary>
    private static readonly StreamDescriptorOptions s_coreAndRest = new()
    {
        Components = new ComponentRegistry().Add(new Transports.RestTransportProvider(new Transports.RestTransportHub())),
    };

    /// <summary>Parses descriptor JSON, applying the REST batching default.</summary>
    /// <param name="json">The descriptor.</param>
    /// <param name="options">The schema library and the registered components, or <see langword="null"/> for the core's components and <c>rest</c>.</param>
    /// <returns>The validated descriptor.</returns>
    /// <exception cref="DescriptorException">The descriptor is invalid.</exception>
    public static StreamDescriptor Parse(string json, StreamDescriptorOptions? options = null) =>
        WithRestDefaults(StreamDescriptor.Parse(json, options ?? s_coreAndRest), HasBatching(json));

    /// <summary>Reads a command-line stream argument (descriptor file, descriptor JSON, or literal such as <c>rest:</c>), applying the REST batching default.</summary>
    /// <param name="text">The argument.</param>
    /// <param name="options">The schema library and the registered components, or <see langword="null"/> for the core's components and <c>rest</c>.</param>
    /// <returns>The validated descriptor.</returns>
    /// <exception cref="DescriptorException">The file, JSON or literal is invalid.</exception>
    public static StreamDescriptor FromArgument(string text, StreamDescriptorOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        StreamDescriptor descriptor = StreamDescriptor.FromArgument(text, options ?? s_coreAndRest);
        bool batchingGiven = File.Exists(text) ? HasBatching(File.ReadAllText(text))
            : text.TrimStart().StartsWith('{') && HasBatching(text);
        return WithRestDefaults(descriptor, batchingGiven);
    }

    /// <summary>Applies the REST batching default to a descriptor whose JSON had no <c>Batching</c> field.</summary>
    /// <param name="descriptor">The descriptor.</param>
    /// <param name="batchingGiven">Whether its JSON set <c>Batching</c> (then it is kept).</param>
    /// <returns>The descriptor, with <see cref="RoundTripBatching"/> when it is a REST stream without explicit batching.</returns>
    public static StreamDescriptor WithRestDefaults(StreamDescriptor descriptor, bool batchingGiven)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        return descriptor.Transport is RestTransportDescriptor && !batchingGiven ? descriptor with { Batching = RoundTripBatching } : descriptor;
    }

    /// <summary>
    /// The text of a descriptor received as UTF-8 bytes. Bytes that are not UTF-8 are an error naming the field that holds
    /// them (decoding them would silently turn them into U+FFFD).
    /// </summary>
    /// <exception cref="DescriptorException">The bytes are not UTF-8.</exception>
    internal static string Text(byte[] utf8, StreamDescriptorOptions? options)
    {
        if (!System.Text.Unicode.Utf8.IsValid(utf8))
        {
            _ = StreamDescriptor.Parse(utf8, options); // reports the field (or malformed JSON) with its path
            throw new DescriptorException(string.Empty, "the descriptor is not UTF-8 text.");
        }

        return System.Text.Encoding.UTF8.GetString(utf8);
    }

    internal static JsonNode ToDisplay(StreamDescriptor descriptor) => JsonNode.Parse(descriptor.ToDisplayJson(indented: false))!;

    internal static JsonNode ToInternal(StreamDescriptor descriptor) => JsonNode.Parse(descriptor.ToInternalJson(indented: false))!;

    private static bool HasBatching(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.EnumerateObject().Any(p => p.Name.Equals("Batching", StringComparison.OrdinalIgnoreCase));
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
