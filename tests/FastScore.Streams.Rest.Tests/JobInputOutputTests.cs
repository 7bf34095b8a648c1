using System.Net;
using System.Text;
using FastScore.Streams.Descriptors;
using FastScore.Streams.Engine;
using FastScore.Streams.Rest.Tests.Infrastructure;

namespace FastScore.Streams.Rest.Tests;

[Category("Integration")]
public sealed class JobInputOutputTests
{
    [Test]
    public async Task Records_posted_to_an_input_come_out_one_per_GET_then_202_then_204_at_end_of_stream()
    {
        await using RestTestEngine rest = await RestTestEngine.StartAsync(new ItemModel());
        var posted = new List<HttpStatusCode>();
        foreach (string record in (string[])["""{"id":1,"text":"a"}""", """{"id":2,"text":"b"}"""])
        {
            using HttpResponseMessage response = await rest.Client.PostAsync("/1/job/input/0", RestTestEngine.JsonBody(record));
            posted.Add(response.StatusCode);
        }

        string first = await GetDataAsync(rest.Client, "/1/job/output/1");
        string second = await GetDataAsync(rest.Client, "/1/job/output");
        using HttpResponseMessage noData = await rest.Client.GetAsync("/1/job/output/1");
        using HttpResponseMessage end = await rest.Client.PostAsync("/1/job/input", RestTestEngine.JsonBody("""{"$fastscore":"end"}"""));
        await rest.WaitForStateAsync(EngineState.Finished);
        using HttpResponseMessage eof = await rest.Client.GetAsync("/1/job/output/1");
        Assert.Multiple(() =>
        {
            Assert.That(posted, Is.All.EqualTo(HttpStatusCode.NoContent));
            Assert.That(first, Is.EqualTo("""{"id":1,"text":"A"}"""));
            Assert.That(second, Is.EqualTo("""{"id":2,"text":"B"}"""));
            Assert.That(noData.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
            Assert.That(end.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
            Assert.That(eof.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        });
    }

    [Test]
    public async Task GET_with_a_timeout_waits_for_the_next_record()
    {
        await using RestTestEngine rest = await RestTestEngine.StartAsync(new ItemModel());
        Task<HttpResponseMessage> waiting = rest.Client.GetAsync("/1/job/output/1?timeout=20000");
        await Task.Delay(50);
        using HttpResponseMessage posted = await rest.Client.PostAsync("/1/job/input/0", RestTestEngine.JsonBody("""{"id":3,"text":"c"}"""));
        using HttpResponseMessage response = await waiting;
        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo("""{"id":3,"text":"C"}"""));
        });
    }

    [Test]
    public async Task Slots_without_a_REST_stream_get_403()
    {
        string dir = Directory.CreateTempSubdirectory("fss-rest-").FullName;
        try
        {
            await using RestTestEngine rest = await RestTestEngine.StartAsync(new ItemModel(), attachRest: false);
            rest.Engine.Attach(0, RestTestEngine.Rest());
            rest.Engine.Attach(1, new StreamDescriptor { Transport = new FileTransportDescriptor { Path = Path.Combine(dir, "out.jsons") }, Envelope = new DelimitedEnvelopeDescriptor(), Encoding = EncodingDescriptor.Json });
            await rest.WaitForStateAsync(EngineState.Running);
            using HttpResponseMessage fileOutput = await rest.Client.GetAsync("/1/job/output/1");
            using HttpResponseMessage nothing = await rest.Client.PostAsync("/1/job/input/2", RestTestEngine.JsonBody("{}"));
            using HttpResponseMessage roundTrip = await rest.Client.PostAsync("/2/active/model/roundtrip/0/1", RestTestEngine.JsonBody("""{"id":1,"text":"x"}"""));
            Assert.Multiple(async () =>
            {
                Assert.That(fileOutput.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
                Assert.That(await fileOutput.Content.ReadAsStringAsync(), Does.StartWith("The stream on slot 1 is not a REST stream"));
                Assert.That(nothing.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
                Assert.That(roundTrip.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
            });
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Test]
    public async Task Chunked_bodies_are_framed_by_the_envelope_even_when_a_record_spans_two_requests()
    {
        await using RestTestEngine rest = await RestTestEngine.StartAsync(new ItemModel(), attachRest: false);
        rest.Engine.Attach(0, RestTestEngine.Rest(RestMode.Chunked));
        rest.Engine.Attach(1, RestTestEngine.Rest(RestMode.Chunked));
        await rest.WaitForStateAsync(EngineState.Running);
        using HttpResponseMessage part1 = await rest.Client.PostAsync("/1/job/input/0", new StringContent("{\"id\":1,\"text\":\"a\"}\n{\"id\":2,\"te", Encoding.UTF8));
        using HttpResponseMessage roundTrip = await rest.Client.PostAsync("/2/active/model/roundtrip/0/1", RestTestEngine.JsonBody("""{"id":9,"text":"x"}"""));
        using HttpResponseMessage part2 = await rest.Client.PostAsync("/1/job/input/0", new StringContent("xt\":\"b\"}\n{\"id\":3,\"text\":\"c\"}\n{\"$fastscore\":\"end\"}\n", Encoding.UTF8));
        await rest.WaitForStateAsync(EngineState.Finished);
        var output = new StringBuilder();
        HttpStatusCode status;
        do
        {
            using HttpResponseMessage response = await rest.Client.GetAsync("/1/job/output/1");
            status = response.StatusCode;
            output.Append(await response.Content.ReadAsStringAsync());
        }
        while (status == HttpStatusCode.OK);

        Assert.Multiple(async () =>
        {
            Assert.That(part1.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
            Assert.That(part2.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
            Assert.That(roundTrip.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(await roundTrip.Content.ReadAsStringAsync(), Does.Contain("simple-mode REST input"));
            Assert.That(output.ToString(), Is.EqualTo("{\"id\":1,\"text\":\"A\"}\n{\"id\":2,\"text\":\"B\"}\n{\"id\":3,\"text\":\"C\"}\n"));
            Assert.That(status, Is.EqualTo(HttpStatusCode.NoContent));
        });
    }

    private static async Task<string> GetDataAsync(HttpClient client, string path)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (true)
        {
            using HttpResponseMessage response = await client.GetAsync(path, timeout.Token);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                return await response.Content.ReadAsStringAsync(timeout.Token);
            }

            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
            await Task.Delay(10, timeout.Token);
        }
    }
}
