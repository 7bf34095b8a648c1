using System.Buffers;
using System.Text.Json;
using CsCheck;
using FastScore.Streams.Encodings.AvroBinary;
using FastScore.Streams.Envelopes.Ocf;
using FastScore.Streams.Fuzz;

namespace FastScore.Streams.Tests.Reliability;

/// <summary>Generators of avro-binary records and container files: valid ones (of the fuzz schema), then byte mutations (flips, inserts, deletions, cuts).</summary>
internal static class AvroGen
{
    private static readonly Avro.Schema s_schema = Avro.Schema.Parse(AvroFuzzSchemas.Writer);

    private static readonly string[] s_templates =
    [
        """{"b":true,"i":-5,"l":123456789012,"f":1.5,"d":-0.25,"s":"é☮","by":"\u0000\u00ff","e":"C","x":"ab","a":[1,null,-7],"m":{"k":"v"},"n":{"v":3,"next":{"v":4,"next":null}}}""",
        """{"b":false,"i":0,"l":0,"f":0,"d":0,"s":"","by":"","e":"A","x":"\u0000\u0000","a":[],"m":{},"n":null}""",
        """{"b":true,"i":2147483647,"l":-9223372036854775808,"f":3.4e38,"d":1e300,"s":"x","by":"y","e":"B","x":"zz","a":[null],"m":{"a":"","b":"c"},"n":{"v":-1,"next":null}}""",
    ];

    /// <summary>The valid records the mutations start from.</summary>
    public static byte[][] Valid { get; } = [.. s_templates.Select(t => AvroJson.Encode(s_schema, JsonDocument.Parse(t).RootElement))];

    private static readonly Gen<(int Kind, int At, byte Value)> s_mutation = Gen.Select(Gen.Int[0, 3], Gen.Int[0, int.MaxValue], Gen.Byte);

    private static byte[] Apply(byte[] data, (int Kind, int At, byte Value)[] mutations)
    {
        var bytes = new List<byte>(data);
        foreach ((int kind, int at, byte value) in mutations)
        {
            int i = bytes.Count == 0 ? 0 : at % bytes.Count;
            switch (kind)
            {
                case 0 when bytes.Count > 0:
                    bytes[i] ^= (byte)(value | 1);
                    break;
                case 1:
                    bytes.Insert(i, value);
                    break;
                case 2 when bytes.Count > 0:
                    bytes.RemoveAt(i);
                    break;
                case 3:
                    bytes.RemoveRange(i, bytes.Count - i);
                    break;
            }
        }

        return [.. bytes];
    }

    /// <summary>avro-binary records: valid, mutated, control records and random bytes.</summary>
    public static Gen<byte[]> Records { get; } = Gen.Frequency(
        (2, Gen.Int[0, 2].Select(i => Valid[i])),
        (6, Gen.Select(Gen.Int[0, 2], s_mutation.Array[1, 4], (i, m) => Apply(Valid[i], m))),
        (1, Gen.Select(Gen.Byte.Array[0, 12], s_mutation.Array[0, 2], (tail, m) => Apply([0x1C, .. "$fastscore.pig"u8, .. tail], m))),
        (1, Gen.Byte.Array[0, 64]));

    private static byte[] File(int codec, int blocks, int perBlock, bool header)
    {
        string[] codecs = ["null", "deflate", "snappy", "zstandard"];
        var framer = new OcfBlockFramer(new OcfReadOptions(s_schema), outputCodec: codecs[codec % 4], outputSync: [.. Enumerable.Range(0, 16).Select(i => (byte)(0xA0 + i))]);
        var output = new ArrayBufferWriter<byte>();
        if (header)
        {
            framer.WriteStart(output);
        }

        for (int b = 0; b < blocks; b++)
        {
            for (int r = 0; r < perBlock; r++)
            {
                framer.WriteFrame(Valid[(b + r) % Valid.Length], output);
            }

            framer.EndBatch(output);
        }

        return output.WrittenSpan.ToArray();
    }

    /// <summary>Container files (a first byte of settings, then the file): valid, mutated, cut, and random bytes.</summary>
    public static Gen<byte[]> ContainerFiles { get; } = Gen.Select(
        Gen.Byte,
        Gen.Frequency(
            (5, Gen.Select(Gen.Int[0, 3], Gen.Int[0, 3], Gen.Int[1, 4], Gen.Bool, s_mutation.Array[0, 3], (c, b, n, h, m) => Apply(File(c, b, n, h), m))),
            (1, Gen.Byte.Array[0, 100])),
        (settings, file) => (byte[])[settings, .. file]);
}
