using System.Text.Encodings.Web;
using System.Text.Json;

namespace FastScore.Streams.Descriptors.Json;

/// <summary>Shared JSON settings.</summary>
internal static class DescriptorJson
{
    /// <summary>Reading: comments are skipped, trailing commas are errors, nesting is capped.</summary>
    public static readonly JsonDocumentOptions DocumentOptions = new()
    {
        CommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = false,
        MaxDepth = 64,
    };

    public static readonly JsonReaderOptions ReaderOptions = new()
    {
        CommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = false,
        MaxDepth = 64,
    };

    /// <summary>Only used to quote strings in messages (no reflection: strings only).</summary>
    public static readonly JsonSerializerOptions RelaxedOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        TypeInfoResolver = DescriptorJsonContext.Default,
    };

    public static JsonWriterOptions WriterOptions(bool indented) => new()
    {
        Indented = indented,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
}

/// <summary>Source-generated metadata for the few values serialised directly (AOT-safe).</summary>
[System.Text.Json.Serialization.JsonSerializable(typeof(string))]
internal sealed partial class DescriptorJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
