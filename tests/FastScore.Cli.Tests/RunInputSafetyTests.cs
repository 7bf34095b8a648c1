using System.Diagnostics;

namespace FastScore.Cli.Tests;

/// <summary>
/// Issue 12 point 4 through <c>fastscore run</c>: <c>fastscore run iris file:X file:X</c> used to empty X and exit 0.
/// An output that is an input file, under any name, is refused before anything is opened; a run that fails before its
/// first record leaves no output file it created.
/// </summary>
[Category("Integration")]
public sealed class RunInputSafetyTests
{
    private string _dir = "";

    [SetUp]
    public void SetUp() => _dir = Directory.CreateTempSubdirectory("fastscore-cli-safety-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    private string OtherName(string path, string how)
    {
        switch (how)
        {
            case "same path":
                return path;
            case "relative path":
                return Path.GetRelativePath(Environment.CurrentDirectory, path);
            case "symbolic link":
                string symlink = Path.Combine(_dir, "link.jsons");
                File.CreateSymbolicLink(symlink, path);
                return symlink;
            default:
                string hardlink = Path.Combine(_dir, "hardlink.jsons");
                using (Process ln = Process.Start("ln", [path, hardlink]))
                {
                    ln.WaitForExit();
                    Assert.That(ln.ExitCode, Is.Zero, "ln made the hard link");
                }

                return hardlink;
        }
    }

    [TestCase("same path")]
    [TestCase("relative path")]
    [TestCase("symbolic link")]
    [TestCase("hard link")]
    public async Task Run_refuses_an_output_that_is_the_input_file_and_leaves_the_input_intact(string how)
    {
        string input = Path.Combine(_dir, "iris.jsons");
        File.Copy(CliRunner.IrisInputs, input);
        byte[] before = await File.ReadAllBytesAsync(input);
        string output = OtherName(input, how);

        var (exit, _, err, _) = await CliRunner.RunAsync("run", "iris", "file:" + input, "file:" + output);
        byte[] after = await File.ReadAllBytesAsync(input);

        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.EqualTo(1), err);
            Assert.That(err, Does.Contain("Output slot 1 (file:").And.Contain("is the same file as input slot 0 (file:").And.Contain("would destroy the input"));
            Assert.That(err, Does.Not.Contain("FINISHED"));
            Assert.That(err, Does.Not.Contain("(Parameter '"), "no raw library phrase reaches the user");
            Assert.That(after, Is.EqualTo(before), "the input is untouched");
        });
    }

    [Test]
    public async Task A_run_whose_input_cannot_be_read_exits_1_and_leaves_no_output_file()
    {
        string output = Path.Combine(_dir, "scores.jsons");

        var (exit, _, err, _) = await CliRunner.RunAsync("run", "iris", "file:" + Path.Combine(_dir, "missing.jsons"), "file:" + output);

        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.EqualTo(1), err);
            Assert.That(err, Does.Contain("engine: ERROR").And.Contain("missing.jsons"));
            Assert.That(File.Exists(output), Is.False, "no empty output file is left behind");
        });
    }

    [Test]
    public async Task A_run_whose_input_cannot_be_read_leaves_an_existing_output_file_as_it_was()
    {
        string output = Path.Combine(_dir, "scores.jsons");
        await File.WriteAllTextAsync(output, "yesterday's scores\n");

        var (exit, _, err, _) = await CliRunner.RunAsync("run", "iris", "file:" + Path.Combine(_dir, "missing.jsons"), "file:" + output);
        string after = await File.ReadAllTextAsync(output);

        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.EqualTo(1), err);
            Assert.That(after, Is.EqualTo("yesterday's scores\n"));
        });
    }
}
