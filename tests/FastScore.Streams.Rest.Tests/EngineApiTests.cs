using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using FastScore.Streams.Engine;
using FastScore.Streams.Rest.Tests.Infrastructure;

namespace FastScore.Streams.Rest.Tests;

[Category("Integration")]
public sealed class EngineApiTests
{
    [Test]
    public async Task Streams_are_attached_inspected_verified_and_detached_over_the_API()
    {
        await using RestTestEngine rest = await RestTestEngine.StartAsync(null);
        HttpClient client = rest.Client;
        using HttpResponseMessage dryRun = await client.PutAsync("/2/active/stream/0?dry-run=true", RestTestEngine.JsonBody("""{"Transport": "REST", "Encoding": "json"}"""));
        JsonNode? verified = JsonNode.Parse(await dryRun.Content.ReadAsStringAsync());
        using HttpResponseMessage attached0 = await client.PutAsync("/2/active/stream/0", RestTestEngine.JsonBody("""{"Transport": "REST", "Encoding": "json"}"""));
        var named = RestTestEngine.JsonBody("""{"Transport": {"Type": "REST"}, "Encoding": "json", "Batching": "normal"}""");
        named.Headers.Add("Content-Disposition", "x-stream; name=\"scores\"");
        using HttpResponseMessage attached1 = await client.PutAsync("/2/active/stream/1", named);
        using HttpResponseMessage bad = await client.PutAsync("/2/active/stream/1", RestTestEngine.JsonBody("""{"Transport": {"Type": "inline", "Data": ["1"]}}"""));
        using HttpResponseMessage invalid = await client.PutAsync("/2/active/stream/0", RestTestEngine.JsonBody("""{"Transport": "nope"}"""));
        JsonArray streams = JsonNode.Parse(await client.GetStringAsync("/2/active/stream"))!.AsArray();
        JsonNode one = JsonNode.Parse(await client.GetStringAsync("/2/active/stream/1"))!;
        using HttpResponseMessage missing = await client.GetAsync("/2/active/stream/5");
        using HttpResponseMessage detached = await client.DeleteAsync("/2/active/stream/1");
        using HttpResponseMessage detachedAgain = await client.DeleteAsync("/2/active/stream/1");
        Assert.Multiple(async () =>
        {
            Assert.That(dryRun.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(verified?["transport"]?["type"]?.GetValue<string>(), Is.EqualTo("rest"));
            Assert.That(verified?["batching"]?.ToJsonString(), Is.EqualTo("""{"watermark":null,"nagle_time":0}"""), "REST streams default to no batching wait");
            Assert.That(attached0.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
            Assert.That(attached1.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
            Assert.That(bad.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(await bad.Content.ReadAsStringAsync(), Does.Contain("cannot be an output"));
            Assert.That(invalid.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(await invalid.Content.ReadAsStringAsync(), Does.Contain("Transport"));
            Assert.That(streams.Select(s => s!["slot"]!.GetValue<int>()), Is.EqualTo(new[] { 0, 1 }));
            Assert.That(one["name"]!.GetValue<string>(), Is.EqualTo("scores"));
            Assert.That(one["eof"]!.GetValue<bool>(), Is.False);
            Assert.That(one["descriptor"]!["Batching"]!.ToJsonString(), Is.EqualTo("""{"Watermark":1000,"NagleTime":500}"""), "explicit batching is kept");
            Assert.That(missing.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(detached.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
            Assert.That(detachedAgain.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        });
    }

    [Test]
    public async Task The_engine_state_is_lower_case_and_follows_pause_unpause_and_reset()
    {
        await using RestTestEngine rest = await RestTestEngine.StartAsync(new ItemModel());
        HttpClient client = rest.Client;
        string running = await client.GetStringAsync("/2/engine/state");
        using HttpResponseMessage pause = await client.PostAsync("/2/engine/pause", null);
        string paused = await client.GetStringAsync("/api/1/service/engine-1/2/engine/state");
        using HttpResponseMessage detachWhileRunning = await client.DeleteAsync("/2/active/stream/0");
        using HttpResponseMessage unpause = await client.PostAsync("/2/engine/unpause", null);
        string unpaused = await client.GetStringAsync("/2/engine/state");
        using HttpResponseMessage reset = await client.PostAsync("/2/engine/reset", null);
        string init = await client.GetStringAsync("/2/engine/state");
        using HttpResponseMessage model = await client.GetAsync("/2/active/model");
        using HttpResponseMessage roundTrip = await client.PostAsync("/2/active/model/roundtrip/0/1", RestTestEngine.JsonBody("{}"));
        Assert.Multiple(() =>
        {
            Assert.That(running, Is.EqualTo("""{"state":"running"}"""));
            Assert.That(pause.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
            Assert.That(paused, Is.EqualTo("""{"state":"paused"}"""));
            Assert.That(detachWhileRunning.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(unpause.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
            Assert.That(unpaused, Is.EqualTo("""{"state":"running"}"""));
            Assert.That(reset.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
            Assert.That(init, Is.EqualTo("""{"state":"init"}"""));
            Assert.That(model.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(roundTrip.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That(rest.Engine.State, Is.EqualTo(EngineState.Init));
        });
    }

    [Test]
    public async Task Job_status_and_model_describe_the_running_job()
    {
        await using RestTestEngine rest = await RestTestEngine.StartAsync(new ItemModel());
        await rest.Client.PostAsync("/2/active/model/roundtrip/0/1", RestTestEngine.JsonBody("""{"id":1,"text":"a"}"""));
        await rest.Client.PostAsync("/2/active/model/roundtrip/0/1", RestTestEngine.JsonBody("""{"id":2,"text":"boom"}"""));
        JsonNode status = JsonNode.Parse(await rest.Client.GetStringAsync("/1/job/status"))!;
        JsonNode model = JsonNode.Parse(await rest.Client.GetStringAsync("/2/active/model"))!;
        Assert.Multiple(() =>
        {
            Assert.That(status["state"]!.GetValue<string>(), Is.EqualTo("running"));
            Assert.That(status["model"]!["name"]!.GetValue<string>(), Is.EqualTo(nameof(ItemModel)));
            Assert.That(status["slots"]!.AsArray().Select(s => s!["stream"]!["records"]!.GetValue<long>()), Is.EqualTo(new long[] { 2, 1 }));
            Assert.That(status["slots"]![0]!["stream"]!["model_errors"]!.GetValue<long>(), Is.EqualTo(1));
            Assert.That(status["model_errors"]!.AsArray(), Has.Count.EqualTo(1));
            Assert.That(model["slots"]!.AsArray().Select(s => s!["slot"]!.GetValue<int>()), Is.EqualTo(new[] { 0, 1 }));
        });
    }

    [Test]
    public async Task Sampling_a_stream_returns_base64_records_ten_by_default()
    {
        await using RestTestEngine rest = await RestTestEngine.StartAsync(null);
        string data = string.Join(",", Enumerable.Range(1, 12).Select(i => $"\"{i}\""));
        string descriptor = $$"""{"Transport": {"Type": "inline", "Data": [{{data}}]}, "Encoding": "json"}""";
        using HttpResponseMessage two = await rest.Client.PostAsync("/1/stream/sample?n=2", RestTestEngine.JsonBody(descriptor));
        using HttpResponseMessage @default = await rest.Client.PostAsync("/1/stream/sample", RestTestEngine.JsonBody(descriptor));
        using HttpResponseMessage restStream = await rest.Client.PostAsync("/1/stream/sample", RestTestEngine.JsonBody("""{"Transport": "REST"}"""));
        using HttpResponseMessage invalid = await rest.Client.PostAsync("/1/stream/sample", RestTestEngine.JsonBody("""{"Transport": 3}"""));
        string[] sampled = JsonSerializer.Deserialize<string[]>(await two.Content.ReadAsStringAsync())!;
        string[] ten = JsonSerializer.Deserialize<string[]>(await @default.Content.ReadAsStringAsync())!;
        Assert.Multiple(() =>
        {
            Assert.That(sampled.Select(s => System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(s))), Is.EqualTo(new[] { "1", "2" }));
            Assert.That(ten, Has.Length.EqualTo(10));
            Assert.That(restStream.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(invalid.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        });
    }
}
