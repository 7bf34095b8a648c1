using System.Net;
using FastScore.Streams.Descriptors;
using FastScore.Streams.Rest.Tests.Infrastructure;
using FastScore.Streams.S3;
using FastScore.Streams.Transports;

namespace FastScore.Streams.Rest.Tests;

/// <summary>Secrets inside URLs never appear in the API's answers (issue 12, point 10).</summary>
[Category("Integration")]
public sealed class SecretMaskingTests
{
    private static readonly string[] s_secrets = ["pa55word", "tok3n", "s1gnature", "n4mepw", "c0de"];

    [Test]
    public async Task Secrets_inside_urls_never_appear_in_displays_error_bodies_or_stream_names()
    {
        await using RestTestEngine rest = await RestTestEngine.StartAsync(null,
            o =>
            {
                o.Rest.DescriptorOptions = new StreamDescriptorOptions { Components = new ComponentRegistry().Add(new WebhookTransportProvider()).Add(new S3TransportProvider()) };
                o.Rest.TransportAccess["webhook"] = ApiTransportAccess.Allowed; // a host's own transport, allowed by the host
            },
            factory: f => f.Components.Add(new WebhookTransportProvider()));
        const string Webhook = """{"Transport": {"Type": "webhook", "Url": "https://alice:pa55word@hooks.example/in?token=tok3n&page=2"}, "Encoding": "json"}""";
        var named = RestTestEngine.JsonBody(Webhook);
        named.Headers.Add("Content-Disposition", "x-stream; name=\"https://bob:n4mepw@example/x\"");
        var answers = new Dictionary<string, (HttpStatusCode Status, string Body)>();
        using (HttpResponseMessage attached = await rest.Client.PutAsync("/2/active/stream/0", named))
        {
            answers["attach"] = (attached.StatusCode, await attached.Content.ReadAsStringAsync());
        }

        foreach ((string name, string path, string body) in ((string, string, string)[])[
                     ("dry-run", "/2/active/stream/0?dry-run=true", Webhook),
                     ("invalid", "/2/active/stream/0", """{"Transport": {"Type": "S3", "Bucket": "bucket", "ObjectKey": "k", "Endpoint": "ftp://minio:pa55word@s3.example:9000/?X-Amz-Signature=s1gnature"}}"""),
                 ])
        {
            using HttpResponseMessage response = await rest.Client.PutAsync(path, RestTestEngine.JsonBody(body));
            answers[name] = (response.StatusCode, await response.Content.ReadAsStringAsync());
        }

        using (HttpResponseMessage sample = await rest.Client.PostAsync("/1/stream/sample", RestTestEngine.JsonBody(Webhook)))
        {
            answers["sample"] = (sample.StatusCode, await sample.Content.ReadAsStringAsync());
        }

        answers["streams"] = (HttpStatusCode.OK, await rest.Client.GetStringAsync("/2/active/stream"));
        answers["status"] = (HttpStatusCode.OK, await rest.Client.GetStringAsync("/1/job/status"));
        Assert.Multiple(() =>
        {
            Assert.That(answers["attach"].Status, Is.EqualTo(HttpStatusCode.NoContent));
            Assert.That(answers["dry-run"].Status, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(System.Text.Json.Nodes.JsonNode.Parse(answers["dry-run"].Body)?["transport"]?["url"]?.GetValue<string>(), Is.EqualTo("https://alice:*****@hooks.example/in?token=*****&page=2"));
            Assert.That(answers["invalid"].Status, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(answers["invalid"].Body, Does.Contain("ftp://minio:*****@s3.example:9000/?X-Amz-Signature=*****"));
            Assert.That(answers["sample"].Status, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(answers["sample"].Body, Is.EqualTo("Cannot reach https://alice:*****@hooks.example/in?token=*****&page=2 (sig=*****)"));
            Assert.That(answers["streams"].Body, Does.Contain("\"name\":\"https://bob:*****@example/x\""));
            Assert.That(System.Text.Json.Nodes.JsonNode.Parse(answers["streams"].Body)?[0]?["descriptor"]?["Transport"]?["Url"]?.GetValue<string>(), Is.EqualTo("https://alice:*****@hooks.example/in?token=*****&page=2"));
            foreach ((string what, (HttpStatusCode _, string body)) in answers)
            {
                foreach (string secret in s_secrets)
                {
                    Assert.That(body, Does.Not.Contain(secret), what);
                }
            }
        });
    }

    /// <summary>A host's own transport whose inputs fail with their URL in the message (as HTTP clients do).</summary>
    private sealed class WebhookTransportProvider : TransportProvider
    {
        public override string Type => "webhook";

        public override bool PreservesRecordBoundaries => true;

        public override InputTransport CreateInput(StreamDescriptor descriptor, FastScore.Streams.Transports.TransportContext context) =>
            throw new StreamException($"Cannot reach {((CustomTransportDescriptor)descriptor.Transport).Fields.GetProperty("Url").GetString()} (sig=c0de)");
    }
}
