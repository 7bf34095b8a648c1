using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace FastScore.Cli.Tests;

/// <summary>
/// Issue 12 point 6 through <c>fastscore run</c>: a run stopped by SIGTERM says STOPPED and exits 3; a run that scored
/// nothing because every record was rejected, or rejected more than <c>--max-rejected</c>, exits 1; <c>-q</c> never
/// hides why.
/// </summary>
[Category("Integration")]
public sealed class RunOutcomeTests
{
    private string _dir = "";

    [SetUp]
    public void SetUp() => _dir = Directory.CreateTempSubdirectory("fastscore-cli-outcome-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    /// <summary>Writes <paramref name="count"/> iris-like records; those <paramref name="bad"/> picks are not JSON.</summary>
    private string WriteRecords(int count, Func<int, bool> bad)
    {
        string path = Path.Combine(_dir, "in.jsons");
        var text = new StringBuilder();
        for (int i = 1; i <= count; i++)
        {
            text.Append(bad(i) ? $"not json {i}" : $$"""{"n": {{i}}}""").Append('\n');
        }

        File.WriteAllText(path, text.ToString());
        return path;
    }

    private static string DotnetExecutable()
    {
        string? fromSdk = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(fromSdk) && File.Exists(fromSdk))
        {
            return fromSdk;
        }

        string? self = Environment.ProcessPath;
        return self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "dotnet";
    }

