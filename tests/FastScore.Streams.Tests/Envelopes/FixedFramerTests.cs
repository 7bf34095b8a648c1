using System.Buffers;
using FastScore.Streams.Descriptors;
using FastScore.Streams.Envelopes;
using FastScore.Streams.TestUtilities;
using static FastScore.Streams.Tests.Envelopes.FramerAssert;

namespace FastScore.Streams.Tests.Envelopes;

public sealed class FixedFramerTests
{
    [TestCase("abcdefghi", new[] { "abc", "def", "ghi" })]
    [TestCase("abc", new[] { "abc" })]
    [TestCase("", new string[0])]
    public void Frames_are_the_same_however_the_input_is_split(string input, string[] expected) =>
        FramesEverySplit(() => new FixedFramer(3), input, expected);

    [Test]
    public void A_partial_record_at_end_of_stream_names_the_trailing_byte_count() =>
        FailsEverySplit(() => new FixedFramer(3), "abcdefgh", "2 trailing bytes");

    [Test]
    public void NeedMoreData_leaves_a_fresh_reader_at_zero_consumed()
    {
        var reader = new SequenceReader<byte>(SequenceSplitter.Split(Bytes("ab"), 1));
        FrameStatus status = new FixedFramer(3).TryReadFrame(ref reader, isFinalBlock: false, out _);
        long consumed = reader.Consumed;
        Assert.Multiple(() =>
        {
            Assert.That(status, Is.EqualTo(FrameStatus.NeedMoreData));
            Assert.That(consumed, Is.Zero);
        });
    }

    [Test]
    public void WriteFrame_zero_pads_a_short_record()
    {
        var output = new ArrayBufferWriter<byte>();
        new FixedFramer(5).WriteFrame(Bytes("ab"), output);
        Assert.That(output.WrittenSpan.ToArray(), Is.EqualTo(new byte[] { (byte)'a', (byte)'b', 0, 0, 0 }));
    }

    [Test]
    public void WriteFrame_truncates_a_long_record()
    {
        var output = new ArrayBufferWriter<byte>();
        new FixedFramer(3).WriteFrame(Bytes("abcdef"), output);
        Assert.That(output.WrittenSpan.ToArray(), Is.EqualTo(Bytes("abc")));
    }

    [Test]
    public void Size_above_MaxRecordSize_fails_under_Fail() =>
        FailsEverySplit(() => new FixedFramer(6, 4, OversizePolicy.Fail), "abcdefghijkl", "MaxRecordSize (4 bytes)");

    [Test]
    public void Size_above_MaxRecordSize_rejects_every_record_by_default() =>
        FramesEverySplit(() => new FixedFramer(6, 4), "abcdefghijkl", [], expectedOversized: 2, expectedRejectedAt: [0, 6]);

    [Test]
    public void Size_above_MaxRecordSize_with_Truncate_keeps_the_head_of_every_record() =>
        FramesEverySplit(() => new FixedFramer(6, 4, OversizePolicy.Truncate), "abcdefghijkl", ["abcd", "ghij"], expectedOversized: 2);

    [TestCase(OversizePolicy.Reject)]
    [TestCase(OversizePolicy.Truncate)]
    public void A_partial_oversized_record_at_end_of_stream_is_an_error(OversizePolicy policy) =>
        FailsEverySplit(() => new FixedFramer(6, 4, policy), "abcdefghi", "3 trailing bytes");

    [TestCase(OversizePolicy.Reject)]
    [TestCase(OversizePolicy.Truncate)]
    public void Oversized_fixed_records_never_make_the_caller_buffer_more_than_MaxRecordSize(OversizePolicy policy)
    {
        FrameLog log = ByteByByte(new FixedFramer(100, 8, policy), new string('x', 300));
        Assert.Multiple(() =>
        {
            Assert.That(log.MaxBuffered, Is.LessThanOrEqualTo(8));
            Assert.That(log.Frames, Has.Count.EqualTo(policy == OversizePolicy.Reject ? 0 : 3));
        });
    }
}
