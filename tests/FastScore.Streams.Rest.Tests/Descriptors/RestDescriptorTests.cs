using FastScore.Streams.Descriptors;
using FastScore.Streams.Tests.Common;

namespace FastScore.Streams.Rest.Tests;

/// <summary>The descriptor of the rest transport: its fields and defaults, and at least one bad case each (read with only this package registered).</summary>
public sealed class RestDescriptorTests() : PackageDescriptorTests(options => RestStreamFactoryOptionsExtensions.AddRestTransport(options))
{
    [TestCase("simple", RestMode.Simple)]
    [TestCase("chunked", RestMode.Chunked)]
    [TestCase("Chunked", RestMode.Chunked)]
    public void Rest_mode_is_read(string mode, RestMode expected) =>
        Assert.That(((RestTransportDescriptor)Transport($$"""{"Type": "REST", "Mode": "{{mode}}"}""")).Mode, Is.EqualTo(expected));

    [Test]
    public void Rest_mode_rejects_other_values() =>
        TransportFails("""{"Type": "REST", "Mode": "chunky"}""", "Transport.Mode", "expected \"simple\" or \"chunked\"", "found \"chunky\"", "Did you mean 'chunked'?");

    [Test]
    public void Rest_chunked_is_not_boundary_preserving_so_it_gets_a_delimited_envelope()
    {
        StreamDescriptor d = Parse("""{"Transport": {"Type": "REST", "Mode": "chunked"}, "Encoding": "json"}""");
        Assert.That(d.Envelope, Is.EqualTo(new DelimitedEnvelopeDescriptor()));
    }
}
