using System.Net;
using System.Text;

namespace FastScore.Cli.Tests;

/// <summary>
/// docs/guide.md, part 1 (the REST round trip), command for command: the same fastscore commands in the same order,
/// against an engine started with <c>fastscore serve</c>. Parts 2 (S3) and 3 (Kafka) run in the S3 and Kafka test
/// projects, next to their servers.
/// </summary>
public sealed class GuideTests
{
    private string _dir = "";
    private Dictionary<string, string> _env = [];

    [SetUp]
    public void SetUp()
    {
        _dir = Directory.CreateTempSubdirectory("fastscore-guide-").FullName;
        _env = new() { ["FASTSCORE_HOME"] = Path.Combine(_dir, ".fastscore") };
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    private static string Examples => Path.Combine(CliRunner.RepoRoot, "tests", "FastScore.Streams.Tests", "Fixtures", "fastscore-examples");

    private static string Data => Path.Combine(CliRunner.RepoRoot, "samples", "FastScore.Samples.Iris", "data");

    private async Task<(int Exit, string Out, string Err)> Fastscore(string? stdin, params string[] args)
    {
        var (exit, stdout, err, _) = await CliRunner.RunInAsync(_env, stdin, CancellationToken.None, args);
        Assert.That(exit, Is.EqualTo(0), $"fastscore {string.Join(' ', args)}: {err}");
        return (exit, stdout, err);
    }

    [Test]
    public async Task Part_1_the_REST_round_trip_as_docs_guide_md_shows_it()
    {
        string url = $"http://127.0.0.1:{ServeSupport.FreePort()}";
        string dataRoot = Directory.CreateDirectory(Path.Combine(_dir, "data-root")).FullName;

        // 0. the library's schemas, the engine, selected by name
        await Fastscore(null, "schema", "add", "xgboost_iris_input", Path.Combine(Examples, "schemas", "xgboost_iris_input.avsc"));
        await Fastscore(null, "schema", "add", "xgboost_iris_output", Path.Combine(Examples, "schemas", "xgboost_iris_output.avsc"));
        using var stop = new CancellationTokenSource();
        var serving = CliRunner.RunInAsync(_env, null, stop.Token, "serve", "--urls", url, "--data-root", dataRoot);
        await ServeSupport.WaitForStateAsync(url, "init", serving);
        await Fastscore(null, "use", "engine-1", url);

        // 1. REST: reset, the REST stream, run, inspect, one round trip with curl, then model input / model output
        await Fastscore(null, "engine", "reset");
        await Fastscore(null, "stream", "add", "rest", Path.Combine(Examples, "streams", "rest-trip.json"));
        var run = await Fastscore(null, "run", "iris", "rest", "rest");
        var inspect = await Fastscore(null, "engine", "inspect");
        using var curl = new HttpClient();
        using HttpResponseMessage roundTrip = await curl.PostAsync($"{url}/api/1/service/engine-1/2/active/model/roundtrip/0/1",
            new StringContent(await File.ReadAllTextAsync(Path.Combine(Data, "xgboost_iris_single.json")), Encoding.UTF8, "application/json"));
        string score = await roundTrip.Content.ReadAsStringAsync();
        var input = await Fastscore(await File.ReadAllTextAsync(Path.Combine(Data, "xgboost_iris_inputs.jsons")), "model", "input");
        var output = await Fastscore(null, "model", "output");
        var list = await Fastscore(null, "stream", "list");

        await stop.CancelAsync();
        var served = await serving.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Multiple(() =>
        {
            Assert.That(run.Out, Is.EqualTo("model iris loaded\nslot 0: rest attached\nslot 1: rest attached\n" + $"engine at {url}/: running\n"));
            Assert.That(inspect.Out, Does.StartWith("engine: RUNNING   model: iris"));
            Assert.That(roundTrip.StatusCode, Is.EqualTo(HttpStatusCode.OK), score);
            Assert.That(score, Does.StartWith("{\"A\":0.0030519627,"), "the guide's single record: class C");
            Assert.That(input.Err, Is.Empty, "no record rejected");
            Assert.That(output.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries), Has.Length.EqualTo(25));
            Assert.That(list.Out, Is.EqualTo("rest\n"));
            Assert.That(served.Exit, Is.EqualTo(0), served.Err);
        });
    }
}
