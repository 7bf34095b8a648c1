using System.Text.Json;
using Amazon.S3;
using Amazon.S3.Model;
using FastScore.Samples.Iris;
using FastScore.Streams.Engine;
using FastScore.Streams.S3.Tests.Support;
using static FastScore.Streams.S3.Tests.Support.S3Tests;

namespace FastScore.Streams.S3.Tests;

/// <summary>
/// The FastScore guide's S3 flow: the iris inputs uploaded to a bucket, the iris model run with the guide's
/// s3-input.json / s3-output.json (plus Endpoint), one prediction per input in the output object.
/// </summary>
[Category("Integration")]
public sealed class GuideFlowTests
{
    private const string Bucket = "iris-data-bucket";

    [Test]
    public async Task The_iris_model_scores_an_S3_object_into_an_S3_object_with_the_guides_descriptors()
    {
        await EnsureBucketAsync(Bucket);
        await PutAsync(Bucket, "xgboost_iris_inputs.jsons", await File.ReadAllBytesAsync(GuideDescriptors.FixturePath("xgboost_iris_inputs.jsons")));
        var input = GuideDescriptors.Load("s3-input.json", Server.ServiceUrl);
        var output = GuideDescriptors.Load("s3-output.json", Server.ServiceUrl);
        string[] inputs = (await File.ReadAllLinesAsync(GuideDescriptors.FixturePath("xgboost_iris_inputs.jsons"))).Where(l => l.Length > 0).ToArray();

        await using var engine = new ScoringEngine(Factory());
        using var model = new IrisModel();
        engine.LoadModel(model);
        engine.Attach(0, input);
        engine.Attach(1, output);
        EngineState final = await engine.Completion.WaitAsync(TimeSpan.FromMinutes(2));
        EngineInspection inspection = engine.Inspect();

        string[] predictions = (await GetTextAsync(Bucket, "iris_predictions.jsons")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        IrisOutput[] parsed = predictions.Select(p => JsonSerializer.Deserialize<IrisOutput>(p)!).ToArray();
        IrisOutput[] expected = inputs.Select(i => IrisModel.Predict(JsonSerializer.Deserialize<IrisInput>(i)!)).ToArray();
        Assert.Multiple(() =>
        {
            Assert.That(final, Is.EqualTo(EngineState.Finished), inspection.Error);
            Assert.That(inputs, Has.Length.EqualTo(25)); // the guide's 25 records (no newline after the last)
            Assert.That(predictions, Has.Length.EqualTo(inputs.Length));
            Assert.That(parsed.Select(p => p.PredictedClass), Is.EqualTo(expected.Select(e => e.PredictedClass)));
            Assert.That(parsed.Select(p => p.A + p.B + p.C), Has.All.EqualTo(1f).Within(0.001f));
            Assert.That(parsed[0].PredictedSpecies, Is.EqualTo("virginica")); // the guide's {6.9, 3.1, 5.4, 2.1}
            Assert.That(inspection.Slots.Select(s => s.Records), Is.EqualTo(new long[] { 25, 25 }));
        });
    }

    private static async Task EnsureBucketAsync(string bucket)
    {
        try
        {
            await Client.PutBucketAsync(new PutBucketRequest { BucketName = bucket });
        }
        catch (AmazonS3Exception ex) when (ex.ErrorCode is "BucketAlreadyExists" or "BucketAlreadyOwnedByYou")
        {
        }
    }
}
