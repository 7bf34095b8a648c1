namespace FastScore.Cli.Tests.Commands;

/// <summary>The README's first command passes a file: literal relative to the current directory.</summary>
public sealed class RelativeFileLiteralTests
{
    [Test]
    public async Task Run_accepts_a_file_literal_relative_to_the_current_directory()
    {
        string relative = Path.GetRelativePath(Environment.CurrentDirectory, CliRunner.IrisInputs);

        var (exit, _, err, console) = await CliRunner.RunAsync("run", "iris", "file:" + relative, "console:");
        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.EqualTo(0), err);
            Assert.That(console.Split('\n', StringSplitOptions.RemoveEmptyEntries), Has.Length.EqualTo(25));
        });
    }

    [Test]
    public async Task Stream_verify_shows_the_absolute_path_of_a_relative_file_literal()
    {
        string relative = Path.GetRelativePath(Environment.CurrentDirectory, CliRunner.IrisInputs);
        var (exit, stdout, err, _) = await CliRunner.RunAsync("stream", "verify", "file:" + relative);
        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.EqualTo(0), err);
            Assert.That(stdout, Does.Contain(CliRunner.IrisInputs));
        });
    }
}
