using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using FastScore.Streams.Schemas.Json;

namespace FastScore.Streams.Descriptors.Json;

/// <summary>
/// Checks that every string and key of a parsed descriptor is Unicode text before the descriptor is read.
/// <see cref="JsonDocument"/> accepts an unpaired surrogate escape (<c>"/tmp/\ud800"</c>) and bytes that are not UTF-8
/// inside strings, but reading such a string (<see cref="JsonElement.GetString"/>, <see cref="JsonProperty.Name"/>)
/// throws <see cref="InvalidOperationException"/>: each one is reported here instead, with its path.
/// </summary>
internal static class DescriptorText
{
    /// <summary>Reports every string or key under <paramref name="element"/> that is not text; returns whether there was none.</summary>
    public static bool Check(JsonElement element, string path, ErrorSink sink)
    {
        bool ok = true;
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                if (Problem(JsonMarshal.GetRawUtf8Value(element)) is { } problem)
                {
                    sink.Error(path, path.Length == 0
                        ? $"expected a JSON object (a stream descriptor); found a string that {problem}."
                        : $"expected text; found a string that {problem}.");
                    ok = false;
                }

                break;
            case JsonValueKind.Object:
                foreach (JsonProperty property in element.EnumerateObject())
                {
                    ReadOnlySpan<byte> rawName = JsonMarshal.GetRawUtf8PropertyName(property);
                    if (Problem(rawName, quoted: false) is { } keyProblem)
                    {
                        sink.Error(DescriptorPath.Key(path, Show(rawName)), $"expected a key that is text; found one that {keyProblem}.");
                        ok = false;
                        continue;
                    }

                    ok &= Check(property.Value, Child(path, property.Name), sink);
                }

                break;
            case JsonValueKind.Array:
                int i = 0;
                foreach (JsonElement item in element.EnumerateArray())
                {
                    ok &= Check(item, DescriptorPath.Index(path, i++), sink);
                }

                break;
        }

        return ok;
    }

    // What is wrong with a string as written in the JSON (escapes as written), or null when it is text.
    private static string? Problem(ReadOnlySpan<byte> raw, bool quoted = true)
    {
        ReadOnlySpan<byte> text = quoted && raw.Length >= 2 ? raw[1..^1] : raw;
        if (!System.Text.Unicode.Utf8.IsValid(text))
        {
            int at = 0;
            while (System.Text.Rune.DecodeFromUtf8(text[at..], out _, out int consumed) == System.Buffers.OperationStatus.Done)
            {
                at += consumed;
            }

            return $"holds bytes that are not UTF-8 (at byte {at} of the string)";
        }

        int unpaired = StringValues.FindUnpairedSurrogate(text);
        return unpaired < 0 ? null : $"holds {Encoding.ASCII.GetString(text.Slice(unpaired, Math.Min(6, text.Length - unpaired)))}, an unpaired surrogate, which is not text";
    }

    // The key as written, with bytes that are not UTF-8 shown as \xNN.
    private static string Show(ReadOnlySpan<byte> raw)
    {
        var shown = new StringBuilder();
        int at = 0;
        while (at < raw.Length && shown.Length < 60)
        {
            if (System.Text.Rune.DecodeFromUtf8(raw[at..], out System.Text.Rune rune, out int consumed) == System.Buffers.OperationStatus.Done)
            {
                shown.Append(rune.ToString());
            }
            else
            {
                shown.Append(System.Globalization.CultureInfo.InvariantCulture, $"\\x{raw[at]:X2}");
                consumed = 1;
            }

            at += consumed;
        }

        return shown.ToString();
    }

    private static string Child(string path, string name) =>
        name.Length > 0 && (char.IsAsciiLetter(name[0]) || name[0] is '_' or '$') && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '$')
            ? DescriptorPath.Join(path, name)
            : DescriptorPath.Key(path, name);
}
