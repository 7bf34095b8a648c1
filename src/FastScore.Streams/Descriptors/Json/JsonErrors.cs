using System.Text.Json;

namespace FastScore.Streams.Descriptors.Json;

/// <summary>Turns a <see cref="JsonException"/> into a <see cref="DescriptorError"/> with a 1-based line and position.</summary>
internal static class JsonErrors
{
    public static DescriptorError From(JsonException exception)
    {
        long line = (exception.LineNumber ?? 0) + 1;
        long position = (exception.BytePositionInLine ?? 0) + 1;
        return new DescriptorError(string.Empty, $"malformed JSON at line {line}, position {position}: {Clean(exception.Message)}");
    }

    /// <summary>Removes System.Text.Json's own 0-based "LineNumber: 0 | BytePositionInLine: 3." suffix.</summary>
    public static string Clean(string message)
    {
        int index = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        string text = index >= 0 ? message[..index] : message;
        text = text.Trim().Replace("\r", string.Empty, StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
        return text.EndsWith('.') ? text : text + ".";
    }
}
