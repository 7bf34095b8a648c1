using FastScore.Streams.Descriptors;

namespace FastScore.Streams.Tests.Descriptors;

/// <summary>Helpers to parse descriptors that must fail and look at their errors.</summary>
internal static class DescriptorAssert
{
    public static IReadOnlyList<DescriptorError> Errors(string json, StreamDescriptorOptions? options = null)
    {
        var ex = Assert.Throws<DescriptorException>(() => Packages.Parse(json, options));
        return ex!.Errors;
    }

    /// <summary>Asserts that parsing fails with an error at <paramref name="path"/> whose message contains every fragment.</summary>
    public static DescriptorError Fails(string json, string path, params string[] fragments) => FailsWith(json, null, path, fragments);

    public static DescriptorError FailsWith(string json, StreamDescriptorOptions? options, string path, params string[] fragments)
    {
        IReadOnlyList<DescriptorError> errors = Errors(json, options);
        DescriptorError? error = errors.FirstOrDefault(e => e.Path == path);
        Assert.That(error, Is.Not.Null, $"no error at '{path}'; errors: {string.Join(" | ", errors)}");
        foreach (string fragment in fragments)
        {
            Assert.That(error!.Message, Does.Contain(fragment), $"error at '{path}'");
        }

        return error!;
    }

    public static DescriptorError BuildFails(StreamDescriptorBuilder builder, string path, params string[] fragments)
    {
        var ex = Assert.Throws<DescriptorException>(() => builder.Build());
        DescriptorError? error = ex!.Errors.FirstOrDefault(e => e.Path == path);
        Assert.That(error, Is.Not.Null, $"no error at '{path}'; errors: {string.Join(" | ", ex.Errors)}");
        foreach (string fragment in fragments)
        {
            Assert.That(error!.Message, Does.Contain(fragment), $"error at '{path}'");
        }

        return error!;
    }

    public static string FixturePath(params string[] parts) =>
        Path.Combine([TestContext.CurrentContext.TestDirectory, "Fixtures", "fastscore-examples", .. parts]);
}
