using System.Text;
using FastScore.Streams.Descriptors;
using FastScore.Streams.Engine;

namespace FastScore.Cli.Tests;

/// <summary><c>fastscore run --progress auto|live|plain|none</c>: what is shown while a run goes on, and that the summary stays.</summary>
public sealed class RunProgressTests
{
    private string _dir = "";

    [SetUp]
    public void SetUp() => _dir = Directory.CreateTempSubdirectory("fastscore-progress-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    [Test]
    public void The_progress_line_gives_state_per_slot_counts_rejections_rate_and_elapsed_time()
    {
        StreamDescriptor descriptor = StreamDescriptor.FromArgument("discard:", StreamDescriptorOptions.Default);
        var inspection = new EngineInspection(EngineState.Running, "iris",
        [
            new SlotInspection(0, true, "in", "file", descriptor, false, 12_345, 1_000_000, 2, 1, 0, 0, 0),
            new SlotInspection(1, false, "out", "file", descriptor, false, 12_342, 600_000, 0, 0, 0, 0, 0),
        ], [], [], null);

        string line = RunProgress.Format(inspection, 24_690.4, TimeSpan.FromSeconds(65.2));

        Assert.That(line, Is.EqualTo("RUNNING  0:in 12,345 (3 rejected)  1:out 12,342  24,690 rec/s  01:05"));
    }

    [Test]
    public async Task Plain_progress_prints_periodic_lines_with_per_slot_counts_and_the_summary_stays()
    {
        var (exit, err) = await RunEndlessUntilAsync(isTerminal: false, text => Count(text, "progress: ") >= 2, "--progress", "plain", "--progress-interval", "0.05");

        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.EqualTo(3), err);
            Assert.That(Count(err, "progress: "), Is.GreaterThanOrEqualTo(2), err);
            Assert.That(err, Does.Match(@"progress: [A-Z]+  0:in [\d,]+  1:out [\d,]+  [\d,]+ rec/s  00:\d\d\n"));
            Assert.That(err, Does.Not.Contain("\r"), "plain lines are whole lines, for logs");
            Assert.That(err, Does.Contain("engine: STOPPED"), "the final summary stays");
        });
    }

    [Test]
    public async Task On_a_terminal_auto_redraws_one_live_line_and_erases_it_before_the_summary()
    {
        var (exit, err) = await RunEndlessUntilAsync(isTerminal: true, text => Count(text, "\r") >= 2, "--progress-interval", "0.05");

        int summary = err.IndexOf("engine: STOPPED", StringComparison.Ordinal);
        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.EqualTo(3), err);
            Assert.That(err, Does.Match("^\r[A-Z]+  0:in "), "redrawn in place: a carriage return, the line, erase to the end of the line");
            Assert.That(err, Does.Contain(" rec/s  00:").And.Contain("\u001b[K"));
            Assert.That(summary, Is.GreaterThan(0), err);
            Assert.That(err[..summary], Does.EndWith("\r\u001b[K"), "the live line is erased before the summary");
            Assert.That(err, Does.Not.Contain("progress: "));
        });
    }

    [Test]
    public async Task Auto_shows_nothing_extra_when_stderr_is_not_a_terminal_and_none_shows_nothing_on_a_terminal()
    {
        var (exitAuto, errAuto) = await RunEndlessUntilAsync(isTerminal: false, WrittenEnough, "--progress-interval", "0.05");
        var (exitNone, errNone) = await RunEndlessUntilAsync(isTerminal: true, WrittenEnough, "--progress", "none", "--progress-interval", "0.05");

        Assert.Multiple(() =>
        {
            Assert.That(exitAuto, Is.EqualTo(3), errAuto);
            Assert.That(errAuto, Does.StartWith("engine: STOPPED"), "only the summary");
            Assert.That(exitNone, Is.EqualTo(3), errNone);
            Assert.That(errNone, Does.StartWith("engine: STOPPED"), "only the summary");
        });
    }

    [Test]
    public async Task A_progress_interval_out_of_range_is_a_usage_error()
    {
        var (exit, _, err, _) = await CliRunner.RunAsync("run", "iris", "file:" + CliRunner.IrisInputs, "discard:", "--progress-interval", "0");

        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.EqualTo(2));
            Assert.That(err, Does.Contain("--progress-interval must be a number of seconds"));
        });
    }

    private bool WrittenEnough(string _) => File.Exists(Path.Combine(_dir, "out.jsons")) && new FileInfo(Path.Combine(_dir, "out.jsons")).Length > 200_000;

    /// <summary>Runs echo on a looping iris input until <paramref name="enough"/> holds for stderr (or the output has grown), then stops it.</summary>
    private async Task<(int Exit, string Err)> RunEndlessUntilAsync(bool isTerminal, Func<string, bool> enough, params string[] options)
    {
        string input = Path.Combine(_dir, "loop.json");
        string output = Path.Combine(_dir, "out.jsons");
        File.Delete(output);
        await File.WriteAllTextAsync(input, $$"""{"Transport": {"Type": "file", "Path": "{{CliRunner.IrisInputs}}"}, "Loop": true, "Encoding": "json"}""");
        var err = new ConcurrentWriter();
        using var cts = new CancellationTokenSource();
        var io = new CliIo(new StringWriter(), err, Stream.Null, Stream.Null, isTerminal);
        Task<int> run = CliApp.RunAsync(["run", "echo", input, "file:" + output, .. options], io, cts.Token);
        var guard = System.Diagnostics.Stopwatch.StartNew();
        while (!enough(err.Snapshot()) && !WrittenEnough("") && guard.Elapsed < TimeSpan.FromMinutes(2))
        {
            Assert.That(run.IsCompleted, Is.False, "a looping input never ends by itself: " + err.Snapshot());
            await Task.Delay(20);
        }

        while (!enough(err.Snapshot()) && guard.Elapsed < TimeSpan.FromMinutes(2))
        {
            await Task.Delay(20);
        }

        await cts.CancelAsync();
        int exit = await run;
        return (exit, err.Snapshot());
    }

    private static int Count(string text, string part)
    {
        int count = 0;
        for (int at = text.IndexOf(part, StringComparison.Ordinal); at >= 0; at = text.IndexOf(part, at + part.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    /// <summary>A text writer that another thread may read while the run writes.</summary>
    private sealed class ConcurrentWriter : TextWriter
    {
        private readonly StringBuilder _text = new();

        public override Encoding Encoding => Encoding.UTF8;

        public override void Write(char value)
        {
            lock (_text)
            {
                _text.Append(value);
            }
        }

        public override void Write(string? value)
        {
            lock (_text)
            {
                _text.Append(value);
            }
        }

        public string Snapshot()
        {
            lock (_text)
            {
                return _text.ToString();
            }
        }
    }
}
