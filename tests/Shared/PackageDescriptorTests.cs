using FastScore.Streams.Descriptors;
using NUnit.Framework;

namespace FastScore.Streams.Tests.Common;

/// <summary>
/// What the descriptor tests of a transport package share: descriptors read with only that package registered, and
/// assertions on field-path errors. Compiled into each package's test project (linked, like <see cref="GuideCliSession"/>).
/// </summary>
public abstract class PackageDescriptorTests
{
    private readonly StreamDescriptorOptions _options;

    /// <summary>Reads descriptors with the components that <paramref name="register"/> adds (e.g. <c>options =&gt; options.AddKafka()</c>).</summary>
    protected PackageDescriptorTests(Action<StreamFactoryOptions> register)
    {
        var options = new StreamFactoryOptions();
        register(options);
        _options = options.CreateDescriptorOptions();
    }

    /// <summary>Reads a descriptor with this package's components registered.</summary>
    protected StreamDescriptor Parse(string json) => StreamDescriptor.Parse(json, _options);

    /// <summary>Reads a descriptor made of <paramref name="transportJson"/> (and <paramref name="extra"/> top-level fields) and returns its transport.</summary>
    protected TransportDescriptor Transport(string transportJson, string extra = "") =>
        Parse($$"""{"Transport": {{transportJson}}{{extra}}}""").Transport;

    /// <summary>The errors reading <paramref name="json"/> reports; fails if it reads.</summary>
    protected IReadOnlyList<DescriptorError> Errors(string json) =>
        Assert.Throws<DescriptorException>(() => Parse(json))!.Errors;

    /// <summary>Asserts that reading <paramref name="json"/> reports an error at <paramref name="path"/> whose message contains every fragment.</summary>
    protected DescriptorError Fails(string json, string path, params string[] fragments)
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

    /// <summary>Asserts that a descriptor made of <paramref name="transportJson"/> reports an error at <paramref name="path"/>.</summary>
    protected DescriptorError TransportFails(string transportJson, string path, params string[] fragments) =>
        Fails($$"""{"Transport": {{transportJson}}}""", path, fragments);
}
