using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using static FastScore.Cli.Tests.ServeSupport;

namespace FastScore.Cli.Tests;

/// <summary>
/// Issue 12, points 1 and 2, through the command line with real files and a real server: a poison record is rejected
/// alone (slot, record number, byte position, reason) and the run or the server goes on; a descriptor that is not text
/// gets a field-path error; no verb prints a stack trace for anything a user gives it.
/// </summary>
[Category("Integration")]
public sealed partial class BadInputTests
{
    private const string Good = """{"sepal_length": 6.9, "sepal_width": 3.1, "petal_length": 5.4, "petal_width": 2.1}""";

    private string _dir = "";

    [SetUp]
    public void SetUp() => _dir = Directory.CreateTempSubdirectory("fastscore-bad-input-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    /// <summary>The issue's record (a key with a lone surrogate escape), and a key holding raw bytes that are not UTF-8.</summary>
    private static IEnumerable<TestCaseData> Poisons()
    {
        yield return new TestCaseData(Encoding.UTF8.GetBytes("""{"sepal_length":6.9,"\ud800":1}"""), "unpaired surrogate").SetName("Run_writes_the_1000_good_records_around_a_key_with_a_lone_surrogate_and_reports_it");
        yield return new TestCaseData((byte[])[.. "{\"sepal_length\":6.9,\""u8, 0xFF, 0xFE, .. "\":1}"u8], "invalid UTF-8").SetName("Run_writes_the_1000_good_records_around_a_key_of_invalid_UTF8_and_reports_it");
    }

    [TestCaseSource(nameof(Poisons))]
    public async Task A_poison_record_in_a_file_is_rejected_alone(byte[] poison, string reason)
    {
        byte[] good = Encoding.UTF8.GetBytes(Good + "\n");
        string input = Path.Combine(_dir, "in.jsons");
        string output = Path.Combine(_dir, "out.jsons");
        using (FileStream file = File.Create(input))
        {
            for (int i = 0; i < 500; i++)
            {
                file.Write(good);
            }

            file.Write(poison);
            file.Write("\n"u8);
            for (int i = 0; i < 500; i++)
            {
                file.Write(good);
            }
        }

        var (exit, _, err, _) = await CliRunner.RunAsync("run", "iris", "file:" + input, "file:" + output);
        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.EqualTo(0), err);
            Assert.That(File.ReadAllLines(output), Has.Length.EqualTo(1000));
            Assert.That(err, Does.Contain($"slot 0 record 501 (byte {500 * good.Length}): rejected by encoding: ").And.Contain(reason));
            Assert.That(err, Does.Match(@"0\s+in\s+file:\S+in.jsons\s+yes\s+1,000\s+\d[\d,]*\s+1\s+0\s"), "1,000 records read, one rejected by encoding");
            Assert.That(err, Does.Contain("engine: FINISHED"));
            AssertNoStackTrace(err);
        });
    }

    [Test]
    public async Task Serve_answers_a_poison_round_trip_with_an_error_for_that_request_only_and_keeps_serving()
    {
        int port = FreePort();
        string url = $"http://127.0.0.1:{port}";
        using var stop = new CancellationTokenSource();
        Task<(int Exit, string Out, string Err, string Console)> serving = CliRunner.RunAsync(stop.Token, "serve", "iris", "rest:", "rest:", "--urls", url);
        using var client = new HttpClient { BaseAddress = new Uri(url) };
        await WaitRunningAsync(client, serving);

        async Task<(HttpStatusCode Status, string Body)> RoundTrip(byte[] record)
        {
            using var content = new ByteArrayContent(record);
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
            using HttpResponseMessage response = await client.PostAsync("/2/active/model/roundtrip/0/1", content);
            return (response.StatusCode, await response.Content.ReadAsStringAsync());
        }

        var before = await RoundTrip(Encoding.UTF8.GetBytes(Good));
        var surrogate = await RoundTrip(Encoding.UTF8.GetBytes("""{"sepal_length":6.9,"\ud800":1}"""));
        var invalid = await RoundTrip([.. "{\"sepal_length\":6.9,\""u8, 0xFF, .. "\":1}"u8]);
        var after = await RoundTrip(Encoding.UTF8.GetBytes(Good));
        using HttpResponseMessage state = await client.GetAsync("/2/engine/state");
        string stateBody = await state.Content.ReadAsStringAsync();
        var (inspectExit, inspect, _, _) = await CliRunner.RunAsync("engine", "inspect", "--url", url);
        await stop.CancelAsync();
        var (exit, _, err, _) = await serving.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Multiple(() =>
        {
            Assert.That(before.Status, Is.EqualTo(HttpStatusCode.OK), before.Body);
            Assert.That(surrogate.Status, Is.EqualTo(HttpStatusCode.BadRequest), surrogate.Body);
            Assert.That(surrogate.Body, Does.Contain("unpaired surrogate"));
            Assert.That(invalid.Status, Is.EqualTo(HttpStatusCode.BadRequest), invalid.Body);
            Assert.That(invalid.Body, Does.Contain("invalid UTF-8"));
            Assert.That(after.Status, Is.EqualTo(HttpStatusCode.OK), after.Body);
            Assert.That(after.Body, Is.EqualTo(before.Body), "the same record scores the same after the poison records");
            Assert.That(stateBody, Is.EqualTo("""{"state":"running"}"""), "the engine did not go to ERROR");
            Assert.That(inspectExit, Is.EqualTo(0));
            Assert.That(inspect, Does.Match(@"0\s+in\s+rest \(simple\)\s+no\s+2\s+\d+\s+2\s+0\s"), "slot 0: two records scored, two rejected by encoding");
            Assert.That(exit, Is.EqualTo(0), err);
            AssertNoStackTrace(err);
        });
    }

    private static IEnumerable<TestCaseData> NotText()
    {
        static TestCaseData Case(byte[] json, string path, string name) => new TestCaseData(json, path).SetName(name);
        yield return Case(Encoding.UTF8.GetBytes("""{"Transport": {"Type": "file", "Path": "/tmp/\ud800"}, "Envelope": "delimited", "Encoding": "json"}"""),
            "Transport.Path", "Stream_verify_of_a_path_with_a_lone_surrogate_exits_1_naming_Transport_Path");
        yield return Case([.. "{\"Transport\": {\"Type\": \"file\", \"Path\": \"/tmp/"u8, 0xFF, .. "\"}, \"Encoding\": \"json\"}"u8],
            "Transport.Path", "Stream_verify_of_a_path_of_invalid_UTF8_exits_1_naming_Transport_Path");
        yield return Case(Encoding.UTF8.GetBytes("""{"Transport": {"Type": "kafka", "BootstrapServers": ["k:9092"], "Topic": "t", "Config": {"\udc00": "x"}}}"""),
            "Transport.Config[\"\\udc00\"]", "Stream_verify_of_a_Kafka_Config_key_with_a_lone_surrogate_exits_1_naming_the_key");
        yield return Case(Encoding.UTF8.GetBytes("""{"Transport": "REST", "Encoding": "json", "Schema": "{\"type\": \"enum\", \"name\": \"E\", \"symbols\": [\"\\ud800\"]}"}"""),
            "Schema.symbols[0]", "Stream_verify_of_schema_text_holding_a_lone_surrogate_exits_1_naming_the_symbol");
        yield return Case(Encoding.UTF8.GetBytes("""{"Description": "\udbff\udbff", "Transport": "REST"}"""),
            "Description", "Stream_verify_of_a_description_with_two_high_surrogates_exits_1_naming_Description");
    }

    [TestCaseSource(nameof(NotText))]
    public async Task A_descriptor_that_is_not_text_gets_a_field_path_error_and_no_stack_trace(byte[] json, string path)
    {
        string file = Path.Combine(_dir, "bad.json");
        File.WriteAllBytes(file, json);
        var (exit, stdout, err, _) = await CliRunner.RunAsync("stream", "verify", file);
        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.EqualTo(1));
            Assert.That(err, Does.Contain($" {path}: expected "));
            Assert.That(stdout, Does.Not.Contain("no errors"));
            AssertNoStackTrace(err + stdout);
        });
    }

    /// <summary>Every verb, given a descriptor that is not text or a URL that is not one, exits non-zero with a reason and no stack trace.</summary>
    private static IEnumerable<TestCaseData> Verbs()
    {
        yield return new TestCaseData((object)new[] { "stream", "verify", "{bad}" }).SetName("Stream_verify_prints_no_stack_trace_for_bad_input");
        yield return new TestCaseData((object)new[] { "stream", "sample", "{bad}" }).SetName("Stream_sample_prints_no_stack_trace_for_bad_input");
        yield return new TestCaseData((object)new[] { "run", "echo", "{bad}", "discard:" }).SetName("Run_prints_no_stack_trace_for_bad_input");
        yield return new TestCaseData((object)new[] { "serve", "echo", "{bad}", "rest:", "--urls", "http://127.0.0.1:0" }).SetName("Serve_prints_no_stack_trace_for_bad_input");
        yield return new TestCaseData((object)new[] { "model", "input", "0", "--url", "::not a url::" }).SetName("Model_input_prints_no_stack_trace_for_a_bad_url");
        yield return new TestCaseData((object)new[] { "model", "output", "1", "--url", "::not a url::" }).SetName("Model_output_prints_no_stack_trace_for_a_bad_url");
        yield return new TestCaseData((object)new[] { "engine", "inspect", "--url", "::not a url::" }).SetName("Engine_inspect_prints_no_stack_trace_for_a_bad_url");
    }

    [TestCaseSource(nameof(Verbs))]
    public async Task No_verb_prints_a_stack_trace_for_bad_input(string[] args)
    {
        string file = Path.Combine(_dir, "bad.json");
        File.WriteAllText(file, """{"Transport": {"Type": "file", "Path": "/tmp/\ud800"}, "Encoding": "json"}""");
        string[] resolved = [.. args.Select(a => a == "{bad}" ? file : a)];
        var (exit, stdout, err, _) = await CliRunner.RunAsync(resolved);
        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.Not.Zero);
            Assert.That(err.Trim(), Is.Not.Empty, "a reason is printed");
            AssertNoStackTrace(err + stdout);
        });
    }

    private static void AssertNoStackTrace(string text) =>
        Assert.That(StackFrame().IsMatch(text), Is.False, $"a stack trace was printed:\n{text}");

    [GeneratedRegex(@"^\s+at \S+\(", RegexOptions.Multiline)]
    private static partial Regex StackFrame();
}
