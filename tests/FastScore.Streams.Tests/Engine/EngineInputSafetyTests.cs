using System.Diagnostics;
using FastScore.Streams.Descriptors;
using FastScore.Streams.Engine;

namespace FastScore.Streams.Tests.Engine;

/// <summary>
/// Issue 12 point 4: the engine never destroys an input. An output that is the same file as an input (under any name:
/// relative path, symbolic link, hard link) is refused before anything is opened, and a run that fails before its first
/// record leaves the output path as it found it.
/// </summary>
[Category("Integration")]
public sealed class EngineInputSafetyTests : EngineTestBase
{
    public sealed class Point
    {
        public int X { get; set; }
    }

    private static readonly string[] Records = ["""{"X": 1}""", """{"X": 2}""", """{"X": 3}"""];

    /// <summary>Another name for <paramref name="path"/>: the path itself, relative to the working directory, a symbolic link or a hard link.</summary>
    internal static string OtherName(string path, string how, string dir)
    {
        switch (how)
        {
            case "same path":
                return path;
            case "relative path":
                return Path.GetRelativePath(Environment.CurrentDirectory, path);
            case "symbolic link":
                string symlink = Path.Combine(dir, "symlink.jsons");
                System.IO.File.CreateSymbolicLink(symlink, path);
                return symlink;
            case "hard link":
                string hardlink = Path.Combine(dir, "hardlink.jsons");
                using (Process ln = Process.Start("ln", [path, hardlink]))
                {
                    ln.WaitForExit();
                    Assert.That(ln.ExitCode, Is.Zero, "ln made the hard link");
                }

                return hardlink;
            default:
                throw new ArgumentException(how, nameof(how));
        }
    }

    [TestCase("same path")]
    [TestCase("relative path")]
    [TestCase("symbolic link")]
    [TestCase("hard link")]
    public void An_output_that_is_an_input_file_is_refused_naming_both_slots_and_the_input_is_untouched(string how)
    {
        string input = WriteFile("in.jsons", Records);
        byte[] before = System.IO.File.ReadAllBytes(input);
        string output = OtherName(input, how, Dir);
        ScoringEngine engine = NewEngine();
        engine.LoadModel(new Identity<Point>());
        engine.Attach(0, File(input));

        var ex = Assert.Throws<ArgumentException>(() => engine.Attach(1, File(output)));
        Assert.Multiple(() =>
        {
            Assert.That(ex!.Message, Does.Contain($"Output slot 1 (file:{output}) is the same file as input slot 0 (file:{input})"));
            Assert.That(ex.Message, Does.Contain("would destroy the input"));
            Assert.That(System.IO.File.ReadAllBytes(input), Is.EqualTo(before), "the input is untouched");
            Assert.That(engine.State, Is.EqualTo(EngineState.Init), "nothing started");
            Assert.That(engine.Inspect().Slots.Select(s => s.Slot), Is.EqualTo(new[] { 0 }));
        });
    }

    [Test]
    public void An_input_attached_after_an_output_on_the_same_file_is_refused_too()
    {
        string file = WriteFile("data.jsons", Records);
        byte[] before = System.IO.File.ReadAllBytes(file);
        ScoringEngine engine = NewEngine();
        engine.Attach(1, File(file));

        var ex = Assert.Throws<ArgumentException>(() => engine.Attach(0, File(file)));
        Assert.Multiple(() =>
        {
            Assert.That(ex!.Message, Does.Contain("Output slot 1").And.Contain("input slot 0"));
            Assert.That(System.IO.File.ReadAllBytes(file), Is.EqualTo(before));
        });
    }

    [Test]
    public async Task Two_different_files_are_not_confused()
    {
        string input = WriteFile("in.jsons", Records);
        string output = WriteFile("out.jsons", "old");
        ScoringEngine engine = NewEngine();
        engine.LoadModel(new Identity<Point>());
        engine.Attach(0, File(input));
        engine.Attach(1, File(output));

        Assert.That(await Finished(engine), Is.EqualTo(EngineState.Finished), engine.Inspect().Error);
        Assert.That(Lines(output), Is.EqualTo(new[] { """{"X":1}""", """{"X":2}""", """{"X":3}""" }));
    }

    [Test]
    public async Task A_run_that_fails_before_its_first_record_leaves_no_output_file_or_folder_it_created()
    {
        string output = Path.Combine(Dir, "new", "deeper", "out.jsons");
        ScoringEngine engine = NewEngine();
        engine.LoadModel(new Identity<Point>());
        engine.Attach(0, File(PathOf("missing.jsons")));
        engine.Attach(1, File(output));

        Assert.That(await Finished(engine), Is.EqualTo(EngineState.Error));
        Assert.Multiple(() =>
        {
            Assert.That(engine.Inspect().Error, Does.Contain("missing.jsons"));
            Assert.That(System.IO.File.Exists(output), Is.False, "no empty output file is left behind");
            Assert.That(Directory.Exists(Path.Combine(Dir, "new")), Is.False, "nor the folders created for it");
        });
    }

    [Test]
    public async Task A_run_that_fails_before_its_first_record_leaves_an_existing_output_file_as_it_was()
    {
        string output = WriteFile("out.jsons", "yesterday's scores");
        byte[] before = System.IO.File.ReadAllBytes(output);
        ScoringEngine engine = NewEngine();
        engine.LoadModel(new Identity<Point>());
        engine.Attach(0, File(PathOf("missing.jsons")));
        engine.Attach(1, File(output));

        Assert.That(await Finished(engine), Is.EqualTo(EngineState.Error));
        Assert.That(System.IO.File.ReadAllBytes(output), Is.EqualTo(before), "not truncated: nothing was written");
    }

    [Test]
    public async Task A_finished_run_with_no_records_leaves_an_empty_output_file()
    {
        string input = WriteFile("empty.jsons");
        string output = WriteFile("out.jsons", "yesterday's scores");
        ScoringEngine engine = NewEngine();
        engine.LoadModel(new Identity<Point>());
        engine.Attach(0, File(input));
        engine.Attach(1, File(output));

        Assert.That(await Finished(engine), Is.EqualTo(EngineState.Finished), engine.Inspect().Error);
        Assert.That(new FileInfo(output).Length, Is.Zero, "a complete, empty result");
    }
}
