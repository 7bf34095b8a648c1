using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using static FastScore.Cli.Tests.ServeSupport;

namespace FastScore.Cli.Tests;

/// <summary><c>fastscore serve</c> and <c>fastscore model input/output</c> against a real server on loopback.</summary>
[Category("Integration")]
public sealed class ServeCommandTests
{
    [Test]
    public async Task Serve_iris_rest_rest_answers_the_guides_round_trip_with_basic_authentication_until_stopped()
    {
        int port = FreePort();
        using var stop = new CancellationTokenSource();
        Task<(int Exit, string Out, string Err, string Console)> serving = CliRunner.RunAsync(stop.Token,
            "serve", "iris", "rest:", "rest:", "--urls", $"http://127.0.0.1:{port}", "-u", "fastscore:fastscore");
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("fastscore:fastscore")));
        await WaitRunningAsync(client, serving);
        string single = File.ReadAllText(Path.Combine(CliRunner.RepoRoot, "samples", "FastScore.Samples.Iris", "data", "xgboost_iris_single.json"));
        using HttpResponseMessage response = await client.PostAsync("/api/1/service/engine-1/2/active/model/roundtrip/0/1", new StringContent(single, Encoding.UTF8, "application/json"));
        string body = await response.Content.ReadAsStringAsync();
        await stop.CancelAsync();
        var (exit, _, err, _) = await serving.WaitAsync(TimeSpan.FromSeconds(30));
        using JsonDocument scores = JsonDocument.Parse(body);
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
            Assert.That(scores.RootElement.GetProperty("C").GetDouble(), Is.GreaterThan(0.9));
            Assert.That(exit, Is.EqualTo(0), err);
            Assert.That(err, Does.Contain($"Serving iris on http://127.0.0.1:{port}/"));
            Assert.That(err, Does.Contain("engine: FINISHED"));
        });
    }

    [Test]
    public async Task Model_input_posts_each_stdin_line_and_model_output_prints_the_scores_until_the_end_of_stream()
    {
        int port = FreePort();
        string url = $"http://127.0.0.1:{port}";
        using var stop = new CancellationTokenSource();
        Task<(int Exit, string Out, string Err, string Console)> serving = CliRunner.RunAsync(stop.Token, "serve", "echo", "rest:", "rest:", "--urls", url, "-q");
        using var client = new HttpClient { BaseAddress = new Uri(url) };
        await WaitRunningAsync(client, serving);
        var stdin = new MemoryStream(Encoding.UTF8.GetBytes("{\"a\":1}\n{\"a\":2}\n\n{\"$fastscore\":\"end\"}\n"));
        var inputOut = new StringWriter();
        var inputErr = new StringWriter();
        int inputExit = await CliApp.RunAsync(["model", "input", "--url", url], new CliIo(inputOut, inputErr, stdin, Stream.Null, false), CancellationToken.None);
        var output = new StringWriter();
        var outputErr = new StringWriter();
        int outputExit = await CliApp.RunAsync(["model", "output", "1", "--url", url], new CliIo(output, outputErr, Stream.Null, Stream.Null, false), CancellationToken.None)
            .WaitAsync(TimeSpan.FromSeconds(30));
        var refused = new StringWriter();
        int refusedExit = await CliApp.RunAsync(["model", "output", "0", "--url", url], new CliIo(new StringWriter(), refused, Stream.Null, Stream.Null, false), CancellationToken.None);
        await stop.CancelAsync();
        var (exit, _, err, _) = await serving.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Multiple(() =>
        {
            Assert.That(inputExit, Is.EqualTo(0), inputErr.ToString());
            Assert.That(outputExit, Is.EqualTo(0), outputErr.ToString());
            Assert.That(output.ToString(), Is.EqualTo("{\"a\":1}\n{\"a\":2}\n"));
            Assert.That(refusedExit, Is.EqualTo(2));
            Assert.That(refused.ToString(), Does.Contain("input slot"));
            Assert.That(exit, Is.EqualTo(0), err);
        });
    }

    [Test]
    public async Task Model_output_returns_once_caught_up_nowait_returns_when_nothing_is_queued_and_c_follows()
    {
        int port = FreePort();
        string url = $"http://127.0.0.1:{port}";
        using var stop = new CancellationTokenSource();
        Task<(int Exit, string Out, string Err, string Console)> serving = CliRunner.RunAsync(stop.Token, "serve", "echo", "rest:", "rest:", "--urls", url, "-q");
        using var client = new HttpClient { BaseAddress = new Uri(url) };
        await WaitRunningAsync(client, serving);

        // Nothing sent yet: the command says what it waits for, and gives up after --timeout.
        var (emptyExit, _, emptyErr) = await ClientAsync("", "model", "output", "--url", url, "--timeout", "1");
        // Sent without an end-of-stream record: output prints them and returns (the guide's sequence).
        var (inputExit, _, inputErr) = await ClientAsync("{\"a\":1}\n{\"a\":2}\n{\"a\":3}\n", "model", "input", "--url", url);
        var (caughtUpExit, caughtUp, caughtUpErr) = await ClientAsync("", "model", "output", "--url", url);
        var (noWaitExit, noWait, _) = await ClientAsync("", "model", "output", "--nowait", "--url", url);

        // -c keeps reading past a moment with nothing queued.
        var followOut = new StringWriter();
        Task<int> following = CliApp.RunAsync(["model", "output", "-c", "-n", "2", "--url", url], new CliIo(followOut, new StringWriter(), Stream.Null, Stream.Null, false), CancellationToken.None);
        await ClientAsync("{\"b\":1}\n", "model", "input", "--url", url);
        await Task.Delay(1500); // longer than one long poll: the follower sees "nothing queued" at least once
        await ClientAsync("{\"b\":2}\n", "model", "input", "--url", url);
        int followExit = await following.WaitAsync(TimeSpan.FromSeconds(30));

        await stop.CancelAsync();
        var (exit, _, err, _) = await serving.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Multiple(() =>
        {
            Assert.That(emptyExit, Is.EqualTo(3));
            Assert.That(emptyErr, Does.Contain($"waiting for records on output slot 1 of {url}/").And.Contain("no record arrived on slot 1"));
            Assert.That(inputExit, Is.EqualTo(0), inputErr);
            Assert.That(caughtUpExit, Is.EqualTo(0), caughtUpErr);
            Assert.That(caughtUp, Is.EqualTo("{\"a\":1}\n{\"a\":2}\n{\"a\":3}\n"));
            Assert.That(noWaitExit, Is.EqualTo(0));
            Assert.That(noWait, Is.Empty);
            Assert.That(followExit, Is.EqualTo(0));
            Assert.That(followOut.ToString(), Is.EqualTo("{\"b\":1}\n{\"b\":2}\n"));
            Assert.That(exit, Is.EqualTo(0), err);
        });
    }

    [Test]
    public async Task Model_input_reports_the_records_the_engine_rejected_with_their_reason_and_exit_code_4()
    {
        int port = FreePort();
        string url = $"http://127.0.0.1:{port}";
        using var stop = new CancellationTokenSource();
        Task<(int Exit, string Out, string Err, string Console)> serving = CliRunner.RunAsync(stop.Token, "serve", "iris", "rest:", "rest:", "--urls", url, "-q");
        using var client = new HttpClient { BaseAddress = new Uri(url) };
        await WaitRunningAsync(client, serving);
        string good = File.ReadAllText(Path.Combine(CliRunner.RepoRoot, "samples", "FastScore.Samples.Iris", "data", "xgboost_iris_single.json")).Trim();

        var (exit, _, err) = await ClientAsync(good + "\n{\"sepal_length\": \"long\"}\nnot json\n", "model", "input", "--url", url);
        var (allGood, _, allGoodErr) = await ClientAsync(good + "\n", "model", "input", "--url", url);

        await stop.CancelAsync();
        await serving.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.EqualTo(4), err);
            Assert.That(err, Does.Contain("the engine rejected 2 of the 3 records sent to slot 0:"));
            Assert.That(err, Does.Contain("slot 0 record 2").And.Contain("rejected by schema"));
            Assert.That(err, Does.Contain("slot 0 record 3").And.Contain("rejected by encoding"));
            Assert.That(allGood, Is.EqualTo(0), allGoodErr);
            Assert.That(allGoodErr, Is.Empty);
        });
    }

    private static async Task<(int Exit, string Out, string Err)> ClientAsync(string stdin, params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int exit = await CliApp.RunAsync(args, new CliIo(stdout, stderr, new MemoryStream(Encoding.UTF8.GetBytes(stdin)), Stream.Null, false), CancellationToken.None)
            .WaitAsync(TimeSpan.FromSeconds(60));
        return (exit, stdout.ToString(), stderr.ToString());
    }

    [Test]
    public async Task Run_iris_rest_rest_serves_the_rest_endpoints_in_process_says_where_and_answers_the_guides_round_trip()
    {
        int port = FreePort();
        string url = $"http://127.0.0.1:{port}";
        var err = new StringWriter();
        using var stop = new CancellationTokenSource();
        var io = new CliIo(new StringWriter(), TextWriter.Synchronized(err), Stream.Null, Stream.Null, false, name => name == "FASTSCORE_URLS" ? url : null);
        Task<int> running = CliApp.RunAsync(["run", "iris", "rest:", "rest:"], io, stop.Token);
        using var client = new HttpClient { BaseAddress = new Uri(url) };
        await WaitRunningAsync(client, running);
        string single = File.ReadAllText(Path.Combine(CliRunner.RepoRoot, "samples", "FastScore.Samples.Iris", "data", "xgboost_iris_single.json"));
        using HttpResponseMessage response = await client.PostAsync("/2/active/model/roundtrip/0/1", new StringContent(single, Encoding.UTF8, "application/json"));
        string body = await response.Content.ReadAsStringAsync();
        await stop.CancelAsync();
        int exit = await running.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
            Assert.That(body, Does.Contain("\"C\""));
            Assert.That(exit, Is.EqualTo(0), err.ToString());
            Assert.That(err.ToString(), Does.Contain("rest: streams are read and written through the engine's REST API").And.Contain($"Serving iris on {url}/"));
            Assert.That(err.ToString(), Does.Not.Contain("no registered transport"));
        });
    }

    [Test]
    public async Task Engine_pause_unpause_reset_and_stream_attach_detach_inspect_control_a_serving_engine()
    {
        int port = FreePort();
        string url = $"http://127.0.0.1:{port}";
        using var stop = new CancellationTokenSource();
        Task<(int Exit, string Out, string Err, string Console)> serving = CliRunner.RunAsync(stop.Token, "serve", "echo", "rest:", "rest:", "--urls", url, "-q");
        using var client = new HttpClient { BaseAddress = new Uri(url) };
        await WaitRunningAsync(client, serving);

        var (inspectExit, inspected, inspectErr) = await ClientAsync("", "stream", "inspect", "--url", url);
        var (pauseExit, paused, _) = await ClientAsync("", "engine", "pause", "--url", url);
        string pausedState = await client.GetStringAsync("/2/engine/state");
        var (unpauseExit, _, _) = await ClientAsync("", "engine", "unpause", "--url", url);
        string unpausedState = await client.GetStringAsync("/2/engine/state");
        var (attachExit, attached, attachErr) = await ClientAsync("", "stream", "attach", "discard:", "1", "--url", url); // replaces slot 1's stream
        var (resetExit, reset, resetErr) = await ClientAsync("", "engine", "reset", "--url", url);
        var (emptyExit, empty, _) = await ClientAsync("", "stream", "inspect", "--url", url);
        var (goneExit, _, goneErr) = await ClientAsync("", "stream", "detach", "1", "--url", url);
        var (againExit, _, againErr) = await ClientAsync("", "stream", "attach", "rest:", "0", "--url", url);
        var (oneExit, one, _) = await ClientAsync("", "stream", "inspect", "0", "--url", url);
        var (detachExit, detached, detachErr) = await ClientAsync("", "stream", "detach", "0", "--url", url);

        await stop.CancelAsync();
        await serving.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Multiple(() =>
        {
            Assert.That(inspectExit, Is.EqualTo(0), inspectErr);
            Assert.That(inspected, Does.Match(@"^Slot\s+Name\s+Transport\s+EOF\n0\s+rest:\s+rest \(simple\)\s+no\n1\s+rest:\s+rest \(simple\)\s+no\n$"));
            Assert.That(pauseExit, Is.EqualTo(0));
            Assert.That(paused, Is.EqualTo("engine: paused\n"));
            Assert.That(pausedState, Does.Contain("paused"));
            Assert.That(unpauseExit, Is.EqualTo(0));
            Assert.That(unpausedState, Does.Contain("running"));
            Assert.That(attachExit, Is.EqualTo(0), attachErr);
            Assert.That(attached, Is.EqualTo("slot 1: attached\n"));
            Assert.That(oneExit, Is.EqualTo(0));
            Assert.That(one, Does.Match(@"^Slot\s+Name\s+Transport\s+EOF\n0\s+\S+\s+rest\s+no\n$"));
            Assert.That(resetExit, Is.EqualTo(0), resetErr);
            Assert.That(reset, Is.EqualTo("engine: reset\n"));
            Assert.That(emptyExit, Is.EqualTo(0));
            Assert.That(empty, Does.Match(@"^Slot\s+Name\s+Transport\s+EOF\n$"), "reset detached every stream");
            Assert.That(goneExit, Is.EqualTo(1));
            Assert.That(goneErr, Does.Contain("404").And.Contain("No stream is attached to slot 1."));
            Assert.That(againExit, Is.EqualTo(0), againErr);
            Assert.That(detachExit, Is.EqualTo(0), detachErr);
            Assert.That(detached, Is.EqualTo("slot 0: detached\n"));
        });
    }

    [Test]
    public async Task Use_remembers_the_engine_in_FASTSCORE_HOME_and_the_engine_verbs_talk_to_it_without_url()
    {
        int port = FreePort();
        string url = $"http://127.0.0.1:{port}";
        string home = Directory.CreateTempSubdirectory("fastscore-home-").FullName;
        using var stop = new CancellationTokenSource();
        Task<(int Exit, string Out, string Err, string Console)> serving = CliRunner.RunAsync(stop.Token, "serve", "echo", "rest:", "rest:", "--urls", url, "-q");
        using var client = new HttpClient { BaseAddress = new Uri(url) };
        await WaitRunningAsync(client, serving);
        Func<string, string?> env = name => name == "FASTSCORE_HOME" ? home : null;

        var (useExit, used, _) = await WithEnvAsync(env, "use", url);
        var (showExit, shown, _) = await WithEnvAsync(env, "use");
        var (inspectExit, inspected, inspectErr) = await WithEnvAsync(env, "engine", "inspect");
        var (secretExit, _, secretErr) = await WithEnvAsync(env, "use", $"http://me:pa55@127.0.0.1:{port}");

        await stop.CancelAsync();
        await serving.WaitAsync(TimeSpan.FromSeconds(30));
        string saved = File.ReadAllText(Path.Combine(home, "engine"));
        Directory.Delete(home, recursive: true);
        Assert.Multiple(() =>
        {
            Assert.That(useExit, Is.EqualTo(0));
            Assert.That(used, Does.StartWith($"using the engine at {url} (saved in "));
            Assert.That(saved.Trim(), Is.EqualTo(url));
            Assert.That(showExit, Is.EqualTo(0));
            Assert.That(shown, Does.StartWith(url + " (from "));
            Assert.That(inspectExit, Is.EqualTo(0), inspectErr);
            Assert.That(inspected, Does.StartWith("engine: RUNNING   model: echo"));
            Assert.That(secretExit, Is.EqualTo(2));
            Assert.That(secretErr, Does.Contain("The URL holds credentials").And.Not.Contain("pa55"));
        });
    }

    private static async Task<(int Exit, string Out, string Err)> WithEnvAsync(Func<string, string?> env, params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int exit = await CliApp.RunAsync(args, new CliIo(stdout, stderr, Stream.Null, Stream.Null, false, env), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(60));
        return (exit, stdout.ToString(), stderr.ToString());
    }

    [Test]
    public async Task Serve_reports_an_invalid_stream_and_exits()
    {
        var (exit, _, err, _) = await CliRunner.RunAsync("serve", "iris", "rest:", "nonsense", "--urls", "http://127.0.0.1:0");
        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.EqualTo(1));
            Assert.That(err, Does.Contain("nonsense"));
        });
    }

    [Test]
    public async Task Engine_inspect_prints_a_serving_engines_summary_with_counters_and_rejections()
    {
        int port = FreePort();
        string url = $"http://127.0.0.1:{port}";
        using var stop = new CancellationTokenSource();
        Task<(int Exit, string Out, string Err, string Console)> serving = CliRunner.RunAsync(stop.Token, "serve", "iris", "rest:", "rest:", "--urls", url, "-q");
        using var client = new HttpClient { BaseAddress = new Uri(url) };
        await WaitRunningAsync(client, serving);
        string single = File.ReadAllText(Path.Combine(CliRunner.RepoRoot, "samples", "FastScore.Samples.Iris", "data", "xgboost_iris_single.json"));
        using (HttpResponseMessage ok = await client.PostAsync("/2/active/model/roundtrip/0/1", new StringContent(single, Encoding.UTF8, "application/json")))
        using (HttpResponseMessage bad = await client.PostAsync("/2/active/model/roundtrip/0/1", new StringContent("{\"sepal_length\": \"x\"}", Encoding.UTF8, "application/json")))
        {
            Assert.That(ok.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(bad.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        }

        var (exit, stdout, err, _) = await CliRunner.RunAsync("engine", "inspect", "--url", url);
        var (unreachableExit, _, unreachable, _) = await CliRunner.RunAsync("engine", "inspect", "--url", $"http://127.0.0.1:{FreePort()}");
        await stop.CancelAsync();
        await serving.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.EqualTo(0), err);
            Assert.That(stdout, Does.StartWith("engine: RUNNING   model: iris"));
            Assert.That(stdout, Does.Match(@"0\s+in\s+rest \(simple\)\s+no\s+1\s+\d+\s+0\s+1\s"), "slot 0: one record scored, one rejected by schema");
            Assert.That(stdout, Does.Match(@"1\s+out\s+rest \(simple\)\s+no\s+1\s"), "slot 1: one output");
            Assert.That(stdout, Does.Contain("rejected by schema"));
            Assert.That(unreachableExit, Is.EqualTo(1));
            Assert.That(unreachable, Does.Contain("Cannot reach the engine"));
        });
    }
}
