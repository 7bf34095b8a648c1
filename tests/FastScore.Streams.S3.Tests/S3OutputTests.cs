using System.Text;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using FastScore.Streams.Descriptors;
using FastScore.Streams.S3.Tests.Infrastructure;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using static FastScore.Streams.S3.Tests.Support.S3Tests;

namespace FastScore.Streams.S3.Tests;

[Category("Integration")]
public sealed class S3OutputTests
{
    private FakeLoggerProvider _logs = null!;
    private ILoggerFactory _loggerFactory = null!;

    [SetUp]
    public void CaptureLogs()
    {
        _logs = new FakeLoggerProvider();
        _loggerFactory = LoggerFactory.Create(b => b.AddProvider(_logs).SetMinimumLevel(LogLevel.Debug));
    }

    [TearDown]
    public void StopCapturing()
    {
        _loggerFactory.Dispose();
        _logs.Dispose();
    }

    [Test]
    public async Task A_small_output_is_the_single_part_of_the_upload_created_at_open()
    {
        string bucket = await Server.CreateBucketAsync();
        string[] lines = ["{\"A\":0.1}", "{\"A\":0.2}", "{\"A\":0.3}"];

        await WriteLinesAsync(Factory(loggerFactory: _loggerFactory), Lines(Transport(bucket, "out/small.jsons")), lines);

        Assert.Multiple(async () =>
        {
            Assert.That(await GetTextAsync(bucket, "out/small.jsons"), Is.EqualTo("{\"A\":0.1}\n{\"A\":0.2}\n{\"A\":0.3}\n"));
            Assert.That(Messages(), Has.Some.Contains("written, 30 bytes in 1 parts"));
            Assert.That(Messages(), Has.One.Contains("multipart upload started"), "created when the output opened");
        });
    }

    [Test]
    public async Task An_empty_output_still_produces_an_empty_object()
    {
        string bucket = await Server.CreateBucketAsync();

        await WriteLinesAsync(Factory(), Lines(Transport(bucket, "empty.jsons")), []);

        Assert.That(await GetAsync(bucket, "empty.jsons"), Is.Empty);
    }

