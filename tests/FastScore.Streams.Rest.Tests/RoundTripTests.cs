using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using FastScore.Samples.Iris;
using FastScore.Streams.Engine;
using FastScore.Streams.Rest.Tests.Infrastructure;

namespace FastScore.Streams.Rest.Tests;

[Category("Integration")]
public sealed class RoundTripTests
{
    [Test]
    public async Task The_guides_iris_record_returns_the_three_class_probabilities()
    {
        await using RestTestEngine rest = await RestTestEngine.StartAsync(new IrisModel());
        string single = IrisSampleData.ReadAllText(IrisSampleData.GuideSingleInput);
        using HttpResponseMessage response = await rest.Client.PostAsync("/2/active/model/roundtrip/0/1", RestTestEngine.JsonBody(single));
        string body = await response.Content.ReadAsStringAsync();
        using JsonDocument output = JsonDocument.Parse(body);
        JsonElement root = output.RootElement;
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"));
            Assert.That(root.EnumerateObject().Select(p => p.Name), Is.EqualTo(new[] { "A", "B", "C" }));
            Assert.That(root.GetProperty("C").GetDouble(), Is.GreaterThan(0.9), "the guide's flower is a virginica");
            Assert.That(root.GetProperty("A").GetDouble() + root.GetProperty("B").GetDouble() + root.GetProperty("C").GetDouble(), Is.EqualTo(1.0).Within(1e-4));
        });
    }

    [Test]
    public async Task The_proxy_prefix_serves_the_same_round_trip()
    {
        await using RestTestEngine rest = await RestTestEngine.StartAsync(new ItemModel());
        using HttpResponseMessage response = await rest.Client.PostAsync("/api/1/service/engine-1/2/active/model/roundtrip/0/1", RestTestEngine.JsonBody("""{"id":7,"text":"abc"}"""));
        Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo("""{"id":7,"text":"ABC"}"""));
    }

    [Test]
    public async Task Concurrent_round_trips_each_get_their_own_result()
    {
        await using RestTestEngine rest = await RestTestEngine.StartAsync(new ItemModel());
        const int Loops = 16, PerLoop = 100;
        var mismatches = new List<string>();
        await Task.WhenAll(Enumerable.Range(0, Loops).Select(loop => Task.Run(async () =>
        {
            for (int i = 0; i < PerLoop; i++)
            {
                int id = loop * 1000 + i;
                string text = $"loop{loop}-item{i}";
                using HttpResponseMessage response = await rest.Client.PostAsync("/2/active/model/roundtrip/0/1", RestTestEngine.JsonBody($$"""{"id":{{id}},"text":"{{text}}"}"""));
                string body = await response.Content.ReadAsStringAsync();
                string expected = $$"""{"id":{{id}},"text":"{{text.ToUpperInvariant()}}"}""";
                if (response.StatusCode != HttpStatusCode.OK || body != expected)
                {
                    lock (mismatches)
                    {
                        mismatches.Add($"{id}: {(int)response.StatusCode} {body}");
                    }
                }
            }
        })));
        Assert.Multiple(() =>
        {
            Assert.That(mismatches, Is.Empty);
            Assert.That(rest.Engine.Inspect().Slots.Select(s => s.Records), Is.EqualTo(new long[] { Loops * PerLoop, Loops * PerLoop }));
        });
    }

    [Test]
    public async Task A_record_the_encoding_or_schema_rejects_gets_400_with_the_reason()
    {
        await using RestTestEngine rest = await RestTestEngine.StartAsync(new IrisModel());
        using HttpResponseMessage notJson = await rest.Client.PostAsync("/2/active/model/roundtrip/0/1", RestTestEngine.JsonBody("""{"sepal_length": 6.9, oops"""));
        using HttpResponseMessage wrongType = await rest.Client.PostAsync("/2/active/model/roundtrip/0/1", RestTestEngine.JsonBody("""{"sepal_length": "long", "sepal_width": 3.1, "petal_length": 5.4, "petal_width": 2.1}"""));
        using HttpResponseMessage good = await rest.Client.PostAsync("/2/active/model/roundtrip/0/1", RestTestEngine.JsonBody(IrisSampleData.ReadAllText(IrisSampleData.GuideSingleInput)));
        Assert.Multiple(async () =>
        {
            Assert.That(notJson.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(await notJson.Content.ReadAsStringAsync(), Does.StartWith("rejected by"));
            Assert.That(wrongType.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(await wrongType.Content.ReadAsStringAsync(), Does.StartWith("rejected by").And.Contain("sepal_length"));
            Assert.That(good.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the engine goes on after rejections");
            Assert.That(rest.Engine.Inspect().Slots[0].RejectedByEncoding + rest.Engine.Inspect().Slots[0].RejectedBySchema, Is.EqualTo(2));
        });
    }

    [Test]
    public async Task A_model_that_throws_gives_500_with_its_message_and_the_engine_keeps_serving()
    {
        await using RestTestEngine rest = await RestTestEngine.StartAsync(new ItemModel());
        using HttpResponseMessage failed = await rest.Client.PostAsync("/2/active/model/roundtrip/0/1", RestTestEngine.JsonBody("""{"id":1,"text":"boom"}"""));
        using HttpResponseMessage next = await rest.Client.PostAsync("/2/active/model/roundtrip/0/1", RestTestEngine.JsonBody("""{"id":2,"text":"ok"}"""));
        Assert.Multiple(async () =>
        {
            Assert.That(failed.StatusCode, Is.EqualTo(HttpStatusCode.InternalServerError));
            Assert.That(await failed.Content.ReadAsStringAsync(), Is.EqualTo("InvalidOperationException: cannot score item 1"));
            Assert.That(await next.Content.ReadAsStringAsync(), Is.EqualTo("""{"id":2,"text":"OK"}"""));
            Assert.That(rest.Engine.State, Is.EqualTo(EngineState.Running));
        });
    }

    [Test]
    public async Task No_output_gives_204_and_several_outputs_come_back_newline_delimited()
    {
        await using RestTestEngine rest = await RestTestEngine.StartAsync(new ItemModel());
        using HttpResponseMessage none = await rest.Client.PostAsync("/2/active/model/roundtrip/0/1", RestTestEngine.JsonBody("""{"id":1,"text":"none"}"""));
        using HttpResponseMessage many = await rest.Client.PostAsync("/2/active/model/roundtrip/0/1", RestTestEngine.JsonBody("""{"id":2,"text":"many:3"}"""));
        Assert.Multiple(async () =>
        {
            Assert.That(none.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
            Assert.That(many.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(many.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/x-ndjson"));
            Assert.That(await many.Content.ReadAsStringAsync(), Is.EqualTo("{\"id\":2,\"text\":\"part0\"}\n{\"id\":2,\"text\":\"part1\"}\n{\"id\":2,\"text\":\"part2\"}\n"));
        });
    }

    [Test]
    public async Task No_output_within_the_timeout_gives_504_and_the_record_is_still_scored_later()
    {
        await using RestTestEngine rest = await RestTestEngine.StartAsync(new ItemModel());
        await rest.Client.PostAsync("/2/engine/pause", null);
        using HttpResponseMessage late = await rest.Client.PostAsync("/2/active/model/roundtrip/0/1?timeout=200", RestTestEngine.JsonBody("""{"id":1,"text":"late"}"""));
        string message = await late.Content.ReadAsStringAsync();
        await rest.Client.PostAsync("/2/engine/unpause", null);
        using HttpResponseMessage next = await rest.Client.PostAsync("/2/active/model/roundtrip/0/1?timeout=0", RestTestEngine.JsonBody("""{"id":2,"text":"next"}"""));
        Assert.Multiple(async () =>
        {
            Assert.That(late.StatusCode, Is.EqualTo(HttpStatusCode.GatewayTimeout));
            Assert.That(message, Is.EqualTo("No output within 200 ms (engine paused)."));
            Assert.That(await next.Content.ReadAsStringAsync(), Is.EqualTo("""{"id":2,"text":"NEXT"}"""));
            Assert.That(rest.Engine.Inspect().Slots[1].Records, Is.EqualTo(2), "the timed-out record was scored after unpause; its output went nowhere");
        });
    }

    [Test]
    public async Task A_client_that_disconnects_while_waiting_leaves_the_engine_serving()
    {
        var model = new ItemModel();
        await using RestTestEngine rest = await RestTestEngine.StartAsync(model);
        using (var gone = new CancellationTokenSource())
        {
            Task<HttpResponseMessage> waiting = rest.Client.PostAsync("/2/active/model/roundtrip/0/1", RestTestEngine.JsonBody("""{"id":1,"text":"wait"}"""), gone.Token);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            while (Volatile.Read(ref model.WaitingCalls) == 0)
            {
                await Task.Delay(10, timeout.Token);
            }

            await gone.CancelAsync();
            Assert.That(async () => await waiting, Throws.InstanceOf<OperationCanceledException>());
        }

        model.Release();
        using HttpResponseMessage next = await rest.Client.PostAsync("/2/active/model/roundtrip/0/1", RestTestEngine.JsonBody("""{"id":2,"text":"after"}"""));
        Assert.That(await next.Content.ReadAsStringAsync(), Is.EqualTo("""{"id":2,"text":"AFTER"}"""));
    }

    [Test]
    public async Task A_client_that_disconnects_in_the_middle_of_its_body_leaves_the_engine_serving()
    {
        await using RestTestEngine rest = await RestTestEngine.StartAsync(new ItemModel());
        using (var socket = new TcpClient())
        {
            await socket.ConnectAsync(rest.Server.BaseAddress.Host, rest.Server.BaseAddress.Port);
            NetworkStream stream = socket.GetStream();
            await stream.WriteAsync(Encoding.ASCII.GetBytes(
                "POST /2/active/model/roundtrip/0/1 HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"id\":1,"));
            await stream.FlushAsync();
        }

        using HttpResponseMessage next = await rest.Client.PostAsync("/2/active/model/roundtrip/0/1", RestTestEngine.JsonBody("""{"id":2,"text":"after"}"""));
        Assert.Multiple(async () =>
        {
            Assert.That(await next.Content.ReadAsStringAsync(), Is.EqualTo("""{"id":2,"text":"AFTER"}"""));
            Assert.That(rest.Engine.Inspect().Slots[0].Records, Is.EqualTo(1), "the truncated body never became a record");
        });
    }

    [Test]
    public async Task Round_trips_to_slots_without_REST_streams_are_refused()
    {
        await using RestTestEngine rest = await RestTestEngine.StartAsync(new ItemModel());
        using HttpResponseMessage noStream = await rest.Client.PostAsync("/2/active/model/roundtrip/2/1", RestTestEngine.JsonBody("{}"));
        using HttpResponseMessage wrongDirection = await rest.Client.PostAsync("/2/active/model/roundtrip/1/0", RestTestEngine.JsonBody("{}"));
        using HttpResponseMessage noOutput = await rest.Client.PostAsync("/2/active/model/roundtrip/0/3", RestTestEngine.JsonBody("{}"));
        Assert.Multiple(async () =>
        {
            Assert.That(noStream.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That(await noStream.Content.ReadAsStringAsync(), Is.EqualTo("No stream is attached to slot 2."));
            Assert.That(wrongDirection.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(noOutput.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        });
    }

    [Test]
    public async Task A_round_trip_before_the_engine_runs_gets_503()
    {
        await using RestTestEngine rest = await RestTestEngine.StartAsync(null);
        rest.Engine.Attach(0, RestTestEngine.Rest());
        using HttpResponseMessage response = await rest.Client.PostAsync("/2/active/model/roundtrip/0/1", RestTestEngine.JsonBody("{}"));
        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
            Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("engine is init"));
        });
    }
}
