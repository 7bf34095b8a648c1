using System.Globalization;
using System.Text.RegularExpressions;
using FastScore.Streams.S3.Tests.Infrastructure;
using FastScore.Streams.S3.Tests.Support;
using FastScore.Streams.TestUtilities;
using static FastScore.Streams.S3.Tests.Support.S3Tests;

namespace FastScore.Streams.S3.Tests;

/// <summary>
/// Issue 12, point 9: <c>fastscore run</c> as a child process against s3rver. An outage of the server mid-run is retried
/// on the output side as on the input side, and an output that cannot be written (wrong bucket, wrong credentials) fails
/// the run when it opens, before anything is scored, naming the descriptor field to fix.
/// </summary>
[Category("Integration")]
public sealed partial class S3OutputReliabilityTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromMinutes(3);

    [Test]
    public async Task A_two_second_server_outage_mid_run_is_retried_on_both_sides_and_the_object_is_whole()
    {
        string bucket = await Server.CreateBucketAsync();
        var (sha, bytes, records) = await UploadGeneratedNdjsonAsync(bucket, "in.jsons", 40L * 1024 * 1024);
        await using var proxy = new FlakyProxy(Server.ServiceUrl);
        using var files = new TempFolder();
        string input = files.Write("in.json", Descriptor(bucket, "in.jsons", proxy.Url));
        string output = files.Write("out.json", Descriptor(bucket, "out.jsons", proxy.Url));

        await using var cli = FastScoreCliProcess.Start(["run", "echo", input, output]);
        await WaitAsync(() => proxy.BytesUp > 9L * 1024 * 1024, "the first 8 MiB part is on its way", cli); // uploads are under way
        proxy.Down();
        await Task.Delay(TimeSpan.FromSeconds(2)); // the outage
        proxy.Up();
        bool exited = await cli.WaitForExitAsync(Guard);

        TestContext.Out.WriteLine(cli.Stderr);
        Assert.That(exited, Is.True, cli.Stderr);
        Assert.That(cli.ExitCode, Is.Zero, cli.Stderr);
        var (outSha, outBytes, outLines) = await HashAsync(bucket, "out.jsons");
        Assert.Multiple(() =>
        {
            Assert.That(cli.Stderr, Does.Contain("engine: FINISHED"));
            Assert.That(proxy.ConnectionsRefused, Is.GreaterThan(0), "the outage refused connections");
            Assert.That(cli.Stderr, Does.Match($@"warning: S3 output s3://{bucket}/out\.jsons: .* retrying in \d+ ms \(retry 1 of 5\)"), "the output retried");
            Assert.That((outSha, outBytes, outLines), Is.EqualTo((sha, bytes, records)), "every record once, in order");
            Assert.That(cli.Stderr, Does.Not.Contain("S3RVER"), "keys never appear");
        });
    }

    [Test]
    public async Task A_missing_output_bucket_fails_the_run_when_it_opens_before_any_record_is_scored_naming_Transport_Bucket()
    {
        string bucket = S3TestServer.UniqueBucketName("missing");
        using var files = new TempFolder();
        string input = files.IrisInputs(200_000);
        string output = files.Write("out.json", Descriptor(bucket, "scores.jsons", Server.ServiceUrl));

        await using var cli = FastScoreCliProcess.Start(["run", "iris", "file:" + input, output]);
        bool exited = await cli.WaitForExitAsync(Guard);

        Assert.That(exited, Is.True, cli.Stderr);
        Assert.Multiple(() =>
        {
            Assert.That(cli.ExitCode, Is.EqualTo(1));
            Assert.That(cli.Stderr, Does.Contain($"S3 output s3://{bucket}/scores.jsons cannot be written: the bucket does not exist (NoSuchBucket, HTTP 404); check Transport.Bucket."));
            Assert.That(InputRecords(cli.Stderr), Is.Zero, "nothing was scored");
        });
    }

    [Test]
    public async Task Wrong_output_credentials_fail_the_run_when_it_opens_before_any_record_is_scored_naming_Transport_AccessKeyID()
    {
        string bucket = await Server.CreateBucketAsync();
        using var files = new TempFolder();
        string input = files.IrisInputs(200_000);
        string output = files.Write("out.json", Descriptor(bucket, "scores.jsons", Server.ServiceUrl, accessKey: "AKIAWRONGKEY0EXAMPLE"));

        await using var cli = FastScoreCliProcess.Start(["run", "iris", "file:" + input, output]);
        bool exited = await cli.WaitForExitAsync(Guard);

        Assert.That(exited, Is.True, cli.Stderr);
        Assert.Multiple(async () =>
        {
            Assert.That(cli.ExitCode, Is.EqualTo(1));
            Assert.That(cli.Stderr, Does.Contain($"S3 output s3://{bucket}/scores.jsons cannot be written: the server does not know the access key id"));
            Assert.That(cli.Stderr, Does.Contain("check Transport.AccessKeyID"));
            Assert.That(cli.Stderr, Does.Not.Contain("AKIAWRONGKEY0EXAMPLE"), "keys never appear");
            Assert.That(InputRecords(cli.Stderr), Is.Zero, "nothing was scored");
            Assert.That(await ExistsAsync(bucket, "scores.jsons"), Is.False);
        });
    }

    private static string Descriptor(string bucket, string key, string endpoint, string accessKey = S3TestServer.AccessKey) => $$"""
        {"Transport": {"Type": "S3", "Bucket": "{{bucket}}", "ObjectKey": "{{key}}", "Endpoint": "{{endpoint}}",
                       "AccessKeyID": "{{accessKey}}", "SecretAccessKey": "{{S3TestServer.AccessKey}}"},
         "Encoding": "json"}
        """;

    /// <summary>The records column of slot 0 in the summary.</summary>
    private static long InputRecords(string stderr)
    {
        Match row = InputRow().Match(stderr);
        Assert.That(row.Success, Is.True, "no slot 0 row in:\n" + stderr);
        return long.Parse(row.Groups[1].Value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"^0\s+in\s+.*?\s(?:yes|no)\s+([\d,]+)\s", RegexOptions.Multiline)]
    private static partial Regex InputRow();

    private static async Task WaitAsync(Func<bool> condition, string what, FastScoreCliProcess cli)
    {
        using var guard = new CancellationTokenSource(Guard);
        while (!condition())
        {
            if (cli.HasExited)
            {
                Assert.Fail($"fastscore exited before {what}:\n{cli.Stderr}");
            }

            await Task.Delay(10, guard.Token);
        }
    }

    private sealed class TempFolder : IDisposable
    {
        public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("fastscore-s3-").FullName;

        public string Write(string name, string text)
        {
            string path = Path.Combine(Directory, name);
            File.WriteAllText(path, text);
            return path;
        }

        /// <summary>The guide's iris records repeated to <paramref name="count"/> lines.</summary>
        public string IrisInputs(int count)
        {
            string[] records = File.ReadAllLines(GuideDescriptors.FixturePath("xgboost_iris_inputs.jsons"));
            string path = Path.Combine(Directory, "iris.jsons");
            File.WriteAllLines(path, Enumerable.Range(0, count).Select(i => records[i % records.Length]));
            return path;
        }

        public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
    }
}
