using System.Buffers;
using System.Text;
using CsCheck;
using FastScore.Streams;
using FastScore.Streams.Descriptors;
using FastScore.Streams.Envelopes;

namespace FastScore.Samples.Plugin.Tests;

/// <summary>The netstring framer and the kv encoding on their own: values, rejections with positions, any bytes.</summary>
public sealed class PluginCodecTests
{
    /// <summary>What a framer made of some bytes fed in pieces, as an input stream drives it.</summary>
    private sealed record Framed(List<string> Frames, List<(long At, string? Reason)> Rejected);

    private static Framed Frame(NetstringFramer framer, byte[] data, int piece)
    {
        var result = new Framed([], []);
        int available = 0;
        long consumed = 0;
        while (true)
        {
            available = Math.Min(data.Length, available + piece);
            bool final = available == data.Length;
            var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(data, (int)consumed, available - (int)consumed));
            int guard = 0;
            while (true)
            {
                Assert.That(++guard, Is.LessThan(100_000), "the framer makes no progress");
                long start = reader.Consumed;
                FrameStatus status = framer.TryReadFrame(ref reader, final, out ReadOnlySequence<byte> frame);
                if (status == FrameStatus.NeedMoreData)
                {
                    Assert.That(reader.Consumed, Is.EqualTo(start), "NeedMoreData moved the reader");
                    break;
                }

                Assert.That(reader.Consumed, Is.GreaterThan(start), $"{status} consumed nothing");
                if (status == FrameStatus.Frame)
                {
                    result.Frames.Add(Encoding.Latin1.GetString(frame.ToArray()));
                }
                else if (status == FrameStatus.Rejected)
                {
                    result.Rejected.Add((consumed + start, framer.LastRejectionReason));
                }
            }

            consumed += reader.Consumed;
            if (final)
            {
                Assert.That(consumed, Is.EqualTo(data.Length), "bytes left at the end");
                return result;
            }
        }
    }

    private static Gen<byte> OneOf(params byte[] values) => Gen.Int[0, values.Length - 1].Select(i => values[i]);

    private static byte[] Bytes(string text) => Encoding.Latin1.GetBytes(text);

    [TestCase(1)]
    [TestCase(3)]
    [TestCase(1000)]
    public void Netstrings_are_framed_across_any_buffer_split(int piece)
    {
        Framed f = Frame(new NetstringFramer(), Bytes("5:hello,0:,12:hello world!,"), piece);
        Assert.Multiple(() =>
        {
            Assert.That(f.Frames, Is.EqualTo(new[] { "hello", "", "hello world!" }));
            Assert.That(f.Rejected, Is.Empty);
        });
    }

    [Test]
    public void Malformed_records_are_rejected_at_their_byte_with_the_reason_and_reading_goes_on()
    {
        //                     0         1         2         3         4         5
        //                     012345678901234567890123456789012345678901234567890123456
        string data = "2:ok,x3:abc,2:ok,03:abc,2:ok,3:abcX2:ok,:2:ok,2:ok,5:abc";
        Framed f = Frame(new NetstringFramer(), Bytes(data), 7);
        Assert.Multiple(() =>
        {
            Assert.That(f.Frames, Is.EqualTo(new[] { "ok", "ok", "ok", "ok", "ok" }));
            Assert.That(f.Rejected, Is.EqualTo(new (long, string?)[]
            {
                (5, "expected a digit or ':' at byte 0 of the netstring, found 'x'"),
                (17, "the netstring's length has a leading zero"),
                (29, "expected the terminator ',' after the netstring's 3 bytes, found 'X'"),
                (40, "the netstring has no length before ':'"),
                (51, "the stream ends 3 bytes into a netstring of 5 bytes"),
            }));
        });
    }

    [Test]
    public void An_oversized_record_is_rejected_whole_or_truncated_or_fails_as_OnOversize_says()
    {
        byte[] data = Bytes("3:abc,10:0123456789,2:ok,");
        Framed rejected = Frame(new NetstringFramer(maxRecordSize: 4), data, 5);
        Framed truncated = Frame(new NetstringFramer(maxRecordSize: 4, onOversize: OversizePolicy.Truncate), data, 5);
        Assert.Multiple(() =>
        {
            Assert.That(rejected.Frames, Is.EqualTo(new[] { "abc", "ok" }));
            Assert.That(rejected.Rejected, Is.EqualTo(new (long, string?)[] { (6, null) }));
            Assert.That(truncated.Frames, Is.EqualTo(new[] { "abc", "0123", "ok" }));
        });
        Assert.Throws<StreamFormatException>(() => Frame(new NetstringFramer(maxRecordSize: 4, onOversize: OversizePolicy.Fail), data, 100));
    }

    [Test]
    public void Written_frames_read_back_unchanged_for_any_records_and_any_split()
    {
        Gen.Select(Gen.Byte.Array[0, 40].List[0, 12], Gen.Int[1, 64]).Sample((records, piece) =>
        {
            var framer = new NetstringFramer();
            var output = new ArrayBufferWriter<byte>();
            foreach (byte[] record in records)
            {
                framer.WriteFrame(record, output);
            }

            Framed f = Frame(new NetstringFramer(), output.WrittenSpan.ToArray(), piece);
            Assert.That(f.Frames, Is.EqualTo(records.Select(r => Encoding.Latin1.GetString(r))));
            Assert.That(f.Rejected, Is.Empty);
        }, iter: 2000, threads: 1);
    }

    [Test]
    public void Any_bytes_are_framed_or_rejected_never_thrown_and_every_byte_is_consumed()
    {
        // netstring-like bytes (digits, colons, commas) and plain noise
        Gen<byte> near = OneOf((byte)'0', (byte)'1', (byte)'2', (byte)'3', (byte)':', (byte)',', (byte)'a', (byte)0xFF);
        Gen.Select(Gen.Frequency((3, near.Array[0, 80]), (1, Gen.Byte.Array[0, 80])), Gen.Int[1, 16]).Sample((data, piece) =>
        {
            Framed f = Frame(new NetstringFramer(maxRecordSize: 16), data, piece);
            Assert.That(f.Rejected.Select(r => r.At), Is.Ordered.And.All.InRange(0L, (long)data.Length - 1));
        }, iter: 3000, threads: 1);
    }

    [Test]
    public void Kv_decodes_pairs_in_order_with_escapes()
    {
        var kv = new KvRecordEncoding();
        var map = kv.Decode<IReadOnlyDictionary<string, string>>(Bytes("a=1;b%3Dc=x%3By;empty=;u=%C3%A9;"));
        Assert.That(map, Is.EqualTo(new Dictionary<string, string> { ["a"] = "1", ["b=c"] = "x;y", ["empty"] = "", ["u"] = "é" }));
        Assert.That(map.Keys, Is.EqualTo(new[] { "a", "b=c", "empty", "u" }));
        Assert.That(kv.Decode<Dictionary<string, string>>([]), Is.Empty);
    }

    [TestCase("a=1;b", "Not a kv record: 'b' has no '=' (at byte 4 of the record).")]
    [TestCase("a=1;=2", "Not a kv record: a key is empty (at byte 4 of the record).")]
    [TestCase("a=1;a=2", "Not a kv record: the key 'a' occurs twice (at byte 4 of the record).")]
    [TestCase("a=1=2", "Not a kv record: a second '=' in a pair (escape it as %3D) (at byte 3 of the record).")]
    [TestCase("a=%4", "Not a kv record: '%' is not followed by two hex digits (at byte 2 of the record).")]
    [TestCase("a=\tb", "Not a kv record: control byte 0x09 (escape it as %09) (at byte 2 of the record).")]
    [TestCase("a=%FF", "Not a kv record: the text is not valid UTF-8 (at byte 2 of the record).")]
    public void Bad_kv_records_say_what_and_where(string record, string message)
    {
        var ex = Assert.Throws<StreamFormatException>(() => new KvRecordEncoding().Decode<Dictionary<string, string>>(Bytes(record)))!;
        Assert.That(ex.Message, Is.EqualTo(message));
    }

    [Test]
    public void Kv_round_trips_any_string_pairs_with_any_separator()
    {
        Gen<string> text = Gen.String[Gen.Char.Where(c => !char.IsSurrogate(c)), 0, 12];
        Gen.Select(Gen.Dictionary(text.Where(k => k.Length > 0), text)[0, 8], OneOf((byte)';', (byte)'&', (byte)',')).Sample((pairs, separator) =>
        {
            var kv = new KvRecordEncoding(separator);
            var output = new ArrayBufferWriter<byte>();
            kv.Encode(pairs, output);
            Assert.That(kv.Decode<Dictionary<string, string>>(output.WrittenSpan), Is.EqualTo(pairs));
        }, iter: 2000, threads: 1);
    }

    [Test]
    public void Any_bytes_decode_or_fail_with_a_format_error_only()
    {
        Gen<byte> near = OneOf((byte)'a', (byte)'=', (byte)';', (byte)'%', (byte)'4', (byte)'F', (byte)0xC3, (byte)0x80, (byte)0x01);
        Gen.Frequency((3, near.Array[0, 40]), (1, Gen.Byte.Array[0, 40])).Sample(data =>
        {
            try
            {
                _ = new KvRecordEncoding().Decode<Dictionary<string, string>>(data);
            }
            catch (StreamFormatException)
            {
                // rejected with a reason: fine
            }
        }, iter: 3000, threads: 1);
    }
}