    [Test]
    public async Task A_large_output_is_a_multipart_upload_of_several_parts_written_as_records_arrive()
    {
        string bucket = await Server.CreateBucketAsync();
        string[] lines = Enumerable.Range(0, 160_000).Select(i => $"{{\"id\":{i},\"payload\":\"{new string('x', 100)}\"}}").ToArray();
        string expected = string.Join('\n', lines) + "\n";
        var settings = new S3TransportOptions { PartSize = S3TransportOptions.MinimumPartSize };

        await WriteLinesAsync(Factory(settings, _loggerFactory), Lines(Transport(bucket, "big.jsons")), lines);

        var (sha, bytes, count) = await HashAsync(bucket, "big.jsons");
        Assert.Multiple(() =>
        {
            Assert.That(bytes, Is.EqualTo(Encoding.UTF8.GetByteCount(expected)));
            Assert.That(count, Is.EqualTo(lines.Length));
            Assert.That(sha, Is.EqualTo(Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(expected)))));
            Assert.That(Messages(), Has.Some.Contains("multipart upload started"));
            Assert.That(Messages(), Has.Some.Contains($"written, {bytes} bytes in 4 parts")); // 3 x 5 MiB + the rest
        });
    }

    [Test]
    public async Task An_output_disposed_before_completion_leaves_no_object()
    {
        string bucket = await Server.CreateBucketAsync();
        var settings = new S3TransportOptions { PartSize = S3TransportOptions.MinimumPartSize };
        await using (OutputStream output = Factory(settings, _loggerFactory).CreateOutput(Lines(Transport(bucket, "cancelled.jsons"))))
        {
            for (int i = 0; i < 120_000; i++) // about 13 MB: two parts uploaded, the third filling
            {
                await output.WriteAsync($"{{\"id\":{i},\"payload\":\"{new string('y', 100)}\"}}");
            }

            await output.FlushAsync();
        } // disposed without CompleteAsync: cancelled

        Assert.Multiple(async () =>
        {
            Assert.That(await ExistsAsync(bucket, "cancelled.jsons"), Is.False);
            Assert.That(Messages(), Has.Some.Contains("multipart upload started"));
            // s3rver does not implement AbortMultipartUpload: the refusal is logged (313), not thrown.
            var aborts = _logs.Collector.GetSnapshot().Where(r => r.Id.Id is 312 or 313).ToList();
            Assert.That(aborts, Has.Count.EqualTo(1));
            if (Server.IsLocal)
            {
                Assert.That(aborts.Select(r => (r.Id.Id, r.Level)), Is.EqualTo(new[] { (313, LogLevel.Warning) }));
            }
        });
    }

    [Test]
    public async Task A_failed_part_upload_fails_the_output_and_aborts_the_upload()
    {
        string bucket = await Server.CreateBucketAsync();
        using var client = new FailingClient(Server.ServiceUrl, failPart: 2);
        var settings = new S3TransportOptions { PartSize = S3TransportOptions.MinimumPartSize, ClientFactory = _ => client, RetryDelay = TimeSpan.FromMilliseconds(1) };
        StreamException? error = null;
        await using (OutputStream output = Factory(settings, _loggerFactory).CreateOutput(Lines(Transport(bucket, "failed.jsons"))))
        {
            try
            {
                for (int i = 0; i < 150_000; i++)
                {
                    await output.WriteAsync($"{{\"id\":{i},\"payload\":\"{new string('z', 100)}\"}}");
                }

                await output.CompleteAsync();
            }
            catch (StreamException ex)
            {
                error = ex;
            }
        }

        Assert.Multiple(async () =>
        {
            Assert.That(error?.Message, Does.Contain($"s3://{bucket}/failed.jsons").And.Contain("InternalError"));
            Assert.That(client.Failures, Is.EqualTo(6), "the first attempt and MaxWriteRetries (5) retries");
            Assert.That(Messages().Count(m => m.Contains("uploading part 2 failed", StringComparison.Ordinal)), Is.EqualTo(5));
            Assert.That(client.Aborted, Is.EqualTo(1));
            Assert.That(await ExistsAsync(bucket, "failed.jsons"), Is.False);
        });
    }

    [Test]
    public async Task A_part_upload_failing_twice_with_a_transient_error_is_retried_and_the_object_is_whole()
    {
        string bucket = await Server.CreateBucketAsync();
        using var client = new FailingClient(Server.ServiceUrl, failPart: 2, times: 2, status: System.Net.HttpStatusCode.ServiceUnavailable, code: "SlowDown");
        var settings = new S3TransportOptions { PartSize = S3TransportOptions.MinimumPartSize, ClientFactory = _ => client, RetryDelay = TimeSpan.FromMilliseconds(1) };
        string[] lines = Enumerable.Range(0, 150_000).Select(i => $"{{\"id\":{i},\"payload\":\"{new string('r', 100)}\"}}").ToArray();

        await WriteLinesAsync(Factory(settings, _loggerFactory), Lines(Transport(bucket, "retried.jsons")), lines);

        var (sha, _, count) = await HashAsync(bucket, "retried.jsons");
        Assert.Multiple(() =>
        {
            Assert.That(count, Is.EqualTo(lines.Length));
            Assert.That(sha, Is.EqualTo(Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', lines) + "\n")))));
            Assert.That(client.Failures, Is.EqualTo(2));
            Assert.That(_logs.Collector.GetSnapshot().Where(r => r.Id.Name == "S3WriteRetry").Select(r => r.Message), Is.EqualTo(new[]
            {
                $"S3 output s3://{bucket}/retried.jsons: uploading part 2 failed: SlowDown (SlowDown, HTTP 503); retrying in 1 ms (retry 1 of 5)",
                $"S3 output s3://{bucket}/retried.jsons: uploading part 2 failed: SlowDown (SlowDown, HTTP 503); retrying in 2 ms (retry 2 of 5)",
            }));
        });
    }

    [Test]
    public async Task Credentials_that_may_not_write_the_key_fail_at_open_naming_the_key_and_the_permission()
    {
        string bucket = await Server.CreateBucketAsync();
        using var client = new FailingClient(Server.ServiceUrl, failPart: 0) { DenyInitiate = true };
        var settings = new S3TransportOptions { ClientFactory = _ => client };
        await using OutputStream output = Factory(settings).CreateOutput(Lines(Transport(bucket, "reports/out.jsons")));

        var error = Assert.CatchAsync<StreamException>(() => output.OpenAsync().AsTask());

        Assert.That(error!.Message, Is.EqualTo(
            $"S3 output s3://{bucket}/reports/out.jsons cannot be written: access denied: these credentials may not write this key (AccessDenied, HTTP 403); check Transport.ObjectKey and the credentials' permissions (s3:PutObject)."));
    }

    [Test]
    public async Task A_small_output_disposed_before_completion_leaves_no_object()
    {
        string bucket = await Server.CreateBucketAsync();
        await using (OutputStream output = Factory().CreateOutput(Lines(Transport(bucket, "partial.jsons"))))
        {
            await output.WriteAsync("{\"id\":1}");
            await output.FlushAsync();
        }

        Assert.That(await ExistsAsync(bucket, "partial.jsons"), Is.False);
    }

    [Test]
    public void A_missing_bucket_fails_the_output_at_open_with_a_clear_error()
    {
        string bucket = S3TestServer.UniqueBucketName("missing");

        var error = Assert.CatchAsync<StreamException>(() => WriteLinesAsync(Factory(), Lines(Transport(bucket, "out.jsons")), ["{}"]));

        Assert.That(error!.Message, Does.Contain($"s3://{bucket}/out.jsons").And.Contain("does not exist").And.Contain("NoSuchBucket"));
    }

    [Test]
    public async Task A_wrong_access_key_fails_the_output_with_InvalidAccessKeyId()
    {
        string bucket = await Server.CreateBucketAsync();
        var transport = Transport(bucket, "out.jsons") with { AccessKeyId = "AKIAWRONGKEY0EXAMPLE" };

        var error = Assert.CatchAsync<StreamException>(() => WriteLinesAsync(Factory(), Lines(transport), ["{}"]));

        Assert.Multiple(async () =>
        {
            Assert.That(error!.Message, Does.Contain("InvalidAccessKeyId"));
            Assert.That(error.ToString(), Does.Not.Contain("AKIAWRONGKEY0EXAMPLE"));
            Assert.That(await ExistsAsync(bucket, "out.jsons"), Is.False);
        });
    }

    [Test]
    public void An_output_key_ending_in_a_slash_is_a_descriptor_error()
    {
        var error = Assert.Throws<DescriptorException>(() => Factory().CreateOutput(Lines(Transport("some-bucket", "folder/"))));

        Assert.That(error!.Errors.Select(e => e.Path), Is.EqualTo(new[] { "Transport.ObjectKey" }));
    }

    [Test]
    public void A_part_size_under_5_MiB_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new S3TransportProvider(new S3TransportOptions { PartSize = 1024 * 1024 }));
    }

    /// <summary>
    /// A client whose UploadPart fails for one part number with a server error (every time, or the first
    /// <c>times</c> times), which can refuse to create uploads, and which counts aborts.
    /// </summary>
    private sealed class FailingClient(string serviceUrl, int failPart, int times = int.MaxValue,
        System.Net.HttpStatusCode status = System.Net.HttpStatusCode.InternalServerError, string code = "InternalError")
        : AmazonS3Client(new BasicAWSCredentials(S3TestServer.AccessKey, S3TestServer.AccessKey), S3TestServer.ClientConfig(serviceUrl))
    {
        private int _aborted;
        private int _failures;

        public int Aborted => _aborted;

        public int Failures => _failures;

        public bool DenyInitiate { get; init; }

        public override Task<UploadPartResponse> UploadPartAsync(UploadPartRequest request, CancellationToken cancellationToken = default)
        {
            if (request.PartNumber != failPart || Volatile.Read(ref _failures) >= times)
            {
                return base.UploadPartAsync(request, cancellationToken);
            }

            Interlocked.Increment(ref _failures);
            return Task.FromException<UploadPartResponse>(new AmazonS3Exception(code == "InternalError" ? "We encountered an internal error." : code, ErrorType.Receiver, code, "req", status));
        }

        public override Task<InitiateMultipartUploadResponse> InitiateMultipartUploadAsync(InitiateMultipartUploadRequest request, CancellationToken cancellationToken = default) =>
            DenyInitiate
                ? Task.FromException<InitiateMultipartUploadResponse>(new AmazonS3Exception("Access Denied", ErrorType.Sender, "AccessDenied", "req", System.Net.HttpStatusCode.Forbidden))
                : base.InitiateMultipartUploadAsync(request, cancellationToken);

        public override Task<AbortMultipartUploadResponse> AbortMultipartUploadAsync(AbortMultipartUploadRequest request, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _aborted);
            return base.AbortMultipartUploadAsync(request, cancellationToken);
        }
    }

    private List<string> Messages() => _logs.Collector.GetSnapshot().Select(r => r.Message).ToList();
}
