using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using FastScore.Streams.S3.Tests.Support;
using static FastScore.Streams.S3.Tests.Support.S3Tests;

namespace FastScore.Streams.S3.Tests;

/// <summary>Dropped connections between the input and the server, made by a proxy that resets them mid-body.</summary>
[Category("Integration")]
public sealed class S3ResumeTests
{
    [Test]
    public async Task Dropped_connections_resume_from_the_last_byte_and_every_record_arrives_once()
    {
        string bucket = await Server.CreateBucketAsync();
        var (sha, bytes, records) = await UploadGeneratedNdjsonAsync(bucket, "flaky.jsons", 12L * 1024 * 1024);
        await using var proxy = new FlakyProxy(Server.ServiceUrl);
        foreach (long cut in new long[] { 1_000_000, 2_500_000, 333_333, 4_000_000 })
        {
            proxy.Cuts.Enqueue(cut); // the first four connections are reset after that many bytes
        }

        using var logs = new FakeLoggerProvider();
        using var loggerFactory = LoggerFactory.Create(b => b.AddProvider(logs));
        var settings = new S3TransportOptions { RetryDelay = TimeSpan.FromMilliseconds(10) };

        List<string> read = await ReadLinesAsync(Factory(settings, loggerFactory), Lines(Transport(bucket, "flaky.jsons", proxy.Url)));

        string joined = string.Join('\n', read) + "\n";
        Assert.Multiple(() =>
        {
            Assert.That(read, Has.Count.EqualTo(records));
            Assert.That(Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(joined))), Is.EqualTo(sha));
            Assert.That(proxy.ConnectionsCut, Is.EqualTo(4));
            Assert.That(logs.Collector.GetSnapshot().Count(r => r.Id.Name == "S3ReadRetry"), Is.EqualTo(4));
            Assert.That(bytes, Is.GreaterThan(10_000_000));
        });
    }

    [Test]
    public async Task A_connection_that_keeps_dropping_before_any_byte_fails_after_the_retries()
    {
        string bucket = await Server.CreateBucketAsync();
        await PutAsync(bucket, "never.jsons", "{\"id\":1}\n");
        await using var proxy = new FlakyProxy(Server.ServiceUrl) { CutEveryConnectionAfter = 0 };
        var settings = new S3TransportOptions { MaxReadRetries = 2, RetryDelay = TimeSpan.FromMilliseconds(1) };

        var error = Assert.CatchAsync<StreamException>(() => ReadLinesAsync(Factory(settings), Lines(Transport(bucket, "never.jsons", proxy.Url))));

        Assert.Multiple(() =>
        {
            Assert.That(error!.Message, Does.Contain($"s3://{bucket}/never.jsons").And.Contain("after 2 retries"));
            Assert.That(error.IsTransient, Is.True);
        });
    }

    [TestCase(1, TestName = "An_object_replaced_by_a_smaller_one_while_it_is_read_is_an_error_not_a_splice")]
    [TestCase(6_000_000, TestName = "An_object_replaced_by_a_larger_one_while_it_is_read_is_an_error_not_a_splice")]
    public async Task An_object_replaced_while_it_is_read_is_an_error_not_a_splice(int newSize)
    {
        string bucket = await Server.CreateBucketAsync();
        await UploadGeneratedNdjsonAsync(bucket, "changing.jsons", 4L * 1024 * 1024);
        await using var proxy = new FlakyProxy(Server.ServiceUrl);
        proxy.Cuts.Enqueue(1_000_000);
        var settings = new S3TransportOptions { RetryDelay = TimeSpan.FromSeconds(1) }; // long enough for the replacement to land first
        await using InputStream input = Factory(settings).CreateInput(Lines(Transport(bucket, "changing.jsons", proxy.Url)));

        Task<int> reading = Task.Run(async () =>
        {
            int n = 0;
            await foreach (string _ in input.ReadAllAsync<string>())
            {
                n++;
            }

            return n;
        });
        await Task.Delay(100);
        await PutAsync(bucket, "changing.jsons", new string('z', newSize - 1) + "\n"); // replaced during the back-off

        var error = Assert.CatchAsync<StreamException>(() => reading);

        Assert.That(error!.Message, Does.Contain("changed while it was being read"));
    }
}
