using System.Buffers;
using System.Text.Json;
using Avro;

namespace FastScore.Streams.Encodings.AvroBinary;

/// <summary>
/// Reads a host type through its JSON form, without reflection-built code (Native AOT): the Avro value is written as
/// JSON, which the JSON encoding's serializer options turn into the host type (a source-generated context under AOT).
/// </summary>
internal sealed class AvroJsonValueReader<T>(AvroPlan plan) : AvroValueReader<T>
{
    public override bool Read(ref AvroCursor c, out T value)
    {
        value = default!;
        int start = c.Position;
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = true }))
        {
            if (!AvroJson.Write(ref c, plan, json))
            {
                return false;
            }
        }

        try
        {
            value = JsonRecordEncoding.Default.Decode<T>(buffer.WrittenSpan);
            return true;
        }
        catch (Exception ex) when (ex is JsonException or StreamFormatException or NotSupportedException or InvalidOperationException)
        {
            return c.Fail($"cannot be read as {typeof(T).Name}: {ex.Message}", start);
        }
    }
}

/// <summary>Writes a host type through its JSON form, without reflection-built code (Native AOT).</summary>
internal sealed class AvroJsonValueWriter<T>(Schema schema) : AvroValueWriter<T>
{
    public override bool Write(T value, ref AvroOutput output)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        try
        {
            JsonRecordEncoding.Default.Encode(value, buffer);
            using JsonDocument document = JsonDocument.Parse(buffer.WrittenMemory);
            AvroJson.Encode(schema, document.RootElement, ref output);
            return true;
        }
        catch (Exception ex) when (ex is JsonException or StreamFormatException or NotSupportedException or InvalidOperationException)
        {
            return output.Fail(ex.Message);
        }
    }
}
