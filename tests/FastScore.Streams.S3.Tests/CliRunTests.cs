using System.Text.Json;
using FastScore.Cli;
using FastScore.Samples.Iris;
using FastScore.Streams.S3.Tests.Support;
using static FastScore.Streams.S3.Tests.Support.S3Tests;

namespace FastScore.Streams.S3.Tests;

/// <summary><c>fastscore run iris s3-input.json s3-output.json</c> with the guide's descriptors plus Endpoint.</summary>
[Category("Integration")]
[NonParallelizable]
public sealed class CliRunTests
{
    [Test]
    public async Task Fastscore_run_iris_scores_the_guides_S3_object_with_descriptor_files()
    {
        string bucket = "cli-iris-" + Guid.NewGuid().ToString("N")[..8];
        await Client.PutBucketAsync(bucket);
        await PutAsync(bucket, "xgboost_iris_inputs.jsons", await File.ReadAllBytesAsync(GuideDescriptors.FixturePath("xgboost_iris_inputs.jsons")));
        string dir = Directory.CreateTempSubdirectory("fastscore-s3-cli-").FullName;
        string inputFile = Path.Combine(dir, "s3-input.json");
        string outputFile = Path.Combine(dir, "s3-out.json");
        foreach ((string fixture, string target) in new[] { ("s3-input.json", inputFile), ("s3-output.json", outputFile) })
        {
            string text = (await File.ReadAllTextAsync(GuideDescriptors.FixturePath(fixture)))
                .Replace("http://127.0.0.1:4568", Server.ServiceUrl, StringComparison.Ordinal)
                .Replace("iris-data-bucket", bucket, StringComparison.Ordinal);
            await File.WriteAllTextAsync(target, text);
        }

        string? oldKey = Environment.GetEnvironmentVariable("AWS_ACCESS_KEY_ID");
        string? oldSecret = Environment.GetEnvironmentVariable("AWS_SECRET_ACCESS_KEY");
        Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", "S3RVER");
        Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", "S3RVER");
        try
        {
            var stdout = new StringWriter();
            var stderr = new StringWriter();
            int exit = await CliApp.RunAsync(["run", "iris", inputFile, outputFile], new CliIo(stdout, stderr, Stream.Null, Stream.Null, false), CancellationToken.None);
            string[] predictions = (await GetTextAsync(bucket, "iris_predictions.jsons")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Multiple(() =>
            {
                Assert.That(exit, Is.EqualTo(0), stderr.ToString());
                Assert.That(stderr.ToString(), Does.Contain("engine: FINISHED"));
                Assert.That(stderr.ToString(), Does.Not.Contain("S3RVER"), "keys never appear in output");
                Assert.That(predictions, Has.Length.EqualTo(25));
                Assert.That(JsonSerializer.Deserialize<IrisOutput>(predictions[0])!.PredictedSpecies, Is.EqualTo("virginica"));
            });
        }
        finally
        {
            Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", oldKey);
            Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", oldSecret);
            Directory.Delete(dir, recursive: true);
        }
    }

    [Test]
    public async Task Fastscore_run_with_rejects_to_S3_writes_one_reject_document_per_rejected_record()
    {
        string bucket = "cli-rejects-" + Guid.NewGuid().ToString("N")[..8];
        await Client.PutBucketAsync(bucket);
        string dir = Directory.CreateTempSubdirectory("fastscore-s3-rejects-").FullName;
        string[] good = File.ReadAllLines(GuideDescriptors.FixturePath("xgboost_iris_inputs.jsons")).Where(l => l.Length > 0).Take(3).ToArray();
        string inputFile = Path.Combine(dir, "in.jsons");
        await File.WriteAllLinesAsync(inputFile, [good[0], "{not json", good[1], """{"sepal_length": "wide"}""", good[2]]);
        string outputFile = Path.Combine(dir, "out.jsons");
        string rejectsFile = Path.Combine(dir, "s3-rejects.json");
        await File.WriteAllTextAsync(rejectsFile,
            "{\"Encoding\": \"json\", \"Transport\": {\"Type\": \"S3\", \"Bucket\": \"" + bucket + "\", \"ObjectKey\": \"rejects/run-1.jsons\", \"Endpoint\": \"" + Server.ServiceUrl + "\", \"Region\": \"us-east-2\"}}");

        string? oldKey = Environment.GetEnvironmentVariable("AWS_ACCESS_KEY_ID");
        string? oldSecret = Environment.GetEnvironmentVariable("AWS_SECRET_ACCESS_KEY");
        Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", "S3RVER");
        Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", "S3RVER");
        try
        {
            var stdout = new StringWriter();
            var stderr = new StringWriter();
            int exit = await CliApp.RunAsync(["run", "iris", "file:" + inputFile, "file:" + outputFile, "--rejects", rejectsFile], new CliIo(stdout, stderr, Stream.Null, Stream.Null, false), CancellationToken.None);
            Assert.That(exit, Is.EqualTo(0), stderr.ToString());
            JsonElement[] docs = [.. (await GetTextAsync(bucket, "rejects/run-1.jsons")).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement)];
            Assert.Multiple(() =>
            {
                Assert.That(exit, Is.EqualTo(0), stderr.ToString());
                Assert.That(File.ReadAllLines(outputFile), Has.Length.EqualTo(3));
                Assert.That(docs.Select(d => (d.GetProperty("recordNumber").GetInt64(), d.GetProperty("kind").GetString())), Is.EqualTo(new[] { (2L, "encoding"), (4L, "schema") }));
                Assert.That(docs.Select(d => d.GetProperty("record").GetString()), Is.EqualTo(new[] { "{not json", """{"sepal_length": "wide"}""" }));
                Assert.That(docs[0].GetProperty("position").GetProperty("byteOffset").GetInt64(), Is.EqualTo(good[0].Length + 1));
            });
        }
        finally
        {
            Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", oldKey);
            Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", oldSecret);
            Directory.Delete(dir, recursive: true);
        }
    }
}
