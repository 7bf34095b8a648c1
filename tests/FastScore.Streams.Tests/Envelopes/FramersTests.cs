using FastScore.Streams.Descriptors;
using FastScore.Streams.Envelopes;

namespace FastScore.Streams.Tests.Envelopes;

public sealed class FramersTests
{
    [Test]
    public void No_envelope_gives_the_none_framer() =>
        Assert.That(TestComponents.Framer(null), Is.TypeOf<NoneFramer>());

    [Test]
    public void Delimited_takes_separator_and_limits_from_the_descriptor()
    {
        var framer = (DelimitedFramer)TestComponents.Framer(new DelimitedEnvelopeDescriptor { Separator = "\r\n", MaxRecordSize = 10, OnOversize = OversizePolicy.Truncate });
        Assert.Multiple(() =>
        {
            Assert.That(framer.Separator.ToArray(), Is.EqualTo("\r\n"u8.ToArray()));
            Assert.That(framer.MaxRecordSize, Is.EqualTo(10));
            Assert.That(framer.OnOversize, Is.EqualTo(OversizePolicy.Truncate));
        });
    }

    [Test]
    public void Fixed_takes_its_size_from_the_descriptor() =>
        Assert.That(((FixedFramer)TestComponents.Framer(new FixedEnvelopeDescriptor { Size = 7 })).Size, Is.EqualTo(7));

    [Test]
    public void Ocf_block_and_delimited_csv_create_their_framers()
    {
        Assert.Multiple(() =>
        {
            Assert.That(() => TestComponents.Framer(new OcfBlockEnvelopeDescriptor()), Throws.TypeOf<DescriptorException>().With.Message.Contains("Schema: an ocf-block stream needs the schema"));
            Assert.That(TestComponents.Framer(new OcfBlockEnvelopeDescriptor(), Avro.Schema.Parse("\"int\"")), Is.TypeOf<FastScore.Streams.Envelopes.Ocf.OcfBlockFramer>());
            Assert.That(TestComponents.Framer(new DelimitedCsvEnvelopeDescriptor { SkipHeader = false }), Is.TypeOf<DelimitedCsvFramer>().With.Property("SkipHeader").False);
        });
    }
}
