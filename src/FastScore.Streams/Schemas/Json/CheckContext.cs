using System.Text;
using System.Text.Json;

namespace FastScore.Streams.Schemas.Json;

/// <summary>
/// The state of one check. Nothing here allocates until a check fails: the message and the path are built only
/// then, innermost segment first, while the failure unwinds.
/// </summary>
internal ref struct CheckContext
{
    private const int MaxShown = 40;

    public CheckContext(ReadOnlySpan<byte> record) => Record = record;

    /// <summary>Gets the record being checked (to show offending tokens).</summary>
    public ReadOnlySpan<byte> Record { get; }

    /// <summary>Gets or sets how deep we are in union branch trials; failures there build no message.</summary>
    public int Quiet { get; set; }

    public string? Message { get; private set; }

    private List<string>? _path;

    public readonly bool IsQuiet => Quiet > 0;

    /// <summary>Records "expected X, got &lt;token&gt;" and returns <see langword="false"/>.</summary>
    public bool Fail(ref Utf8JsonReader reader, string expected)
    {
        if (Quiet == 0)
        {
            Message = $"expected {expected}, got {Shown(ref reader)}";
        }

        return false;
    }

    /// <summary>Records a message and returns <see langword="false"/>.</summary>
    public bool Fail(string message)
    {
        if (Quiet == 0)
        {
            Message = message;
        }

        return false;
    }

    /// <summary>Adds a path segment (<c>.name</c>, <c>[3]</c>) while a failure unwinds, and returns <see langword="false"/>.</summary>
    public bool Unwind(string segment)
    {
        if (Quiet == 0)
        {
            (_path ??= []).Add(segment);
        }

        return false;
    }

    public readonly string Describe()
    {
        var text = new StringBuilder("$");
        if (_path is not null)
        {
            for (int i = _path.Count - 1; i >= 0; i--)
            {
                text.Append(_path[i]);
            }
        }

        return text.Append(": ").Append(Message ?? "does not match the schema").ToString();
    }

    /// <summary>The JSON text of the value at the reader, truncated to about 40 characters.</summary>
    public readonly string Shown(ref Utf8JsonReader reader)
    {
        int start = (int)reader.TokenStartIndex;
        int end;
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
            case JsonTokenType.PropertyName:
                end = start + reader.ValueSpan.Length + 2;
                break;
            case JsonTokenType.StartObject:
            case JsonTokenType.StartArray:
                Utf8JsonReader copy = reader;
                try
                {
                    end = copy.TrySkip() ? (int)copy.BytesConsumed : Record.Length;
                }
                catch (JsonException)
                {
                    end = Record.Length;
                }

                break;
            default:
                end = start + reader.ValueSpan.Length;
                break;
        }

        return Truncate(Record[start..Math.Min(end, Record.Length)]);
    }

    public static string Truncate(ReadOnlySpan<byte> utf8)
    {
        string text = Encoding.UTF8.GetString(utf8[..Math.Min(utf8.Length, MaxShown * 4)]);
        if (text.Length <= MaxShown)
        {
            return text;
        }

        int cut = char.IsHighSurrogate(text[MaxShown - 1]) ? MaxShown - 1 : MaxShown;
        return string.Concat(text.AsSpan(0, cut), "…");
    }
}