    [Test]
    public async Task A_run_stopped_by_SIGTERM_says_STOPPED_not_FINISHED_exits_3_and_keeps_every_record_it_read()
    {
        string descriptor = Path.Combine(_dir, "loop.json");
        string output = Path.Combine(_dir, "out.jsons");
        await File.WriteAllTextAsync(descriptor, $$"""{"Transport": {"Type": "file", "Path": "{{CliRunner.IrisInputs}}"}, "Loop": true, "Encoding": "json"}""");
        var start = new ProcessStartInfo(DotnetExecutable())
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "fastscore.dll"));
        foreach (string arg in (string[])["run", "echo", descriptor, "file:" + output])
        {
            start.ArgumentList.Add(arg);
        }

        using Process fastscore = Process.Start(start)!;
        Task<string> stderr = fastscore.StandardError.ReadToEndAsync();
        Task<string> stdout = fastscore.StandardOutput.ReadToEndAsync();
        try
        {
            var guard = Stopwatch.StartNew();
            while (!File.Exists(output) || new FileInfo(output).Length < 50_000)
            {
                Assert.That(fastscore.HasExited, Is.False, "a looping input never ends by itself");
                Assert.That(guard.Elapsed, Is.LessThan(TimeSpan.FromSeconds(120)), "hang guard: the run never wrote its first records");
                await Task.Delay(20);
            }

            using (Process kill = Process.Start("kill", ["-TERM", fastscore.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync();
            }

            await fastscore.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(120));
        }
        finally
        {
            if (!fastscore.HasExited)
            {
                fastscore.Kill();
            }
        }

        string err = await stderr;
        await stdout;
        Match read = Regex.Match(err, @"\n0\s+in\s+\S+\s+(\S+)\s+([\d,]+)\s");
        int written = File.ReadAllLines(output).Length;
        Assert.Multiple(() =>
        {
            Assert.That(fastscore.ExitCode, Is.EqualTo(3), err);
            Assert.That(err, Does.Contain("engine: STOPPED").And.Not.Contain("FINISHED"));
            Assert.That(err, Does.Contain("stopped: input slot 0"));
            Assert.That(read.Success, Is.True, err);
            Assert.That(read.Groups[1].Value, Is.EqualTo("stopped"), "the eof column does not say yes");
            Assert.That(written, Is.EqualTo(int.Parse(read.Groups[2].Value.Replace(",", "", StringComparison.Ordinal), CultureInfo.InvariantCulture)), "every record read was scored and written");
        });
    }

    [Test]
    public async Task A_run_that_rejects_all_300000_records_exits_1_saying_nothing_was_scored_and_leaves_no_output_file()
    {
        string input = WriteRecords(300_000, _ => true);
        string output = Path.Combine(_dir, "out.jsons");

        var (exit, _, err, _) = await CliRunner.RunAsync("run", "echo", "file:" + input, "file:" + output);

        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.EqualTo(1), err);
            Assert.That(err, Does.Contain("engine: ERROR"));
            Assert.That(err, Does.Contain("error: nothing was scored: every one of the 300,000 records read was rejected"));
            Assert.That(File.Exists(output), Is.False, "nothing was written, so no output file is left behind");
        });
    }

    [Test]
    public async Task Quiet_still_prints_why_a_run_failed_but_not_the_summary_table()
    {
        string input = WriteRecords(10, _ => true);

        var (exit, _, err, _) = await CliRunner.RunAsync("run", "echo", "file:" + input, "discard:", "-q");

        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.EqualTo(1));
            Assert.That(err, Does.Contain("engine: ERROR").And.Contain("error: nothing was scored: every one of the 10 records read was rejected"));
            Assert.That(err, Does.Not.Contain("rej.encoding"), "the table stays quiet");
        });
    }

    [Test]
    public async Task Quiet_prints_nothing_when_the_run_finishes()
    {
        string input = WriteRecords(10, _ => false);

        var (exit, _, err, _) = await CliRunner.RunAsync("run", "echo", "file:" + input, "discard:", "-q");

        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.EqualTo(0), err);
            Assert.That(err, Is.Empty);
        });
    }

    [Test]
    public async Task Max_rejected_N_stops_the_run_as_soon_as_the_limit_is_crossed_and_exits_1()
    {
        const int Total = 200_000;
        string input = WriteRecords(Total, i => i > 100);
        string output = Path.Combine(_dir, "out.jsons");

        var (exit, _, err, _) = await CliRunner.RunAsync("run", "echo", "file:" + input, "file:" + output, "--max-rejected", "10");

        Match counts = Regex.Match(err, @"\n0\s+in\s+\S+\s+(\S+)\s+([\d,]+)\s+[\d,]+\s+([\d,]+)\s");
        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.EqualTo(1), err);
            Assert.That(err, Does.Contain("error: more than 10 records were rejected (the limit is 10); reading stopped at slot 0 record 111"));
            Assert.That(counts.Success, Is.True, err);
            Assert.That(counts.Groups[1].Value, Is.EqualTo("stopped"));
            Assert.That(long.Parse(counts.Groups[3].Value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture), Is.LessThan(Total / 10), "stopped long before the end of the file");
            Assert.That(File.ReadAllLines(output), Has.Length.EqualTo(100), "the records read before the limit were scored and written");
        });
    }

    [TestCase("10", 0)]
    [TestCase("9", 1)]
    [TestCase("10%", 0)]
    [TestCase("9.5%", 1)]
    public async Task Max_rejected_N_or_N_percent_fails_only_a_run_beyond_it(string limit, int expectedExit)
    {
        string input = WriteRecords(100, i => i % 10 == 0); // 10 of 100 rejected: 10%

        var (exit, _, err, _) = await CliRunner.RunAsync("run", "echo", "file:" + input, "discard:", "--max-rejected", limit);

        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.EqualTo(expectedExit), err);
            Assert.That(err, expectedExit == 0 ? Does.Contain("engine: FINISHED") : Does.Contain("engine: ERROR").And.Contain("rejected"));
        });
    }

    [TestCase("ten")]
    [TestCase("-1")]
    [TestCase("150%")]
    public async Task An_invalid_max_rejected_is_a_usage_error(string limit)
    {
        var (exit, _, err, _) = await CliRunner.RunAsync("run", "echo", "inline:1", "discard:", "--max-rejected", limit);
        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.EqualTo(2));
            Assert.That(err, Does.Contain("--max-rejected").And.Contain(limit));
        });
    }

    [Test]
    public async Task A_command_line_that_does_not_parse_is_a_usage_error()
    {
        var (exit, _, err, _) = await CliRunner.RunAsync("run", "iris", "inline:1", "discard:", "--on-model-error", "Sometimes");
        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.EqualTo(2));
            Assert.That(err, Does.Contain("Sometimes"));
        });
    }

    [Test]
    public async Task The_run_help_lists_every_exit_code()
    {
        var (exit, stdout, _, _) = await CliRunner.RunAsync("run", "--help");
        string help = Regex.Replace(stdout, @"\s+", " ");
        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.EqualTo(0));
            Assert.That(help, Does.Contain("Exit codes: 0 finished").And.Contain("1 failed").And.Contain("2 usage error").And.Contain("3 stopped by Ctrl-C or SIGTERM"));
            Assert.That(help, Does.Contain("--max-rejected"));
        });
    }
}
