using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using FastScore.Streams.Rest.Tests.Infrastructure;

namespace FastScore.Streams.Rest.Tests;

[Category("Integration")]
public sealed class SecurityAndLimitsTests
{
    private const string Record = """{"id":1,"text":"a"}""";

    [Test]
    public async Task Without_authentication_configured_any_client_is_served()
    {
        await using RestTestEngine rest = await RestTestEngine.StartAsync(new ItemModel());
        using HttpResponseMessage response = await rest.Client.PostAsync("/2/active/model/roundtrip/0/1", RestTestEngine.JsonBody(Record));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task With_basic_authentication_every_endpoint_needs_the_right_credentials()
    {
        await using RestTestEngine rest = await RestTestEngine.StartAsync(new ItemModel(), o =>
        {
            o.Rest.UserName = "fastscore";
            o.Rest.Password = "fastscore";
        });
        using HttpResponseMessage anonymous = await rest.Client.PostAsync("/2/active/model/roundtrip/0/1", RestTestEngine.JsonBody(Record));
        using HttpResponseMessage anonymousState = await rest.Client.GetAsync("/2/engine/state");
        RestTestEngine.UseBasic(rest.Client, "fastscore", "wrong");
        using HttpResponseMessage wrong = await rest.Client.PostAsync("/2/active/model/roundtrip/0/1", RestTestEngine.JsonBody(Record));
        RestTestEngine.UseBasic(rest.Client, "fastscore", "fastscore");
        using HttpResponseMessage right = await rest.Client.PostAsync("/api/1/service/engine-1/2/active/model/roundtrip/0/1", RestTestEngine.JsonBody(Record));
        Assert.Multiple(() =>
        {
            Assert.That(anonymous.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(anonymous.Headers.WwwAuthenticate.ToString(), Is.EqualTo("Basic realm=\"fastscore\""));
            Assert.That(anonymousState.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(wrong.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(right.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(rest.Engine.Inspect().Slots[0].Records, Is.EqualTo(1), "refused requests never reach the engine");
        });
    }

    [Test]
    public async Task With_an_API_key_the_key_header_or_a_bearer_token_is_accepted()
    {
        await using RestTestEngine rest = await RestTestEngine.StartAsync(new ItemModel(), o => o.Rest.ApiKey = "s3cret-key");
        using HttpResponseMessage anonymous = await rest.Client.GetAsync("/2/engine/state");
        using var keyed = new HttpRequestMessage(HttpMethod.Get, "/2/engine/state") { Headers = { { "X-API-Key", "s3cret-key" } } };
        using HttpResponseMessage withKey = await rest.Client.SendAsync(keyed);
        using var bearer = new HttpRequestMessage(HttpMethod.Get, "/2/engine/state") { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", "s3cret-key") } };
        using HttpResponseMessage withBearer = await rest.Client.SendAsync(bearer);
        using var wrongKey = new HttpRequestMessage(HttpMethod.Get, "/2/engine/state") { Headers = { { "X-API-Key", "s3cret-kez" } } };
        using HttpResponseMessage withWrongKey = await rest.Client.SendAsync(wrongKey);
        Assert.Multiple(() =>
        {
            Assert.That(anonymous.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(withKey.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(withBearer.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(withWrongKey.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        });
    }

    [Test]
    public async Task Bodies_over_the_maximum_size_get_413_and_the_engine_goes_on()
    {
        await using RestTestEngine rest = await RestTestEngine.StartAsync(new ItemModel(), o => o.Rest.MaxRequestBodySize = 1024);
        string big = $$"""{"id":1,"text":"{{new string('x', 2000)}}"}""";
        using HttpResponseMessage roundTrip = await rest.Client.PostAsync("/2/active/model/roundtrip/0/1", RestTestEngine.JsonBody(big));
        using HttpResponseMessage input = await rest.Client.PostAsync("/1/job/input/0", RestTestEngine.JsonBody(big));
        var unknownLength = new StreamContent(new ChunkedOnlyStream(new string('y', 5000)));
        unknownLength.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using HttpResponseMessage streamed = await rest.Client.PostAsync("/2/active/model/roundtrip/0/1", unknownLength);
        using HttpResponseMessage small = await rest.Client.PostAsync("/2/active/model/roundtrip/0/1", RestTestEngine.JsonBody(Record));
        Assert.Multiple(async () =>
        {
            Assert.That(roundTrip.StatusCode, Is.EqualTo(HttpStatusCode.RequestEntityTooLarge));
            Assert.That(await roundTrip.Content.ReadAsStringAsync(), Is.EqualTo("The request body is larger than the maximum of 1024 bytes."));
            Assert.That(input.StatusCode, Is.EqualTo(HttpStatusCode.RequestEntityTooLarge));
            Assert.That(streamed.StatusCode, Is.EqualTo(HttpStatusCode.RequestEntityTooLarge), "a chunked body without Content-Length is cut off too");
            Assert.That(small.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(rest.Engine.Inspect().Slots[0].Records, Is.EqualTo(1));
        });
    }

    [Test]
    public async Task With_a_certificate_the_server_speaks_HTTPS()
    {
        using X509Certificate2 certificate = SelfSignedLoopbackCertificate();
        await using RestTestEngine rest = await RestTestEngine.StartAsync(new ItemModel(), o =>
        {
            o.Urls.Clear();
            o.Urls.Add("https://127.0.0.1:0");
            o.Certificate = certificate;
        });
        using HttpResponseMessage response = await rest.Client.PostAsync("/2/active/model/roundtrip/0/1", RestTestEngine.JsonBody(Record));
        Assert.Multiple(async () =>
        {
            Assert.That(rest.Server.BaseAddress.Scheme, Is.EqualTo("https"));
            Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo("""{"id":1,"text":"A"}"""));
        });
    }

    private static X509Certificate2 SelfSignedLoopbackCertificate()
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        using X509Certificate2 created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pfx), null);
    }

    /// <summary>A stream whose length is unknown, so HttpClient sends it with Transfer-Encoding: chunked.</summary>
    private sealed class ChunkedOnlyStream(string text) : MemoryStream(System.Text.Encoding.UTF8.GetBytes(text))
    {
        public override bool CanSeek => false;
    }
}
