using System.Text.Json;
using FastScore.Samples.Iris;
using static FastScore.Streams.S3.Tests.Support.S3Tests;
using static FastScore.Streams.Tests.Common.GuideCliSession;

namespace FastScore.Streams.S3.Tests;

/// <summary>
/// docs/guide.md, part 2 (the S3 batch), command for command, against s3rver and an engine started with
/// <c>fastscore serve</c>: the same fastscore commands in the same order (addresses and the bucket name are this test's).
/// </summary>
[Category("Integration")]
[NonParallelizable]
public sealed class GuideCliTests
{
    [Test]
    public async Task Part_2_the_S3_batch_as_docs_guide_md_shows_it()
    {
        string dir = Directory.CreateTempSubdirectory("fastscore-guide-s3-").FullName;
        string bucket = "guide-" + Guid.NewGuid().ToString("N")[..8];
        await Client.PutBucketAsync(bucket); // the guide's bucket (s3rver --configure-bucket)
        var env = new Dictionary<string, string> { ["FASTSCORE_HOME"] = Path.Combine(dir, ".fastscore") };
        string? oldKey = Environment.GetEnvironmentVariable("AWS_ACCESS_KEY_ID");
        string? oldSecret = Environment.GetEnvironmentVariable("AWS_SECRET_ACCESS_KEY");
        Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", "S3RVER"); // export AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER
        Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", "S3RVER");
        string url = $"http://127.0.0.1:{FreePort()}";
        using var stop = new CancellationTokenSource();
        Task<(int Exit, string Out, string Err)> serving = Task.FromResult((0, "", ""));
        try
        {
            // 0. the engine, named and selected
            serving = RunAsync(env, null, stop.Token, "serve", "--urls", url, "--data-root", dir);
            await WaitForEngineAsync(url, serving);
            await Fastscore(env, null, "use", "engine-1", url);

            // 2. S3: the guide's descriptors with an Endpoint, the inputs uploaded, the batch run on the engine
            foreach (string name in (string[])["s3-input", "s3-output"])
            {
                string descriptor = (await File.ReadAllTextAsync(Path.Combine(Examples, "streams", name + ".json")))
                    .Replace("\"Region\": \"us-east-2\"", $"\"Region\": \"us-east-2\", \"Endpoint\": \"{Server.ServiceUrl}\"", StringComparison.Ordinal)
                    .Replace("iris-data-bucket", bucket, StringComparison.Ordinal);
                await Fastscore(env, descriptor, "stream", "add", name, "-");
            }

            await Fastscore(env, null, "run", "echo", "file:" + Path.Combine(Data, "xgboost_iris_inputs.jsons"), "s3-input", "--local", "-q");
            await Fastscore(env, null, "engine", "reset");
            var run = await Fastscore(env, null, "run", "iris", "s3-input", "s3-output", "--wait");
            var inspect = await Fastscore(env, null, "engine", "inspect");
            var sample = await Fastscore(env, null, "stream", "sample", "s3-output", "-n", "3");
            var show = await Fastscore(env, null, "stream", "show", "s3-input");

            string[] predictions = (await GetTextAsync(bucket, "iris_predictions.jsons")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Multiple(() =>
            {
                Assert.That(run.Out, Is.EqualTo("model iris loaded\nslot 0: s3-input attached\nslot 1: s3-output attached\n"));
                Assert.That(run.Err, Does.Contain("finished"));
                Assert.That(inspect.Out, Does.StartWith("engine: FINISHED   model: iris"));
                Assert.That(inspect.Out, Does.Match(@"0\s+in\s+s3://\S+/xgboost_iris_inputs.jsons\s+yes\s+25\s"));
                Assert.That(predictions, Has.Length.EqualTo(25));
                Assert.That(JsonSerializer.Deserialize<IrisOutput>(predictions[0])!.PredictedSpecies, Is.EqualTo("virginica"));
                Assert.That(sample.Out, Does.StartWith("   1: {\"A\":0.0030519627,"));
                Assert.That(sample.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries), Has.Length.EqualTo(3));
                Assert.That(show.Out, Does.Contain($"\"Bucket\": \"{bucket}\""));
            });
        }
        finally
        {
            await stop.CancelAsync();
            var served = await serving.WaitAsync(TimeSpan.FromSeconds(30));
            Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", oldKey);
            Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", oldSecret);
            Directory.Delete(dir, recursive: true);
            Assert.That(served.Exit, Is.EqualTo(0), served.Err);
        }
    }
}
