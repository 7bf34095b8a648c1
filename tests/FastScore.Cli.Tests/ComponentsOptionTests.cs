using System.IO.Compression;

namespace FastScore.Cli.Tests;

/// <summary><c>--components X.dll</c> (or <c>FASTSCORE_COMPONENTS</c>): a third party's transports, envelopes and encodings in every verb.</summary>
[NonParallelizable] // loaded components stay registered for the rest of the process
public sealed class ComponentsOptionTests
{
    private string _dir = "";

    [SetUp]
    public void SetUp() => _dir = Directory.CreateTempSubdirectory("fastscore-components-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    private static string Plugin => Path.Combine(AppContext.BaseDirectory, "FastScore.Samples.Plugin.dll");

    [Test]
    public async Task A_plugin_assembly_adds_its_components_to_verify_and_run_and_a_bad_one_is_a_usage_error()
    {
        string output = Path.Combine(_dir, "scores.jsons.gz");
        string descriptor = $$$"""{"Transport": {"Type": "gzip", "Path": "{{{output}}}"}, "Envelope": "netstring", "Encoding": "json"}""";

        var verify = await CliRunner.RunAsync("stream", "verify", descriptor, "1", "--components", Plugin);
        var run = await CliRunner.RunInAsync(new Dictionary<string, string> { ["FASTSCORE_COMPONENTS"] = Plugin }, null, CancellationToken.None,
            "run", "iris", "file:" + CliRunner.IrisInputs, descriptor, "-q");
        var missing = await CliRunner.RunAsync("stream", "verify", "discard:", "--components", Path.Combine(_dir, "none.dll"));
        var notPlugin = await CliRunner.RunAsync("stream", "verify", "discard:", "--components", Path.Combine(AppContext.BaseDirectory, "FastScore.Samples.Iris.dll"));

        string written;
        await using (var gzip = new GZipStream(File.OpenRead(output), CompressionMode.Decompress))
        using (var reader = new StreamReader(gzip))
        {
            written = await reader.ReadToEndAsync();
        }

        Assert.Multiple(() =>
        {
            Assert.That(verify.Exit, Is.EqualTo(0), verify.Err);
            Assert.That(verify.Out, Does.Contain("\"Type\": \"gzip\"").And.Contain("The stream descriptor contains no errors"));
            Assert.That(run.Exit, Is.EqualTo(0), run.Err);
            Assert.That(written, Does.StartWith("50:{\"A\":0.0030519627,\"B\":0.0026049742,\"C\":0.99434304},50:"), "netstrings (the plugin's envelope) in a gzip file (its transport)");
            Assert.That(written.Split("},").Length - 1, Is.EqualTo(25));
            Assert.That(missing.Exit, Is.EqualTo(2));
            Assert.That(missing.Err, Does.StartWith("--components: ").And.Contain("does not exist"));
            Assert.That(notPlugin.Exit, Is.EqualTo(2));
            Assert.That(notPlugin.Err, Does.Contain("has no public transport, envelope, encoding or schema-checker provider"));
        });
    }
}
