using FastScore.Streams.Kafka.Tests.Infrastructure;
using static FastScore.Streams.Tests.Common.GuideCliSession;

namespace FastScore.Streams.Kafka.Tests.EndToEnd;

/// <summary>
/// docs/guide.md, part 3 (Kafka streaming from a looping file), command for command, against the mock cluster and an
/// engine started with <c>fastscore serve</c>: the same fastscore commands in the same order (the broker address, the
/// topic and the data root are this test's).
/// </summary>
[Category("Integration")]
public sealed class GuideCliTests
{
    [Test]
    public async Task Part_3_Kafka_streaming_with_a_looping_file_as_docs_guide_md_shows_it()
    {
        KafkaTestCluster cluster = KafkaTestCluster.Shared;
        string topic = cluster.CreateUniqueTopic("iris-output", 1);
        string dir = Directory.CreateTempSubdirectory("fastscore-guide-kafka-").FullName;
        string dataRoot = Directory.CreateDirectory(Path.Combine(dir, "tmp")).FullName; // the guide's /tmp
        var env = new Dictionary<string, string> { ["FASTSCORE_HOME"] = Path.Combine(dir, ".fastscore") };
        string url = $"http://127.0.0.1:{FreePort()}";
        using var stop = new CancellationTokenSource();
        Task<(int Exit, string Out, string Err)> serving = Task.FromResult((0, "", ""));
        try
        {
            // 0. the engine, its files under the data root, named and selected
            serving = RunAsync(env, null, stop.Token, "serve", "--urls", url, "--data-root", dataRoot);
            await WaitForEngineAsync(url, serving);
            await Fastscore(env, null, "use", "engine-1", url);

            // 3. Kafka: the inputs put into the engine, the file stream looping, the scores into a topic
            string input = Path.Combine(dataRoot, "input.jsons");
            var put = await Fastscore(env, null, "engine", "put", Path.Combine(Data, "xgboost_iris_inputs.jsons"), input);
            string file = (await File.ReadAllTextAsync(Path.Combine(Examples, "streams", "xgboost_file.json")))
                .Replace("\"Loop\": false", "\"Loop\": true", StringComparison.Ordinal)
                .Replace("/tmp/input.jsons", input, StringComparison.Ordinal);
            await Fastscore(env, file, "stream", "add", "xgboost_file", "-");
            string kafka = (await File.ReadAllTextAsync(Path.Combine(Examples, "streams", "iris_stream.json")))
                .Replace("kafka:9092", cluster.BootstrapServers, StringComparison.Ordinal)
                .Replace("\"iris-output\"", $"\"{topic}\"", StringComparison.Ordinal);
            await Fastscore(env, kafka, "stream", "add", "iris_stream", "-");
            await Fastscore(env, null, "engine", "reset");
            var run = await Fastscore(env, null, "run", "iris", "xgboost_file", "iris_stream");
            var sample = await Fastscore(env, null, "stream", "sample", "iris_stream", "-n", "5");
            var inspect = await Fastscore(env, null, "engine", "inspect");
            await Fastscore(env, null, "engine", "reset");
            var after = await Fastscore(env, null, "engine", "inspect");

            string[] records = sample.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Multiple(() =>
            {
                Assert.That(put.Out, Does.Contain($" -> {input} ("));
                Assert.That(run.Out, Is.EqualTo($"model iris loaded\nslot 0: xgboost_file attached\nslot 1: iris_stream attached\nengine at {url}/: running\n"));
                Assert.That(records, Has.Length.EqualTo(5));
                Assert.That(records, Has.All.Match(@"^\s+\d: \{""A"":[0-9.eE-]+,""B"":[0-9.eE-]+,""C"":[0-9.eE-]+\}$"));
                Assert.That(inspect.Out, Does.StartWith("engine: RUNNING   model: iris"));
                Assert.That(after.Out, Does.StartWith("engine: INIT"), "reset stopped the looping run");
            });
        }
        finally
        {
            await stop.CancelAsync();
            var served = await serving.WaitAsync(TimeSpan.FromSeconds(30));
            Directory.Delete(dir, recursive: true);
            Assert.That(served.Exit, Is.EqualTo(0), served.Err);
        }
    }
}
