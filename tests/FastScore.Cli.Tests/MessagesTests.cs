namespace FastScore.Cli.Tests;

/// <summary>What the command line says when something goes wrong: always why, in the user's terms, never a library's advice to its caller.</summary>
public sealed class MessagesTests
{
    private string _dir = "";

    [SetUp]
    public void SetUp() => _dir = Directory.CreateTempSubdirectory("fastscore-messages-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    [Test]
    public async Task Quiet_never_hides_why_a_run_failed_to_read_its_input()
    {
        var (exit, _, err, _) = await CliRunner.RunAsync("run", "iris", "file:" + Path.Combine(_dir, "missing.jsons"), "discard:", "-q");

        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.EqualTo(1));
            Assert.That(err, Does.Contain("engine: ERROR").And.Contain("missing.jsons"));
            Assert.That(err, Does.Not.Contain("rej.encoding"), "-q leaves out the table, not the reason");
        });
    }

    [Test]
    public async Task A_rejected_json_record_is_explained_without_the_json_librarys_advice_to_its_caller()
    {
        string input = Path.Combine(_dir, "in.jsons");
        await File.WriteAllTextAsync(input, "{\"a\": 1,}\n[1, 2,]\n{\"a\": 1}\n");

        var (exit, _, err, _) = await CliRunner.RunAsync("run", "echo", $$"""{"Transport": {"Type": "file", "Path": "{{input}}"}, "Encoding": "json"}""", "discard:");

        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.EqualTo(0), err);
            Assert.That(err, Does.Contain("a trailing comma before the closing } (JSON does not allow one) (at byte 9 of the record)."));
            Assert.That(err, Does.Contain("a trailing comma before the closing ] (JSON does not allow one) (at byte 7 of the record)."));
            Assert.That(err, Does.Not.Contain("Change the reader options").And.Not.Contain("LineNumber").And.Not.Contain("in this mode"));
        });
    }

    [Test]
    public async Task A_descriptor_with_a_trailing_comma_gets_a_position_and_a_plain_reason()
    {
        var (exit, _, err, _) = await CliRunner.RunAsync("stream", "verify", """{"Transport": "discard",}""", "1");

        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.EqualTo(1));
            Assert.That(err, Does.Contain("malformed JSON at line 1, position 25: a trailing comma before the closing } (JSON does not allow one)."));
            Assert.That(err, Does.Not.Contain("Change the reader options"));
        });
    }
}
