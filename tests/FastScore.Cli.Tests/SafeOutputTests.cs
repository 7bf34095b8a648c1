using System.Net;
using System.Net.Sockets;
using System.Text;
using static FastScore.Cli.Tests.ServeSupport;

namespace FastScore.Cli.Tests;

/// <summary>What the CLI prints never carries a secret inside a URL, nor a record's terminal control sequences (issue 12, point 10).</summary>
[Category("Integration")]
public sealed class SafeOutputTests
{
    private static readonly string[] s_secrets = ["pa55word", "s1gnature", "tok3n"];

    private string _dir = "";

    [SetUp]
    public void SetUp() => _dir = Directory.CreateTempSubdirectory("fastscore-safe-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    [Test]
    public async Task Stream_verify_masks_secrets_inside_urls_in_the_display_and_in_errors()
    {
        const string Valid = """{"Transport": {"Type": "S3", "Bucket": "bucket", "ObjectKey": "k", "Endpoint": "http://minio:pa55word@s3.example:9000/?X-Amz-Signature=s1gnature"}}""";
        const string Invalid = """{"Transport": {"Type": "S3", "Bucket": "bucket", "ObjectKey": "k", "Endpoint": "ftp://minio:pa55word@s3.example:9000/?token=tok3n"}}""";
        var (validExit, validOut, validErr, _) = await CliRunner.RunAsync("stream", "verify", Valid);
        var (invalidExit, invalidOut, invalidErr, _) = await CliRunner.RunAsync("stream", "verify", Invalid);
        var (literalExit, literalOut, literalErr, _) = await CliRunner.RunAsync("stream", "verify", "https://alice:pa55word@host/data?token=tok3n");
        var (parseExit, _, parseErr, _) = await CliRunner.RunAsync("stream", "verify", "file:/x", "https://alice:pa55word@host/data?token=tok3n");
        Assert.Multiple(() =>
        {
            Assert.That(validExit, Is.Zero, validErr);
            Assert.That(validOut, Does.Contain("\"Endpoint\": \"http://minio:*****@s3.example:9000/?X-Amz-Signature=*****\""));
            Assert.That(invalidExit, Is.EqualTo(1));
            Assert.That(invalidErr, Does.Contain("found \"ftp://minio:*****@s3.example:9000/?token=*****\""));
            Assert.That(literalExit, Is.Zero, literalErr); // valid and runnable: http is a built-in transport
            Assert.That(literalOut, Does.Contain("\"Url\": \"https://alice:*****@host/data?token=*****\""), "an http: literal");
            Assert.That(parseExit, Is.Not.Zero);
            foreach (string output in (string[])[validOut, validErr, invalidOut, invalidErr, literalOut, literalErr, parseErr])
            {
                foreach (string secret in s_secrets)
                {
                    Assert.That(output, Does.Not.Contain(secret));
                }
            }
        });
    }

    [Test]
    public async Task A_record_with_terminal_escape_sequences_is_previewed_escaped_and_a_long_one_is_cut()
    {
        string input = Path.Combine(_dir, "in.jsons");
        using (FileStream file = File.Create(input))
        {
            file.Write("{\"a\":1}\n"u8);
            file.Write([.. "{\"a\":\"\u001b]0;pwned\u0007\u001b[2J\r\b"u8, 0xC2, 0x9B, .. "31m\u202Etxt.exe\"}\n"u8]); // ESC, BEL, CR, BS, C1 CSI, RLO: not JSON (raw controls)
            file.Write(Encoding.UTF8.GetBytes("{\"a\":\"" + new string('x', 1000) + "\u0001\"}\n"));
        }

        var (exit, _, err, _) = await CliRunner.RunAsync("run", "echo", "file:" + input, "file:" + Path.Combine(_dir, "out.jsons"));
        Assert.Multiple(() =>
        {
            Assert.That(err, Does.Contain("engine: FINISHED"), err);
            Assert.That(err, Does.Contain(@"record: {""a"":""\u001B]0;pwned\u0007\u001B[2J\r\u0008\u009B31m\u202Etxt.exe""}"));
            Assert.That(err, Does.Contain("record: {\"a\":\"" + new string('x', 194) + "… (1,009 bytes)"), "cut at 200 bytes, with the record's length");
            Assert.That(err.IndexOfAny(['\u001b', '\u0007', '\b', '\u009b', '\u202e']), Is.EqualTo(-1), "no control character reaches the terminal");
        });
    }

    [Test]
    public async Task Engine_inspect_and_the_serve_summary_escape_what_records_put_in_rejections()
    {
        int port = FreePort();
        string url = $"http://127.0.0.1:{port}";
        using var stop = new CancellationTokenSource();
        Task<(int Exit, string Out, string Err, string Console)> serving = CliRunner.RunAsync(stop.Token, "serve", "iris", "rest:", "rest:", "--urls", url);
        using var client = new HttpClient { BaseAddress = new Uri(url) };
        await WaitRunningAsync(client, serving);
        // a JSON string holding ESC (escaped, so valid JSON): the schema rejects it and quotes it in the reason
        using (var content = new StringContent("{\"sepal_length\": \"\\u001b[2J\\u009b31m\", \"sepal_width\": 1, \"petal_length\": 1, \"petal_width\": 1}", Encoding.UTF8, "application/json"))
        using (HttpResponseMessage rejected = await client.PostAsync("/2/active/model/roundtrip/0/1", content))
        {
            Assert.That(rejected.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That((await rejected.Content.ReadAsStringAsync()).IndexOfAny(['\u001b', '\u009b']), Is.EqualTo(-1), "the 400 body is escaped too");
        }

        using (var raw = new ByteArrayContent([.. "{\"sepal_length\": \""u8, 0x1B, .. "[31m\"}"u8]))
        using (HttpResponseMessage rejected = await client.PostAsync("/2/active/model/roundtrip/0/1", raw))
        {
            Assert.That(rejected.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        }

        var (inspectExit, inspectOut, inspectErr, _) = await CliRunner.RunAsync("engine", "inspect", "--url", url);
        await stop.CancelAsync();
        var (exit, _, summary, _) = await serving.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Multiple(() =>
        {
            Assert.That(inspectExit, Is.Zero, inspectErr);
            Assert.That(inspectOut, Does.Contain("rejected by schema"));
            Assert.That(inspectOut, Does.Contain(@"got ""\u001b[2J\u009b31m"""), "the schema quotes a string value as JSON");
            Assert.That(exit, Is.Zero, summary);
            Assert.That(summary, Does.Contain(@"record: {""sepal_length"": ""\u001B[31m""}"));
            foreach (string output in (string[])[inspectOut, summary])
            {
                Assert.That(output.IndexOfAny(['\u001b', '\u009b']), Is.EqualTo(-1), output);
            }
        });
    }
}
