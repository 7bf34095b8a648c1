using Amazon.S3;
using FastScore.Streams.Descriptors;
using FastScore.Streams.S3.Tests.Infrastructure;
using FastScore.Streams.S3.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using static FastScore.Streams.S3.Tests.Support.S3Tests;

namespace FastScore.Streams.S3.Tests;

[Category("Integration")]
public sealed class DependencyInjectionTests
{
    [Test]
    public void AddS3Transport_registers_the_s3_provider_with_its_settings()
    {
        var services = new ServiceCollection();
        services.AddFastScoreStreams().AddS3Transport(o => o.PartSize = 16 * 1024 * 1024);
        using ServiceProvider provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<StreamFactoryOptions>>().Value;

        Assert.Multiple(() =>
        {
            Assert.That(options.Components.TryGetTransport(S3TransportDescriptor.TypeName, out var s3) ? s3 : null, Is.InstanceOf<S3TransportProvider>());
            Assert.That(((S3TransportProvider)(options.Components.TryGetTransport("S3", out var s3b) ? s3b : null)!).Options.PartSize, Is.EqualTo(16 * 1024 * 1024));
            Assert.That(provider.GetRequiredService<StreamFactory>().Options.Components.TryGetTransport("s3", out _), Is.True);
        });
    }

    [Test]
    public async Task An_IAmazonS3_from_DI_serves_descriptors_that_name_no_connection_of_their_own()
    {
        string bucket = await Server.CreateBucketAsync();
        await PutAsync(bucket, "in.jsons", "{\"n\":1}\n");
        var services = new ServiceCollection();
        services.AddSingleton(Client); // the test server's client; no Endpoint in the descriptor
        services.AddFastScoreStreams(o => o.WithTestEncodings()).AddS3Transport();
        await using ServiceProvider provider = services.BuildServiceProvider();
        var factory = provider.GetRequiredService<StreamFactory>();
        var descriptor = Lines(new S3TransportDescriptor { Bucket = bucket, ObjectKey = "in.jsons", AccessKeyId = "", SecretAccessKey = "" });

        List<string> lines = await ReadLinesAsync(factory, descriptor);
        await WriteLinesAsync(factory, Lines(new S3TransportDescriptor { Bucket = bucket, ObjectKey = "out.jsons" }), lines);

        Assert.Multiple(async () =>
        {
            Assert.That(lines, Is.EqualTo(new[] { "{\"n\":1}" }));
            Assert.That(await GetTextAsync(bucket, "out.jsons"), Is.EqualTo("{\"n\":1}\n"));
            Assert.That(provider.GetRequiredService<IAmazonS3>(), Is.SameAs(Client), "the shared client is not disposed by the streams");
        });
    }

    [Test]
    public async Task A_descriptor_with_its_own_Endpoint_gets_its_own_client_even_when_DI_has_one()
    {
        string bucket = await Server.CreateBucketAsync();
        await PutAsync(bucket, "in.jsons", "{\"n\":2}\n");
        var services = new ServiceCollection();
        using var elsewhere = S3TestServer.CreateClient("http://127.0.0.1:9", new Amazon.Runtime.BasicAWSCredentials("x", "y")); // nothing listens there
        services.AddSingleton(elsewhere);
        services.AddFastScoreStreams(o => o.WithTestEncodings()).AddS3Transport();
        await using ServiceProvider provider = services.BuildServiceProvider();

        List<string> lines = await ReadLinesAsync(provider.GetRequiredService<StreamFactory>(), Lines(Transport(bucket, "in.jsons")));

        Assert.That(lines, Is.EqualTo(new[] { "{\"n\":2}" }));
    }

    [Test]
    public async Task AddS3_with_a_client_factory_gets_the_descriptor_with_resolved_secrets()
    {
        string bucket = await Server.CreateBucketAsync();
        await PutAsync(bucket, "in.jsons", "{\"n\":3}\n");
        S3TransportDescriptor? seen = null;
        var options = new StreamFactoryOptions().WithTestEncodings().AddS3(d =>
        {
            seen = d;
            return Client;
        });
        string secret = Path.GetTempFileName();
        await File.WriteAllTextAsync(secret, "the-secret\n");
        var transport = new S3TransportDescriptor { Bucket = bucket, ObjectKey = "in.jsons", AccessKeyId = "", SecretAccessKey = "secret://" + secret };

        List<string> lines = await ReadLinesAsync(new StreamFactory(options), Lines(transport));
        File.Delete(secret);

        Assert.Multiple(() =>
        {
            Assert.That(lines, Is.EqualTo(new[] { "{\"n\":3}" }));
            Assert.That(seen!.AccessKeyId, Is.Null, "an empty key is 'not given'");
            Assert.That(seen.SecretAccessKey, Is.EqualTo("the-secret"));
        });
    }
}
