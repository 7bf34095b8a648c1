using System.Net;
using FastScore.Streams.Encodings;
using FastScore.Streams.Engine;
using FastScore.Streams.Rest.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FastScore.Streams.Rest.Tests;

[Category("Integration")]
public sealed class HostingTests
{
    private sealed record HostMarker;

    [Test]
    public async Task A_host_maps_the_API_under_its_own_prefix_with_DI_and_its_own_conventions()
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddFastScoreStreams()
            .AddRestTransport(o => o.ApiKey = "host-key")
            .AddEngine<ItemModel>(slots => slots.Attach(0, "rest:").Attach(1, "rest:"), o => o.Engine.OnModelError = ModelErrorPolicy.Skip);
        await using WebApplication app = builder.Build();
        RouteGroupBuilder group = app.MapGroup("/scoring").MapFastScore();
        group.WithMetadata(new HostMarker());
        await app.StartAsync();
        ScoringEngine engine = app.Services.GetRequiredService<ScoringEngine>(); // the hosted engine, started with the host
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (engine.State != EngineState.Running)
        {
            await Task.Delay(10, timeout.Token);
        }

        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        using var client = new HttpClient { BaseAddress = new Uri(address) };
        client.DefaultRequestHeaders.Add("X-API-Key", "host-key");
        using HttpResponseMessage prefixed = await client.PostAsync("/scoring/2/active/model/roundtrip/0/1", RestTestEngine.JsonBody("""{"id":5,"text":"host"}"""));
        using HttpResponseMessage proxied = await client.PostAsync("/scoring/api/1/service/engine-1/2/active/model/roundtrip/0/1", RestTestEngine.JsonBody("""{"id":6,"text":"proxy"}"""));
        using HttpResponseMessage unprefixed = await client.GetAsync("/2/engine/state");
        Endpoint[] endpoints = [.. app.Services.GetRequiredService<EndpointDataSource>().Endpoints];
        Assert.Multiple(async () =>
        {
            Assert.That(await prefixed.Content.ReadAsStringAsync(), Is.EqualTo("""{"id":5,"text":"HOST"}"""));
            Assert.That(await proxied.Content.ReadAsStringAsync(), Is.EqualTo("""{"id":6,"text":"PROXY"}"""));
            Assert.That(unprefixed.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(endpoints, Has.Length.GreaterThanOrEqualTo(38), "every path twice: plain and under the proxy prefix");
            Assert.That(endpoints.All(e => e.Metadata.GetMetadata<HostMarker>() is not null), Is.True, "the host's conventions reach every endpoint");
        });
        await app.StopAsync();
    }
}
