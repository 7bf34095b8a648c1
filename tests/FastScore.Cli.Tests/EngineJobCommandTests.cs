using System.Net;
using System.Net.Sockets;
using static FastScore.Cli.Tests.ServeSupport;

namespace FastScore.Cli.Tests;

/// <summary>
/// A job set up on a running engine, as FastScore's guide does: <c>serve</c> (an empty engine), <c>use NAME URL</c>,
/// <c>engine put</c>, <c>model load</c>, <c>run MODEL STREAM STREAM</c> against the selected engine, <c>use --clear</c>.
/// </summary>
public sealed class EngineJobCommandTests
{
    private string _dir = "";
    private string _root = "";
    private Dictionary<string, string> _env = [];

    [SetUp]
    public void SetUp()
    {
        _dir = Directory.CreateTempSubdirectory("fastscore-enginejob-").FullName;
        _root = Directory.CreateDirectory(Path.Combine(_dir, "data-root")).FullName;
        _env = new() { ["FASTSCORE_HOME"] = Path.Combine(_dir, "home") };
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    private Task<(int Exit, string Out, string Err, string Console)> Cli(params string[] args) => CliRunner.RunInAsync(_env, null, CancellationToken.None, args);

    [Test]
    public async Task An_empty_engine_takes_a_file_a_model_and_streams_and_runs_the_job_to_the_end()
    {
        string url = $"http://127.0.0.1:{FreePort()}";
        using var stop = new CancellationTokenSource();
        var serving = CliRunner.RunInAsync(_env, null, stop.Token, "serve", "--urls", url, "--data-root", _root, "-q");
        await WaitForStateAsync(url, "init", serving);

        var use = await Cli("use", "engine-1", url);
        var put = await Cli("engine", "put", CliRunner.IrisInputs, "input.jsons");
        var putAgain = await Cli("engine", "put", CliRunner.IrisInputs, "input.jsons");
        var escape = await Cli("engine", "put", CliRunner.IrisInputs, "../input.jsons");
        string input = Path.Combine(_root, "input.jsons");
        string scores = Path.Combine(_root, "scores.jsons");
        var addIn = await Cli("stream", "add", "file-in", $$$"""{"Transport": {"Type": "file", "Path": "{{{input}}}"}, "Encoding": "json"}""");
        var addOut = await Cli("stream", "add", "file-out", "file:" + scores);
        var unknownModel = await Cli("model", "load", "nobody");
        var run = await Cli("run", "iris", "file-in", "file-out", "--wait");
        var inspect = await Cli("engine", "inspect");
        var rerun = await Cli("run", "iris", "file-in", "file-out");
        var reset = await Cli("engine", "reset");
        var clear = await Cli("use", "--clear");
        string local = Path.Combine(_dir, "local.jsons");
        var localRun = await Cli("run", "iris", "file:" + CliRunner.IrisInputs, "file:" + local, "-q");
        var unknownName = await Cli("use", "engine-2");
        var byName = await Cli("use", "engine-1");

        await stop.CancelAsync();
        var served = await serving.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Multiple(() =>
        {
            Assert.That(use.Exit, Is.EqualTo(0), use.Err);
            Assert.That(use.Out, Does.StartWith($"using the engine engine-1 at {url}"));
            Assert.That(put.Exit, Is.EqualTo(0), put.Err);
            Assert.That(put.Out, Is.EqualTo(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{CliRunner.IrisInputs} -> {input} ({new FileInfo(CliRunner.IrisInputs).Length:N0} bytes)\n")));
            Assert.That(File.ReadAllText(input), Is.EqualTo(File.ReadAllText(CliRunner.IrisInputs)));
            Assert.That(putAgain.Exit, Is.EqualTo(1));
            Assert.That(putAgain.Err, Does.Contain("409").And.Contain("already exists").And.Contain("--force"));
            Assert.That(escape.Exit, Is.EqualTo(1));
            Assert.That(escape.Err, Does.Contain("403").And.Contain("outside the data root"));
            Assert.That(addIn.Exit + addOut.Exit, Is.EqualTo(0), addIn.Err + addOut.Err);
            Assert.That(unknownModel.Exit, Is.EqualTo(1));
            Assert.That(unknownModel.Err, Does.Contain("404").And.Contain("No model named 'nobody'"));
            Assert.That(run.Exit, Is.EqualTo(0), run.Err);
            Assert.That(run.Out, Is.EqualTo("model iris loaded\nslot 0: file-in attached\nslot 1: file-out attached\n"));
            Assert.That(run.Err, Does.Contain($"engine at {url}/: finished"));
            Assert.That(File.ReadAllLines(scores), Has.Length.EqualTo(25));
            Assert.That(inspect.Out, Does.StartWith("engine: FINISHED   model: iris"));
            Assert.That(rerun.Exit, Is.EqualTo(1), "a finished engine must be reset first");
            Assert.That(rerun.Err, Does.Contain("Reset the engine first"));
            Assert.That(reset.Exit, Is.EqualTo(0), reset.Err);
            Assert.That(clear.Exit, Is.EqualTo(0));
            Assert.That(localRun.Exit, Is.EqualTo(0), localRun.Err);
            Assert.That(File.ReadAllLines(local), Has.Length.EqualTo(25), "without a selected engine, run runs in this process");
            Assert.That(unknownName.Exit, Is.EqualTo(1));
            Assert.That(unknownName.Err, Does.Contain("No engine named 'engine-2' (known: engine-1)"));
            Assert.That(byName.Out, Does.StartWith($"using the engine engine-1 at {url}"));
            Assert.That(served.Exit, Is.EqualTo(0), served.Err);
        });
    }

    [Test]
    public async Task A_schema_added_to_the_library_after_the_engine_started_is_found_without_a_restart()
    {
        string url = $"http://127.0.0.1:{FreePort()}";
        using var stop = new CancellationTokenSource();
        var serving = CliRunner.RunInAsync(_env, null, stop.Token, "serve", "--urls", url, "--data-root", _root, "-q");
        await WaitForStateAsync(url, "init", serving);

        string input = Path.Combine(_root, "numbers.jsons");
        string output = Path.Combine(_root, "echoed.jsons");
        await File.WriteAllTextAsync(input, "1.5\n\"not a number\"\n2.5\n");
        string schemaFile = Path.Combine(_dir, "number.avsc");
        await File.WriteAllTextAsync(schemaFile, "\"double\"");
        var use = await Cli("use", "engine-1", url);
        var schemaAdd = await Cli("schema", "add", "number", schemaFile); // after the engine started
        var addIn = await Cli("stream", "add", "numbers-in", $$$"""{"Transport": {"Type": "file", "Path": "{{{input}}}"}, "Encoding": "json", "Schema": {"$ref": "number"}}""");
        var addOut = await Cli("stream", "add", "numbers-out", $$$"""{"Transport": {"Type": "file", "Path": "{{{output}}}"}, "Encoding": "json", "Schema": {"$ref": "number"}}""");
        var run = await Cli("run", "echo", "numbers-in", "numbers-out", "--wait");

        await stop.CancelAsync();
        var served = await serving.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Multiple(() =>
        {
            Assert.That(use.Exit + schemaAdd.Exit + addIn.Exit + addOut.Exit, Is.EqualTo(0), use.Err + schemaAdd.Err + addIn.Err + addOut.Err);
            Assert.That(run.Exit, Is.EqualTo(0), run.Err);
            Assert.That(File.ReadAllLines(output), Is.EqualTo(new[] { "1.5", "2.5" }), "the record that is not a double is rejected by the library's schema");
            Assert.That(served.Exit, Is.EqualTo(0), served.Err);
        });
    }

    [Test]
    public async Task Run_against_an_engine_refuses_an_assembly_and_says_when_the_engine_is_unreachable()
    {
        string url = $"http://127.0.0.1:{FreePort()}";
        var assembly = await Cli("run", "m", "discard:", "discard:", "--url", url, "--assembly", "x.dll");
        var unreachable = await Cli("run", "iris", "rest:", "rest:", "--url", url);
        Assert.Multiple(() =>
        {
            Assert.That(assembly.Exit, Is.EqualTo(2));
            Assert.That(assembly.Err, Does.Contain("an engine loads models by name"));
            Assert.That(unreachable.Exit, Is.EqualTo(1));
            Assert.That(unreachable.Err, Does.Contain($"Cannot reach the engine at {url}/"));
        });
    }
}
