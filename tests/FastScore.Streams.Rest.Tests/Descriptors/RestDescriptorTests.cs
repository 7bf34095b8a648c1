using FastScore.Streams.Descriptors;

namespace FastScore.Streams.Rest.Tests;

/// <summary>The descriptor of the rest transport: its fields and defaults, and at least one bad case each (read with only this package registered).</summary>
public sealed class RestDescriptorTests
{
    private static readonly StreamDescriptorOptions s_options = CreateOptions();

    private static StreamDescriptorOptions CreateOptions()
    {
        var options = new StreamFactoryOptions();
        RestStreamFactoryOptionsExtensions.AddRestTransport(options);
        return options.CreateDescriptorOptions();
    }

    private static TransportDescriptor Transport(string transportJson, string extra = "") =>
        Packages.Parse($$"""{"Transport": {{transportJson}}{{extra}}}""").Transport;

    private static IReadOnlyList<DescriptorError> Errors(string json) =>
        Assert.Throws<DescriptorException>(() => Packages.Parse(json))!.Errors;

    private static DescriptorError Fails(string json, string path, params string[] fragments)
    {
        IReadOnlyList<DescriptorError> errors = Errors(json);
        DescriptorError? error = errors.FirstOrDefault(e => e.Path == path);
        Assert.That(error, Is.Not.Null, $"no error at '{path}'; errors: {string.Join(" | ", errors)}");
        foreach (string fragment in fragments)
        {
            Assert.That(error!.Message, Does.Contain(fragment), $"error at '{path}'");
        }

        return error!;
    }

    private static DescriptorError TransportFails(string transportJson, string path, params string[] fragments) =>
        Fails($$"""{"Transport": {{transportJson}}}""", path, fragments);

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
        StreamDescriptor d = Packages.Parse("""{"Transport": {"Type": "REST", "Mode": "chunked"}, "Encoding": "json"}""");
        Assert.That(d.Envelope, Is.EqualTo(new DelimitedEnvelopeDescriptor()));
    }

    /// <summary>Reads descriptors with this package's transport registered.</summary>
    private static class Packages
    {
        public static StreamDescriptor Parse(string json) => StreamDescriptor.Parse(json, s_options);
    }
}
