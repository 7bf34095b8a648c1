using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using FastScore.Streams.Transports.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using static FastScore.Streams.Tests.Transports.Network.NetworkTestSupport;

namespace FastScore.Streams.Tests.Transports.Network;

/// <summary>The HTTP input against a real Kestrel server started by the test.</summary>
public sealed class HttpTransportTests
{
    private static readonly byte[] s_data = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 100_000).Select(i => $"{{\"n\": {i}}}\n")));
    private WebApplication _app = null!;
    private string _base = "";
    private string _httpsBase = "";
    private int _flakyRequests;
    private readonly List<string?> _ranges = [];

    [OneTimeSetUp]
    public async Task StartServer()
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using X509Certificate2 selfSigned = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        var certificate = X509CertificateLoader.LoadPkcs12(selfSigned.Export(X509ContentType.Pfx), null);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(IPAddress.Loopback, 0);
            k.Listen(IPAddress.Loopback, 0, o => o.UseHttps(certificate));
        });
        _app = builder.Build();
        var etag = new Microsoft.Net.Http.Headers.EntityTagHeaderValue("\"v1\"");
        _app.MapGet("/data.jsons", (HttpContext c) =>
        {
            lock (_ranges)
            {
                _ranges.Add(c.Request.Headers.Range.ToString());
            }

            return Results.Bytes(s_data, "application/x-ndjson", enableRangeProcessing: true, entityTag: etag);
        });
        _app.MapGet("/no-ranges.jsons", () => Results.Bytes(s_data, "application/x-ndjson"));
        _app.MapGet("/flaky.jsons", async (HttpContext c) =>
        {
            // every answer drops its connection after 300 000 bytes; ranges are honoured
            Interlocked.Increment(ref _flakyRequests);
            long from = 0;
            string range = c.Request.Headers.Range.ToString();
            if (range.StartsWith("bytes=", StringComparison.Ordinal))
            {
                from = long.Parse(range[6..].TrimEnd('-'), System.Globalization.CultureInfo.InvariantCulture);
                c.Response.StatusCode = 206;
                c.Response.Headers.ContentRange = $"bytes {from}-{s_data.Length - 1}/{s_data.Length}";
            }

            c.Response.Headers.ETag = "\"v1\"";
            c.Response.ContentLength = s_data.Length - from;
            int length = (int)Math.Min(300_000, s_data.Length - from);
            await c.Response.Body.WriteAsync(s_data.AsMemory((int)from, length));
            await c.Response.Body.FlushAsync();
            if (from + length < s_data.Length)
            {
                c.Abort();
            }
        });
        _app.MapGet("/stuck.jsons", async (HttpContext c) =>
        {
            // the first answer drops after 1000 bytes; every resume is refused with 503
            if (c.Request.Headers.Range.Count > 0)
            {
                c.Response.StatusCode = 503;
                return;
            }

            c.Response.ContentLength = s_data.Length;
            await c.Response.Body.WriteAsync(s_data.AsMemory(0, 1000));
            await c.Response.Body.FlushAsync();
            await Task.Delay(200); // let the headers and the first bytes leave before the connection drops
            c.Abort();
        });
        _app.MapGet("/redirect", () => Results.Redirect("/data.jsons"));
        _app.MapGet("/private.jsons", (HttpContext c) =>
            c.Request.Headers.Authorization == "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("reader:s3cret!"))
                ? Results.Text("{\"ok\": true}\n")
                : Results.StatusCode(401));
        _app.MapGet("/chunks", async (HttpContext c) =>
        {
            // each flush of a body without a length is one chunk on the wire (Kestrel cuts a write longer than its buffer into several chunks)
            foreach (string part in new[] { "{\"a\": 1}", "{\"b\": [2,\n 3]}", "x", new string('y', 3000) })
            {
                await c.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(part));
                await c.Response.Body.FlushAsync();
            }
        });
        _app.MapGet("/status/{code:int}", (int code) => Results.StatusCode(code));
        await _app.StartAsync();
        string[] addresses = [.. _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses];
        _base = addresses.First(a => a.StartsWith("http://", StringComparison.Ordinal));
        _httpsBase = addresses.First(a => a.StartsWith("https://", StringComparison.Ordinal));
    }

    [OneTimeTearDown]
    public async Task StopServer() => await _app.DisposeAsync();

    private HttpInput Input(string path, string name = "in") =>
        new(name, _base + path, NullLogger.Instance) { RetryDelay = TimeSpan.FromMilliseconds(10) };

    [Test]
    public async Task A_GET_is_streamed_to_its_end_byte_for_byte()
    {
        CancellationToken guard = Guard();
        await using HttpInput input = Input("/data.jsons");
        Assert.That(await ReadToEndAsync(await input.OpenAsync(0, guard), guard), Is.EqualTo(s_data));
    }

    [Test]
    public async Task SkipTo_asks_for_a_Range_and_reads_from_there()
    {
        CancellationToken guard = Guard();
        await using HttpInput input = Input("/data.jsons");
        byte[] read = await ReadToEndAsync(await input.OpenAsync(1000, guard), guard);
        Assert.Multiple(() =>
        {
            Assert.That(read, Is.EqualTo(s_data[1000..]));
            Assert.That(_ranges, Does.Contain("bytes=1000-"));
        });
    }

    [Test]
    public async Task SkipTo_on_a_server_that_ignores_ranges_drops_the_first_bytes_itself()
    {
        CancellationToken guard = Guard();
        await using HttpInput input = Input("/no-ranges.jsons");
        Assert.That(await ReadToEndAsync(await input.OpenAsync(123_457, guard), guard), Is.EqualTo(s_data[123_457..]));
    }

    [Test]
    public async Task SkipTo_past_the_end_is_an_empty_stream()
    {
        CancellationToken guard = Guard();
        await using HttpInput input = Input("/data.jsons");
        Assert.That(await ReadToEndAsync(await input.OpenAsync(s_data.Length + 10, guard), guard), Is.Empty);
    }

    [Test]
    public async Task A_dropped_connection_is_resumed_from_the_last_byte_received()
    {
        CancellationToken guard = Guard();
        int before = _flakyRequests;
        await using HttpInput input = Input("/flaky.jsons");
        byte[] read = await ReadToEndAsync(await input.OpenAsync(0, guard), guard);
        Assert.Multiple(() =>
        {
            Assert.That(read, Is.EqualTo(s_data), "every byte once, in order");
            Assert.That(input.Resumes, Is.GreaterThanOrEqualTo((s_data.Length - 1) / 300_000), "each answer carries at most 300 000 bytes");
            Assert.That(_flakyRequests - before, Is.EqualTo(input.Resumes + 1));
        });
    }

    [Test]
    public async Task A_connection_that_keeps_dropping_fails_after_the_retries_naming_the_stream_and_the_url()
    {
        CancellationToken guard = Guard();
        await using var input = new HttpInput("scores", _base + "/stuck.jsons", NullLogger.Instance) { RetryDelay = TimeSpan.FromMilliseconds(10), MaxRetries = 2 };
        StreamException? error = Assert.ThrowsAsync<StreamException>(async () => await ReadToEndAsync(await input.OpenAsync(0, guard), guard));
        Assert.That(error!.Message, Does.StartWith($"Stream 'scores': HTTP GET {_base}/stuck.jsons (Transport.Url) failed: the connection dropped at byte "));
        Assert.That(error.Message, Does.Contain(" and 2 retries to resume failed: "));
    }

    [Test]
    public async Task Redirects_are_followed()
    {
        CancellationToken guard = Guard();
        await using HttpInput input = Input("/redirect");
        Assert.That(await ReadToEndAsync(await input.OpenAsync(0, guard), guard), Is.EqualTo(s_data));
    }

    [Test]
    public async Task Credentials_in_the_url_are_sent_as_basic_authentication_and_masked_everywhere_shown()
    {
        CancellationToken guard = Guard();
        string url = _base.Replace("http://", "http://reader:s3cret%21@", StringComparison.Ordinal) + "/private.jsons";
        await using (var input = new HttpInput("in", url, NullLogger.Instance))
        {
            Assert.Multiple(async () =>
            {
                Assert.That(Encoding.UTF8.GetString(await ReadToEndAsync(await input.OpenAsync(0, guard), guard)), Is.EqualTo("{\"ok\": true}\n"));
                Assert.That(input.DisplayName, Does.Not.Contain("s3cret"));
                Assert.That(input.DisplayName, Does.Contain("reader:*****@"));
            });
        }

        string wrong = _base.Replace("http://", "http://reader:wrong-pass@", StringComparison.Ordinal) + "/private.jsons";
        await using var denied = new HttpInput("in", wrong, NullLogger.Instance);
        StreamException? error = Assert.ThrowsAsync<StreamException>(async () => await denied.OpenAsync(0, guard));
        Assert.That(error!.Message, Is.EqualTo($"Stream 'in': HTTP GET {_base.Replace("http://", "http://reader:*****@", StringComparison.Ordinal)}/private.jsons (Transport.Url) failed: the server answered 401 Unauthorized."));
        Assert.That(error.ToString(), Does.Not.Contain("wrong-pass"));
    }

    [Test]
    public async Task A_missing_resource_names_the_stream_the_url_and_the_status()
    {
        await using HttpInput input = Input("/status/404", "scores");
        StreamException? error = Assert.ThrowsAsync<StreamException>(async () => await input.OpenAsync(0, Guard()));
        Assert.That(error!.Message, Is.EqualTo($"Stream 'scores': HTTP GET {_base}/status/404 (Transport.Url) failed: the server answered 404 Not Found."));
    }

    [Test]
    public async Task An_unknown_host_and_a_refused_connection_name_the_stream_and_the_url()
    {
        await using var unknown = new HttpInput("scores", "http://no-such-host.invalid/x", NullLogger.Instance);
        StreamException? error = Assert.ThrowsAsync<StreamException>(async () => await unknown.OpenAsync(0, Guard()));
        Assert.That(error!.Message, Is.EqualTo("Stream 'scores': HTTP GET http://no-such-host.invalid/x (Transport.Url) failed: unknown host."));

        int port = FreePort();
        await using var refused = new HttpInput("scores", $"http://127.0.0.1:{port}/x", NullLogger.Instance) { RetryDelay = TimeSpan.FromMilliseconds(10), MaxRetries = 1 };
        error = Assert.ThrowsAsync<StreamException>(async () => await refused.OpenAsync(0, Guard()));
        Assert.That(error!.Message, Is.EqualTo($"Stream 'scores': HTTP GET http://127.0.0.1:{port}/x (Transport.Url) failed: connection refused (nothing listens there)."));
    }

    [Test]
    public void A_url_that_is_not_http_names_the_field()
    {
        StreamException? error = Assert.Throws<StreamException>(() => new HttpInput("scores", "ftp://user:pw@host/x", NullLogger.Instance));
        Assert.That(error!.Message, Is.EqualTo("Stream 'scores': Transport.Url 'ftp://user:*****@host/x' is not an absolute http:// or https:// URL."));
    }

    [Test]
    public async Task Https_checks_the_certificate_against_the_system_trust_store()
    {
        // the test server's certificate is self-signed: not trusted by the system, so refused (not silently accepted)
        await using var input = new HttpInput("scores", _httpsBase + "/data.jsons", NullLogger.Instance);
        StreamException? error = Assert.ThrowsAsync<StreamException>(async () => await input.OpenAsync(0, Guard()));
        Assert.That(error!.Message, Does.StartWith($"Stream 'scores': HTTP GET {_httpsBase}/data.jsons (Transport.Url) failed: TLS failed (is the server's certificate trusted by this system?)"));

        await using var chunked = new HttpChunkedInput("scores", _httpsBase + "/chunks");
        error = Assert.ThrowsAsync<StreamException>(async () => await chunked.OpenAsync(null, Guard()));
        Assert.That(error!.Message, Does.StartWith($"Stream 'scores': HTTP GET {_httpsBase}/chunks (Transport.Url) failed: TLS failed"));
    }

    [Test]
    public async Task Chunked_makes_each_transfer_encoding_chunk_one_record()
    {
        CancellationToken guard = Guard();
        await using var input = new HttpChunkedInput("in", _base + "/chunks");
        await input.OpenAsync(null, guard);
        List<string> records = await ReadMessagesAsync(input, 10, guard);
        Assert.That(records, Is.EqualTo(new[] { "{\"a\": 1}", "{\"b\": [2,\n 3]}", "x", new string('y', 3000) }));
    }

    [Test]
    public async Task An_http_descriptor_streams_the_url_through_the_envelope_and_encoding()
    {
        await using InputStream input = new StreamFactory().CreateInput(FastScore.Streams.Descriptors.StreamDescriptor.Parse($$"""{"Transport": {"Type": "HTTP", "Url": "{{_base}}/data.jsons"}, "Envelope": "delimited", "Encoding": "json", "SkipTo": {{s_data.Length - 26}}}"""));
        var values = new List<string>();
        await foreach (byte[] record in input.ReadAllAsync<byte[]>(Guard()))
        {
            values.Add(Encoding.UTF8.GetString(record));
        }

        Assert.That(values, Is.EqualTo(new[] { "{\"n\": 99998}", "{\"n\": 99999}" }));
    }

    [Test]
    public async Task Chunked_on_an_answer_that_is_not_chunked_makes_its_body_one_record()
    {
        CancellationToken guard = Guard();
        await using var input = new HttpChunkedInput("in", _base + "/redirect"); // redirected to a Content-Length answer
        await input.OpenAsync(null, guard);
        List<string> records = await ReadMessagesAsync(input, 10, guard);
        Assert.That(records, Is.EqualTo(new[] { Encoding.UTF8.GetString(s_data) }));
    }
}
