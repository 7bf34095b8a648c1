using System.Buffers;
using System.Text.Json;
using FastScore.Streams.Encodings;

namespace FastScore.Streams.Rest.Tests.Infrastructure;

/// <summary>
/// A System.Text.Json encoding for these tests, registered only while the core's json encoding is not registered
/// (see <see cref="RestTestEngine.CreateFactoryOptions"/>): the REST package must not depend on which one is used.
/// </summary>
internal sealed class TestJsonEncoding : RecordEncoding
{
    public override string? Name => "json";

    public override T Decode<T>(ReadOnlySpan<byte> record)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(record)!;
        }
        catch (JsonException ex)
        {
            throw new StreamFormatException($"not a valid JSON record: {ex.Message}");
        }
    }

    public override void Encode<T>(T value, IBufferWriter<byte> output)
    {
        using var writer = new Utf8JsonWriter(output);
        JsonSerializer.Serialize(writer, value);
    }

    public override bool TryReadControl(ReadOnlySpan<byte> record, out ControlRecord control)
    {
        control = default;
        if (record.IndexOf("\"$fastscore\""u8) < 0)
        {
            return false;
        }

        using JsonDocument document = JsonDocument.Parse(record.ToArray());
        if (!document.RootElement.TryGetProperty("$fastscore", out JsonElement kind))
        {
            return false;
        }

        control = new ControlRecord(kind.GetString() switch
        {
            "end" => ControlKind.End,
            "set" => ControlKind.Set,
            "pig" => ControlKind.Pig,
            _ => ControlKind.None,
        });
        return control.Kind != ControlKind.None;
    }

    public override void WriteControl(ControlRecord control, IBufferWriter<byte> output) =>
        output.Write(System.Text.Encoding.UTF8.GetBytes($"{{\"$fastscore\":\"{control.Kind.ToString().ToLowerInvariant()}\"}}"));
}
