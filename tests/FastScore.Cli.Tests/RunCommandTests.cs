using System.Text.Json;

namespace FastScore.Cli.Tests;

public sealed class RunCommandTests
{
    private string _dir = "";

    [SetUp]
    public void SetUp() => _dir = Directory.CreateTempSubdirectory("fastscore-cli-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    [Test]
    public async Task Run_iris_scores_the_guides_25_records_to_the_console()
    {
        var (exit, _, err, console) = await CliRunner.RunAsync("run", "iris", "file:" + CliRunner.IrisInputs, "console:");
        string[] lines = console.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.EqualTo(0), err);
            Assert.That(lines, Has.Length.EqualTo(25));
            Assert.That(err, Does.Contain("engine: FINISHED"));
        });
        using JsonDocument first = JsonDocument.Parse(lines[0]);
        double a = first.RootElement.GetProperty("A").GetDouble(), b = first.RootElement.GetProperty("B").GetDouble(), c = first.RootElement.GetProperty("C").GetDouble();
        Assert.Multiple(() =>
        {
            Assert.That(c, Is.GreaterThan(0.9), "the guide's first record is a virginica");
            Assert.That(a + b + c, Is.EqualTo(1.0).Within(1e-3));
        });
    }

    [Test]
    public async Task Run_writes_to_a_file_output_and_reports_counts_per_slot()
    {
        string output = Path.Combine(_dir, "scores.jsons");
        var (exit, _, err, _) = await CliRunner.RunAsync("run", "iris", "file:" + CliRunner.IrisInputs, "file:" + output);
        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.EqualTo(0), err);
            Assert.That(File.ReadAllLines(output), Has.Length.EqualTo(25));
            Assert.That(err, Does.Match(@"0\s+in\s+file:\S+xgboost_iris_inputs.jsons\s+yes\s+25\s"));
            Assert.That(err, Does.Match(@"1\s+out\s+file:\S+scores.jsons\s+yes\s+25\s"));
        });
    }

    [Test]
    public async Task An_unknown_model_is_a_usage_error_listing_the_built_in_models()
    {
        var (exit, _, err, _) = await CliRunner.RunAsync("run", "nosuchmodel", "inline:1", "discard:");
        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.EqualTo(2));
            Assert.That(err, Does.Contain("Unknown model 'nosuchmodel'").And.Contain("iris"));
        });
    }

    [Test]
    public async Task An_invalid_stream_literal_exits_1_with_the_error()
    {
        var (exit, _, err, _) = await CliRunner.RunAsync("run", "echo", "bogus:thing", "discard:");
        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.EqualTo(1));
            Assert.That(err, Does.Contain("bogus:thing"));
        });
    }

    [Test]
    public async Task An_output_only_transport_on_an_input_slot_is_a_clear_error()
    {
        var (exit, _, err, _) = await CliRunner.RunAsync("run", "echo", "discard:", "discard:");
        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.EqualTo(1));
            Assert.That(err, Does.Contain("input slot").And.Contain("discard"));
        });
    }

    [Test]
    public async Task A_slot_the_model_does_not_use_is_a_clear_error()
    {
        var (exit, _, err, _) = await CliRunner.RunAsync("run", "echo", "inline:1", "discard:", "3=discard:");
        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.EqualTo(1));
            Assert.That(err, Does.Contain("does not use slot 3"));
        });
    }

    [Test]
    public async Task Cancelling_an_endless_run_drains_and_flushes_every_record_read_then_exits_3_as_stopped()
    {
        string input = Path.Combine(_dir, "loop.json");
        string output = Path.Combine(_dir, "out.jsons");
        await File.WriteAllTextAsync(input, $$"""{"Transport": {"Type": "file", "Path": "{{CliRunner.IrisInputs}}"}, "Loop": true, "Encoding": "json"}""");
        using var cts = new CancellationTokenSource();
        Task<(int Exit, string Out, string Err, string Console)> run = CliRunner.RunAsync(cts.Token, "run", "echo", input, "file:" + output);
        while (!File.Exists(output) || new FileInfo(output).Length < 50_000)
        {
            Assert.That(run.IsCompleted, Is.False, "a looping input never ends by itself");
            await Task.Delay(20);
        }

        await cts.CancelAsync();
        var (exit, _, err, _) = await run;
        int written = File.ReadAllLines(output).Length;
        System.Text.RegularExpressions.Match read = System.Text.RegularExpressions.Regex.Match(err, @"0\s+in\s+\S+\s+\S+\s+([\d,]+)\s");
        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.EqualTo(3), err);
            Assert.That(err, Does.Contain("engine: STOPPED"));
            Assert.That(read.Success, Is.True, err);
            Assert.That(written, Is.EqualTo(int.Parse(read.Groups[1].Value.Replace(",", "", StringComparison.Ordinal), System.Globalization.CultureInfo.InvariantCulture)), "every record read has its output");
            Assert.That(written, Is.GreaterThan(25));
        });
    }
}
