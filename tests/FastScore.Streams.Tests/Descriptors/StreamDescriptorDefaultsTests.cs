using FastScore.Streams.Descriptors;

namespace FastScore.Streams.Tests.Descriptors;

public sealed class StreamDescriptorDefaultsTests
{
    [Test]
    public void A_descriptor_built_in_code_takes_the_spec_defaults()
    {
        var d = new StreamDescriptor { Transport = new DiscardTransportDescriptor() };
        Assert.Multiple(() =>
        {
            Assert.That(d.Version, Is.EqualTo("1.2"));
            Assert.That(d.LingerTime, Is.EqualTo(3000));
            Assert.That(d.Batching, Is.EqualTo(new BatchingDescriptor(1000, 500)));
            Assert.That(d.Schema.Kind, Is.EqualTo(SchemaKind.Inherit));
        });
    }
}
