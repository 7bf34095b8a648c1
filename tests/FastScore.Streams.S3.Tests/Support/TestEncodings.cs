using System.Buffers;
using System.Text;
using System.Text.Json;
using FastScore.Streams.Descriptors;
using FastScore.Streams.Encodings;

namespace FastScore.Streams.S3.Tests.Support;

/// <summary>
/// Stand-ins for the core encodings while they are not on this branch: registered only when the factory has no
/// encoding of that name, so the real ones take over as soon as they land.
/// </summary>
internal static class TestEncodings
{
    public static StreamFactoryOptions WithTestEncodings(this StreamFactoryOptions options)
    {
        options.Encodings.TryAdd(StreamFactoryOptions.NullEncodingKey, _ => new RawEncoding());
        options.Encodings.TryAdd(EncodingTypes.Json, _ => new JsonEncoding());
        return options;
    }

    /// <summary>Raw bytes: decodes to <see cref="string"/> (UTF-8) or <see cref="byte"/>[].</summary>
    private sealed class RawEncoding : RecordEncoding
    {
        public override string? Name => null;

        public override T Decode<T>(ReadOnlySpan<byte> record) =>
            typeof(T) == typeof(string) ? (T)(object)Encoding.UTF8.GetString(record) : (T)(object)record.ToArray();

        public override void Encode<T>(T value, IBufferWriter<byte> output)
        {
            if (value is string s)
            {
                Encoding.UTF8.GetBytes(s, output);
            }
            else
            {
                output.Write((byte[])(object)value!);
            }
        }
    }

    /// <summary>JSON through System.Text.Json, one record per value.</summary>
    private sealed class JsonEncoding : RecordEncoding
    {
        public override string? Name => EncodingTypes.Json;

        public override T Decode<T>(ReadOnlySpan<byte> record)
        {
            try
            {
                return JsonSerializer.Deserialize<T>(record)!;
            }
            catch (JsonException ex)
            {
                throw new StreamFormatException(ex.Message, ex);
            }
        }

        public override void Encode<T>(T value, IBufferWriter<byte> output)
        {
            using var writer = new Utf8JsonWriter(output);
            JsonSerializer.Serialize(writer, value);
        }
    }
}
