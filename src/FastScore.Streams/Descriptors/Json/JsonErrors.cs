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

    /// <summary>
    /// Removes System.Text.Json's own 0-based "LineNumber: 0 | BytePositionInLine: 3." suffix, and rephrases the
    /// messages that speak to the library's caller rather than to the author of the JSON (such as "... not supported
    /// in this mode. Change the reader options.").
    /// </summary>
    public static string Clean(string message)
    {
        int index = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        string text = index >= 0 ? message[..index] : message;
        text = Rephrase(text.Trim());
        text = text.Replace("\r", string.Empty, StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
        return text.EndsWith('.') ? text : text + ".";
    }

    /// <summary>A JSON error in a record, for a rejection: the cleaned message and where in the record it is (1-based byte).</summary>
    public static string ForRecord(JsonException exception) =>
        exception.BytePositionInLine is { } position && (exception.LineNumber ?? 0) == 0
            ? $"{Clean(exception.Message).TrimEnd('.')} (at byte {position + 1} of the record)."
            : Clean(exception.Message);

    private static string Rephrase(string text)
    {
        const string readerOptions = " which is not supported in this mode. Change the reader options.";
        if (text.EndsWith(readerOptions, StringComparison.Ordinal))
        {
            // TrailingCommaNotAllowedBefore{Object,Array}End; JSON does not allow them, whatever the reader's options.
            return text.Contains("JSON object", StringComparison.Ordinal) ? "a trailing comma before the closing } (JSON does not allow one)"
                : text.Contains("JSON array", StringComparison.Ordinal) ? "a trailing comma before the closing ] (JSON does not allow one)"
                : text[..^readerOptions.Length] + ", which JSON does not allow";
        }

        return text.Replace(" Change the reader options.", string.Empty, StringComparison.Ordinal);
    }
}
