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
}
