using System.Buffers;
using System.Text;
using FastScore.Streams.Encodings;

namespace FastScore.Streams.Kafka.Tests.Transport;

/// <summary>A minimal raw encoding (strings as UTF-8) so transport tests do not depend on the real encoders.</summary>
internal sealed class TestRawEncoding : RecordEncoding
{
    public override string? Name => null;

    public override T Decode<T>(ReadOnlySpan<byte> record) =>
        typeof(T) == typeof(string) ? (T)(object)Encoding.UTF8.GetString(record) : (T)(object)record.ToArray();

    public override void Encode<T>(T value, IBufferWriter<byte> output)
    {
        byte[] bytes = value is string s ? Encoding.UTF8.GetBytes(s) : (byte[])(object)value!;
        output.Write(bytes);
    }
}
