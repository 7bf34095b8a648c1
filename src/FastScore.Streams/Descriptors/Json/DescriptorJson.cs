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

    /// <summary>Writes a string as a JSON string literal (quotes and escapes; non-ASCII kept), without reflection.</summary>
    public static string QuoteString(string text)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions(indented: false)))
        {
            writer.WriteStringValue(text);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    public static JsonWriterOptions WriterOptions(bool indented) => new()
    {
        Indented = indented,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
}

/// <summary>Source-generated metadata for the few values serialised directly (AOT-safe).</summary>
[System.Text.Json.Serialization.JsonSerializable(typeof(string))]
internal sealed partial class DescriptorJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
