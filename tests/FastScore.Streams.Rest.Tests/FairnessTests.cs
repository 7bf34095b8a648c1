using System.Net;
using System.Text;
using FastScore.Streams.Descriptors;
using FastScore.Streams.Engine;
using FastScore.Streams.Rest.Tests.Infrastructure;
using FastScore.Streams.Rest.Transports;

namespace FastScore.Streams.Rest.Tests;

/// <summary>Bounded REST queues: a client that floods an input never starves round trips (issue 12, point 8).</summary>
[Category("Integration")]
public sealed class FairnessTests
{
    private const string Single = """{"id":0,"text":"x"}""";

    [Test]
    public async Task Ten_thousand_unread_inputs_get_429_once_the_output_is_full_and_round_trips_still_answer()
    {
        // the reproduction with the default options: 10,100 POST /1/job/input/0 and nobody reads slot 1
        var model = new ItemModel();
        await using RestTestEngine rest = await RestTestEngine.StartAsync(model);
        int accepted = 0;
        int refused = 0;
        HttpResponseMessage? firstRefusal = null;
        for (int i = 1; i <= 10_100; i++)
        {
            HttpResponseMessage response = await rest.Client.PostAsync("/1/job/input/0", RestTestEngine.JsonBody($$"""{"id":{{i}},"text":"f"}"""));
            if (response.StatusCode == HttpStatusCode.NoContent)
            {
                accepted++;
                response.Dispose();
            }
            else
            {
                Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests), await response.Content.ReadAsStringAsync());
                refused++;
                if (firstRefusal is null)
                {
                    firstRefusal = response;
                }
                else
                {
                    response.Dispose();
                }
            }
        }

        using HttpResponseMessage roundTrip = await rest.Client.PostAsync("/2/active/model/roundtrip/0/1?timeout=20000", RestTestEngine.JsonBody("""{"id":-1,"text":"rt"}"""));
        string answer = await roundTrip.Content.ReadAsStringAsync();
        int drained = await DrainAsync(rest.Client, "/1/job/output/1", until: accepted);
        using (firstRefusal)
        {
            Assert.Multiple(async () =>
            {
                Assert.That(roundTrip.StatusCode, Is.EqualTo(HttpStatusCode.OK), answer);
                Assert.That(answer, Is.EqualTo("""{"id":-1,"text":"RT"}"""));
                Assert.That(accepted, Is.GreaterThanOrEqualTo(new RestTransportOptions().OutputQueueCapacity), "records are admitted until the output holds its capacity");
                Assert.That(refused, Is.GreaterThan(0), "then refused");
                Assert.That(firstRefusal!.Headers.RetryAfter?.Delta, Is.EqualTo(TimeSpan.FromSeconds(1)));
                Assert.That(await firstRefusal.Content.ReadAsStringAsync(), Does.StartWith("The output on slot 1 holds 10000 records that nobody has read (GET /1/job/output/1)"));
                Assert.That(drained, Is.EqualTo(accepted), "every accepted record was scored and its output kept");
            });
        }
    }

    [Test]
    public async Task A_full_input_queue_answers_429_with_Retry_After_at_once_and_queues_nothing_more()
    {
        await using RestTestEngine rest = await RestTestEngine.StartAsync(new ItemModel(), transport: new RestTransportOptions { InputQueueCapacity = 3 },
            factory: f => { f.MaxBatchRecords = 1; f.ChannelCapacity = 1; });
        using (HttpResponseMessage paused = await rest.Client.PostAsync("/2/engine/pause", null))
        {
            Assert.That(paused.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        }

        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? refusal = null;
        for (int i = 1; i <= 20 && refusal is null; i++)
        {
            HttpResponseMessage response = await rest.Client.PostAsync("/1/job/input/0", RestTestEngine.JsonBody($$"""{"id":{{i}},"text":"f"}"""));
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                refusal = response;
            }
            else
            {
                response.Dispose();
            }
        }

        Assert.That(refusal, Is.Not.Null, "the paused engine's queue never filled");
        using (refusal)
        {
            int accepted = statuses.Count(s => s == HttpStatusCode.NoContent);
            await rest.Client.PostAsync("/2/engine/unpause", null);
            int drained = await DrainAsync(rest.Client, "/1/job/output/1", until: accepted);
            using HttpResponseMessage extra = await rest.Client.GetAsync("/1/job/output/1?timeout=300");
            Assert.Multiple(async () =>
            {
                Assert.That(statuses.Take(statuses.Count - 1), Is.All.EqualTo(HttpStatusCode.NoContent));
                Assert.That(refusal!.Headers.RetryAfter?.Delta, Is.EqualTo(TimeSpan.FromSeconds(1)));
                Assert.That(await refusal.Content.ReadAsStringAsync(), Is.EqualTo("The input queue of slot 0 is full (3 records wait for the engine); retry later."));
                Assert.That(drained, Is.EqualTo(accepted), "the refused record was not queued; the accepted ones were all scored");
                Assert.That(extra.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
            });
        }
    }

    [Test]
    public async Task A_round_trip_is_scored_before_fire_and_forget_records_queued_ahead_of_it()
    {
        const int Queued = 200;
        var model = new ItemModel();
        await using RestTestEngine rest = await RestTestEngine.StartAsync(model, transport: new RestTransportOptions { InputQueueCapacity = Queued },
            factory: f => { f.MaxBatchRecords = 1; f.ChannelCapacity = 1; });
        await rest.Client.PostAsync("/2/engine/pause", null);
        for (int i = 1; i <= Queued; i++)
        {
            using HttpResponseMessage queued = await rest.Client.PostAsync("/1/job/input/0", RestTestEngine.JsonBody($$"""{"id":{{i}},"text":"f"}"""));
            Assert.That(queued.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        }

        Task<HttpResponseMessage> roundTrip = rest.Client.PostAsync("/2/active/model/roundtrip/0/1?timeout=20000", RestTestEngine.JsonBody("""{"id":-1,"text":"rt"}"""));
        await RestTestEngine.WaitUntilAsync(() => rest.Input<RestMessageInput>(0).PendingRoundTrips == 1 || roundTrip.IsCompleted);
        await rest.Client.PostAsync("/2/engine/unpause", null);
        using HttpResponseMessage answered = await roundTrip;
        await DrainAsync(rest.Client, "/1/job/output/1", until: Queued);
        int[] order = [.. model.Scored];
        int position = Array.IndexOf(order, -1);
        Assert.Multiple(async () =>
        {
            Assert.That(answered.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(await answered.Content.ReadAsStringAsync(), Is.EqualTo("""{"id":-1,"text":"RT"}"""));
            Assert.That(order, Has.Length.EqualTo(Queued + 1));
            // Only the batches the engine had already taken from the queue when the round trip arrived are scored before
            // it (here one record per batch: the engine's merged channel of 8, the stream's channel of 1, and the
            // batches held by the stream's reader, the slot's reader and the model): never the rest of the queue.
            Assert.That(position, Is.InRange(0, 12), string.Join(",", order));
        });
    }

    [Test]
    public async Task A_full_round_trip_queue_answers_429_and_the_waiting_round_trips_are_answered()
    {
        var model = new ItemModel();
        await using RestTestEngine rest = await RestTestEngine.StartAsync(model, transport: new RestTransportOptions { RoundTripQueueCapacity = 2 },
            factory: f => { f.MaxBatchRecords = 1; f.ChannelCapacity = 1; });
        await rest.Client.PostAsync("/2/engine/pause", null);
        var waiting = new List<Task<HttpResponseMessage>>();
        HttpResponseMessage? refusal = null;
        for (int i = 1; i <= 20 && refusal is null; i++)
        {
            Task<HttpResponseMessage> request = rest.Client.PostAsync("/2/active/model/roundtrip/0/1?timeout=20000", RestTestEngine.JsonBody($$"""{"id":{{i}},"text":"r"}"""));
            int expected = waiting.Count + 1;
            await RestTestEngine.WaitUntilAsync(() => request.IsCompleted || rest.Input<RestMessageInput>(0).PendingRoundTrips == expected);
            if (request.IsCompleted)
            {
                refusal = await request;
            }
            else
            {
                waiting.Add(request);
            }
        }

        Assert.That(refusal, Is.Not.Null, "the round-trip queue never filled");
        using (refusal)
        {
            await rest.Client.PostAsync("/2/engine/unpause", null);
            HttpResponseMessage[] answers = await Task.WhenAll(waiting);
            Assert.Multiple(async () =>
            {
                Assert.That(refusal!.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
                Assert.That(refusal.Headers.RetryAfter?.Delta, Is.EqualTo(TimeSpan.FromSeconds(1)));
                Assert.That(await refusal.Content.ReadAsStringAsync(), Is.EqualTo("The round-trip queue of slot 0 is full (2 records wait for the engine); retry later."));
                Assert.That(answers.Select(a => a.StatusCode), Is.All.EqualTo(HttpStatusCode.OK));
            });
            foreach (HttpResponseMessage answer in answers)
            {
                answer.Dispose();
            }
        }
    }

    [Test]
    public async Task A_chunked_input_whose_buffer_is_full_answers_429_while_the_writing_request_waits_then_504()
    {
        await using RestTestEngine rest = await RestTestEngine.StartAsync(new ItemModel(), o => o.Rest.RequestTimeout = TimeSpan.FromSeconds(2), attachRest: false,
            transport: new RestTransportOptions { ChunkedBufferSize = 4096 }, factory: f => { f.MaxBatchRecords = 1; f.ChannelCapacity = 1; });
        rest.Engine.Attach(0, RestTestEngine.Rest(RestMode.Chunked));
        rest.Engine.Attach(1, RestTestEngine.Rest());
        await rest.WaitForStateAsync(EngineState.Running);
        await rest.Client.PostAsync("/2/engine/pause", null);
        var lines = new StringBuilder();
        for (int i = 0; i < 5000; i++)
        {
            lines.Append(Line(i)).Append('\n');
        }

        Task<HttpResponseMessage> big = rest.Client.PostAsync("/1/job/input/0", new StringContent(lines.ToString(), Encoding.UTF8));
        await RestTestEngine.WaitUntilAsync(() => rest.Input<RestChunkedInput>(0).IsBackpressured || big.IsCompleted);
        using HttpResponseMessage refusal = await rest.Client.PostAsync("/1/job/input/0", new StringContent(Single + "\n", Encoding.UTF8));
        using HttpResponseMessage timedOut = await big;
        Assert.Multiple(async () =>
        {
            Assert.That(refusal.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests), "a request is refused while the buffer is full");
            Assert.That(refusal.Headers.RetryAfter?.Delta, Is.EqualTo(TimeSpan.FromSeconds(1)));
            Assert.That(await refusal.Content.ReadAsStringAsync(), Is.EqualTo("The input buffer of slot 0 is full (the engine does not keep up); retry later."));
            Assert.That(timedOut.StatusCode, Is.EqualTo(HttpStatusCode.GatewayTimeout), "the request that filled the buffer waits at most RequestTimeout");
            Assert.That(await timedOut.Content.ReadAsStringAsync(), Is.EqualTo("The request did not complete within 2000 ms."));
        });

        static string Line(int i) => $$"""{"id":{{i}},"text":"c"}""";
    }

    private static async Task<int> DrainAsync(HttpClient client, string path, int until)
    {
        int count = 0;
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (count < until)
        {
            using HttpResponseMessage response = await client.GetAsync(path + "?timeout=2000", guard.Token);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                break;
            }

            count++;
        }

        return count;
    }
}
