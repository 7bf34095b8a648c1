using System.Buffers;
using FastScore.Streams.Descriptors;
using FastScore.Streams.Envelopes;
using FastScore.Streams.TestUtilities;
using static FastScore.Streams.Tests.Envelopes.FramerAssert;

namespace FastScore.Streams.Tests.Envelopes;

public sealed class NoneFramerTests
{
    [TestCase("a\nb\nc", new[] { "a\nb\nc" })]
    [TestCase("", new string[0])]
    public void The_whole_stream_is_one_record_however_it_is_split(string input, string[] expected) =>
        FramesEverySplit(() => new NoneFramer(), input, expected);

    [Test]
    public void Nothing_is_produced_before_the_final_block()
    {
        var reader = new SequenceReader<byte>(SequenceSplitter.Split(Bytes("abc"), 1, 1));
        FrameStatus status = new NoneFramer().TryReadFrame(ref reader, isFinalBlock: false, out _);
        long consumed = reader.Consumed;
        Assert.Multiple(() =>
        {
            Assert.That(status, Is.EqualTo(FrameStatus.NeedMoreData));
            Assert.That(consumed, Is.Zero);
        });
    }

    [Test]
    public void An_oversized_stream_fails_under_Fail() =>
        FailsEverySplit(() => new NoneFramer(4, OversizePolicy.Fail), "abcdefgh", "MaxRecordSize (4 bytes)");

    [Test]
    public void Reject_drops_an_oversized_stream() =>
        FramesEverySplit(() => new NoneFramer(4), "abcdefgh", [], expectedOversized: 1, expectedRejectedAt: [0]);

    [Test]
    public void Truncate_keeps_the_head_of_an_oversized_stream() =>
        FramesEverySplit(() => new NoneFramer(4, OversizePolicy.Truncate), "abcdefgh", ["abcd"], expectedOversized: 1);

    [TestCase(OversizePolicy.Reject)]
    [TestCase(OversizePolicy.Truncate)]
    public void An_oversized_stream_never_makes_the_caller_buffer_much_more_than_MaxRecordSize(OversizePolicy policy)
    {
        FrameLog log = ByteByByte(new NoneFramer(8, policy), new string('x', 300));
        Assert.That(log.MaxBuffered, Is.LessThanOrEqualTo(9));
    }

    [Test]
    public void WriteFrame_writes_the_bytes_as_they_are()
    {
        var output = new ArrayBufferWriter<byte>();
        new NoneFramer().WriteFrame(Bytes("a\nb"), output);
        Assert.That(output.WrittenSpan.ToArray(), Is.EqualTo(Bytes("a\nb")));
    }
}
