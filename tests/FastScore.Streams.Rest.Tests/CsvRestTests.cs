using System.Net;
using System.Text;
using FastScore.Streams.Descriptors;
using FastScore.Streams.Engine;
using FastScore.Streams.Rest.Tests.Infrastructure;

namespace FastScore.Streams.Rest.Tests;

/// <summary>Issue 14 point 6: CSV over REST — one row per round trip (simple mode, no envelope), and CSV bodies framed by delimited-csv (chunked mode).</summary>
[Category("Integration")]
public sealed class CsvRestTests
{
    private const string Schema = """{"type":"record","name":"Item","fields":[{"name":"id","type":"int"},{"name":"text","type":"string"},{"name":"score","type":["null","double"]}]}""";

    public sealed class CsvItem
    {
        public int Id { get; set; }

        public string Text { get; set; } = "";

        public double? Score { get; set; }
    }

    private sealed class UpperModel : IModel<CsvItem, CsvItem>
    {
        public ValueTask ActionAsync(CsvItem input, RecordContext context, IModelOutput<CsvItem> output, CancellationToken cancellationToken)
        {
            output.Emit(new CsvItem { Id = input.Id, Text = input.Text.ToUpperInvariant(), Score = input.Score * 2 });
            return default;
        }
    }

    private static StreamDescriptor Csv(RestMode mode) => new()
    {
        Transport = new RestTransportDescriptor { Mode = mode },
        Envelope = mode == RestMode.Chunked ? new DelimitedCsvEnvelopeDescriptor { SkipHeader = false } : null,
        Encoding = EncodingDescriptor.Csv,
        Schema = SchemaReference.Inline(Schema),
        Batching = new BatchingDescriptor(null, 0),
    };

    private static StringContent Body(string text) => new(text, Encoding.UTF8, "text/csv");

    [Test]
    public async Task A_csv_row_makes_a_round_trip_and_a_bad_row_gets_400_with_the_reason()
    {
        await using RestTestEngine rest = await RestTestEngine.StartAsync(new UpperModel(), attachRest: false);
        rest.Engine.Attach(0, Csv(RestMode.Simple));
        rest.Engine.Attach(1, Csv(RestMode.Simple));
        await rest.WaitForStateAsync(EngineState.Running);

        using HttpResponseMessage good = await rest.Client.PostAsync("/2/active/model/roundtrip/0/1", Body("7,\"Smith, j\",1.25"));
        using HttpResponseMessage nullScore = await rest.Client.PostAsync("/2/active/model/roundtrip/0/1", Body("8,x,"));
        using HttpResponseMessage textInFloat = await rest.Client.PostAsync("/2/active/model/roundtrip/0/1", Body("9,y,abc"));
        using HttpResponseMessage columns = await rest.Client.PostAsync("/2/active/model/roundtrip/0/1", Body("9,y"));
        using HttpResponseMessage after = await rest.Client.PostAsync("/2/active/model/roundtrip/0/1", Body("10,z,0.5"));
        Assert.Multiple(async () =>
        {
            Assert.That(good.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(await good.Content.ReadAsStringAsync(), Is.EqualTo("7,\"SMITH, J\",2.5"));
            Assert.That(await nullScore.Content.ReadAsStringAsync(), Is.EqualTo("8,X,"));
            Assert.That(textInFloat.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(await textInFloat.Content.ReadAsStringAsync(), Does.StartWith("rejected by schema").And.Contain("$.score: \"abc\" is not a double"));
            Assert.That(columns.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(await columns.Content.ReadAsStringAsync(), Does.Contain("the record has 2 fields, not 3"));
            Assert.That(await after.Content.ReadAsStringAsync(), Is.EqualTo("10,Z,1"), "the engine goes on after rejections");
        });
    }

    [Test]
    public async Task A_csv_body_is_framed_by_delimited_csv_even_when_a_quoted_row_spans_two_requests()
    {
        await using RestTestEngine rest = await RestTestEngine.StartAsync(new UpperModel(), attachRest: false);
        rest.Engine.Attach(0, Csv(RestMode.Chunked));
        rest.Engine.Attach(1, Csv(RestMode.Chunked));
        await rest.WaitForStateAsync(EngineState.Running);
        using HttpResponseMessage part1 = await rest.Client.PostAsync("/1/job/input/0", Body("1,a,1\r\n2,\"b\r\n"));
        using HttpResponseMessage part2 = await rest.Client.PostAsync("/1/job/input/0", Body("c\",\n3,\"d,e\",3\r\n$fastscore.end\r\n"));
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

        Assert.Multiple(() =>
        {
            Assert.That(part1.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
            Assert.That(part2.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
            Assert.That(output.ToString(), Does.StartWith("1,A,2\r\n2,\"B\r\nC\",\r\n3,\"D,E\",6\r\n"));
            Assert.That(rest.Engine.Inspect().Rejections, Is.Empty);
        });
    }
}
