using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Net.Http.Headers;
using System.Text;

namespace FastScore.Cli.Commands;

/// <summary>
/// <c>fastscore model input [slot]</c> (one <c>POST /1/job/input/{slot}</c> per stdin line) and
/// <c>fastscore model output [slot]</c> (a <c>GET /1/job/output/{slot}</c> loop printing each record) against a running
/// engine (<c>fastscore serve</c>, or FastScore through its proxy: <c>--url https://host:8000/api/1/service/engine-1</c>).
/// </summary>
internal static class ModelDataCommands
{
    /// <summary>The exit code of <c>model input</c> when the engine rejected some of the records sent.</summary>
    public const int RecordsRejected = 4;

    private static readonly TimeSpan s_settleLimit = TimeSpan.FromSeconds(10);

    public static Command Create(CliIo io)
    {
        var model = new Command("model", "Talk to a running engine's REST streams.");
        model.Subcommands.Add(CreateInput(io));
        model.Subcommands.Add(CreateOutput(io));
        return model;
    }

    private static Command CreateInput(CliIo io)
    {
        var slot = new Argument<int>("slot") { Description = "An even input slot with a REST stream.", DefaultValueFactory = _ => 0 };
        var connection = new ConnectionOptions();
        var command = new Command("input",
            "Send stdin to an input slot, one record per line (one POST /1/job/input/{slot} each), then report the records the engine rejected. " +
            "Exit codes: 0 every record accepted; 1 a request failed; 2 usage error; 4 the engine rejected records (each is printed).") { slot };
        connection.AddTo(command);
        command.SetAction((parse, ct) => connection.Connect(parse, io) is { } client ? InputAsync(io, parse.GetValue(slot), client, ct) : Task.FromResult(2));
        return command;
    }

    private static Command CreateOutput(CliIo io)
    {
        var slot = new Argument<int>("slot") { Description = "An odd output slot with a REST stream.", DefaultValueFactory = _ => 1 };
        var connection = new ConnectionOptions();
        var noWait = new Option<bool>("--nowait", "-nowait") { Description = "Return at once when nothing is queued (after waiting at most 0.5 s)." };
        var follow = new Option<bool>("--follow", "-c") { Description = "Keep reading: print records as they come until the end of the stream or Ctrl-C." };
        var count = new Option<int?>("--count", "-n") { Description = "Stop after this many records." };
        var timeout = new Option<double>("--timeout")
        {
            Description = "Seconds to wait for the first record before giving up (exit code 3). 0: wait for ever.",
            DefaultValueFactory = _ => 10,
        };
        var command = new Command("output",
            "Print what an output slot produces, one record per line (GET /1/job/output/{slot} in a loop). Returns at the end of the stream, " +
            "or once the slot has caught up: nothing more arrives within 1 s of the last record. --nowait returns when nothing is queued; " +
            "-c follows the stream. Exit codes: 0 records printed or the stream ended; 1 a request failed; 2 usage error; 3 no record within --timeout.")
        {
            slot, noWait, follow, count, timeout,
        };
        connection.AddTo(command);
        command.SetAction((parse, ct) => connection.Connect(parse, io) is { } client
            ? OutputAsync(io, parse.GetValue(slot), client, new OutputSettings(parse.GetValue(noWait), parse.GetValue(follow), parse.GetValue(count), parse.GetValue(timeout)), ct)
            : Task.FromResult(2));
        return command;
    }

    internal static HttpClient Connect(string url, string? user, string? apiKey)
    {
        var client = new HttpClient { BaseAddress = new Uri(url.EndsWith('/') ? url : url + "/"), Timeout = TimeSpan.FromSeconds(100) };
        if (user is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(user)));
        }

        if (apiKey is not null)
        {
            client.DefaultRequestHeaders.Add("X-API-Key", apiKey);
        }

        return client;
    }

    private static async Task<int> InputAsync(CliIo io, int slot, HttpClient client, CancellationToken cancellationToken)
    {
        using (client)
        {
            if (slot % 2 != 0)
            {
                io.Error.WriteLine($"Slot {slot} is an output slot; model input takes an even (input) slot.");
                return 2;
            }

            using var reader = new StreamReader(io.StandardInput, Encoding.UTF8, leaveOpen: true);
            int sent = 0;
            try
            {
                SlotCounters? before = await SlotCountersAsync(client, slot, cancellationToken).ConfigureAwait(false);
                while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
                {
                    if (line.Length == 0)
                    {
                        continue;
                    }

                    using HttpResponseMessage response = await PostAsync(client, $"1/job/input/{slot}", Encoding.UTF8.GetBytes(line), cancellationToken).ConfigureAwait(false);
                    if (response.StatusCode != HttpStatusCode.NoContent)
                    {
                        io.Error.WriteLine($"record {sent + 1}: {await EngineAnswers.DescribeAsync(response, cancellationToken).ConfigureAwait(false)}");
                        return 1;
                    }

                    sent++;
                }

                if (before is not null && sent > 0)
                {
                    return await ReportRejectionsAsync(io, client, slot, before.Value, sent, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (HttpRequestException ex)
            {
                io.Error.WriteLine($"Cannot reach {client.BaseAddress}: {ex.Message}");
                return 1;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Ctrl-C: stop sending
            }

            return 0;
        }
    }

    /// <summary>Posts one record; while the engine's queue is full (429) waits as <c>Retry-After</c> says and tries again, for at most the client's timeout.</summary>
    private static async Task<HttpResponseMessage> PostAsync(HttpClient client, string path, byte[] record, CancellationToken cancellationToken)
    {
        long started = System.Diagnostics.Stopwatch.GetTimestamp();
        while (true)
        {
            using var content = new ByteArrayContent(record);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            HttpResponseMessage response = await client.PostAsync(path, content, cancellationToken).ConfigureAwait(false);
            TimeSpan delay = response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1);
            if (response.StatusCode != HttpStatusCode.TooManyRequests || System.Diagnostics.Stopwatch.GetElapsedTime(started) + delay > client.Timeout)
            {
                return response;
            }

            response.Dispose();
            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
        }
    }

    private readonly record struct OutputSettings(bool NoWait, bool Follow, int? Count, double TimeoutSeconds);

    private static async Task<int> OutputAsync(CliIo io, int slot, HttpClient client, OutputSettings settings, CancellationToken cancellationToken)
    {
        using (client)
        {
            if (slot % 2 != 1)
            {
                io.Error.WriteLine($"Slot {slot} is an input slot; model output takes an odd (output) slot.");
                return 2;
            }

            if (!(settings.TimeoutSeconds >= 0) || settings.TimeoutSeconds > TimeSpan.MaxValue.TotalSeconds / 2)
            {
                io.Error.WriteLine("--timeout must be a number of seconds, 0 (no limit) or more.");
                return 2;
            }

            int received = 0;
            string wait = settings.NoWait ? "500" : "1000";
            long started = System.Diagnostics.Stopwatch.GetTimestamp();
            bool toldWaiting = false;
            try
            {
                while (settings.Count is null || received < settings.Count)
                {
                    using HttpResponseMessage response = await client.GetAsync($"1/job/output/{slot}?timeout={wait}", cancellationToken).ConfigureAwait(false);
                    switch (response.StatusCode)
                    {
                        case HttpStatusCode.OK:
                            byte[] data = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
                            string text = Encoding.UTF8.GetString(data);
                            io.Out.Write(text.EndsWith('\n') ? text : text + "\n");
                            await io.Out.FlushAsync(cancellationToken).ConfigureAwait(false);
                            received++;
                            break;
                        case HttpStatusCode.Accepted when settings.NoWait:
                            return 0; // nothing queued
                        case HttpStatusCode.Accepted when settings.Follow:
                            break;
                        case HttpStatusCode.Accepted when received > 0:
                            return 0; // caught up: nothing more within the long poll after the last record
                        case HttpStatusCode.Accepted:
                            if (!toldWaiting)
                            {
                                toldWaiting = true;
                                string limit = settings.TimeoutSeconds > 0
                                    ? string.Create(CultureInfo.InvariantCulture, $"giving up after {settings.TimeoutSeconds:0.###} s (--timeout)")
                                    : "no time limit (Ctrl-C stops)";
                                io.Error.WriteLine($"waiting for records on output slot {slot} of {client.BaseAddress} (send some with: fastscore model input); {limit}");
                            }

                            TimeSpan waited = System.Diagnostics.Stopwatch.GetElapsedTime(started);
                            if (settings.TimeoutSeconds > 0 && waited.TotalSeconds >= settings.TimeoutSeconds)
                            {
                                io.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                                    $"no record arrived on slot {slot} of {client.BaseAddress} within {settings.TimeoutSeconds:0.###} s (--timeout); gave up."));
                                return 3;
                            }

                            break;
                        case HttpStatusCode.NoContent:
                            return 0; // end of stream
                        default:
                            io.Error.WriteLine(await EngineAnswers.DescribeAsync(response, cancellationToken).ConfigureAwait(false));
                            return 1;
                    }
                }
            }
            catch (HttpRequestException ex)
            {
                io.Error.WriteLine($"Cannot reach {client.BaseAddress}: {ex.Message}");
                return 1;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Ctrl-C
            }

            return 0;
        }
    }

    private readonly record struct SlotCounters(long Records, long Rejected);

    /// <summary>An input slot's counters from <c>GET /1/job/status</c>, or null when the engine does not answer it (nothing is then reported).</summary>
    private static async Task<SlotCounters?> SlotCountersAsync(HttpClient client, int slot, CancellationToken cancellationToken)
    {
        JsonNode? status = await StatusAsync(client, cancellationToken).ConfigureAwait(false);
        foreach (JsonNode? entry in status?["slots"]?.AsArray() ?? [])
        {
            if (entry?["slot"]?.GetValue<int>() == slot && entry["stream"] is JsonObject stream)
            {
                return new SlotCounters(Long(stream, "records"), Long(stream, "rejected_by_encoding") + Long(stream, "rejected_by_schema") + Long(stream, "oversized"));
            }
        }

        return null;

        static long Long(JsonObject node, string name) => node[name] is JsonValue value && value.TryGetValue(out long n) ? n : 0;
    }

    private static async Task<JsonNode?> StatusAsync(HttpClient client, CancellationToken cancellationToken)
    {
        try
        {
            using HttpResponseMessage response = await client.GetAsync("1/job/status", cancellationToken).ConfigureAwait(false);
            return response.IsSuccessStatusCode ? await response.Content.ReadFromJsonAsync<JsonNode>(cancellationToken).ConfigureAwait(false) : null;
        }
        catch (Exception ex) when (ex is HttpRequestException or System.Text.Json.JsonException or InvalidOperationException or NotSupportedException)
        {
            return null;
        }
    }

    /// <summary>
    /// Waits (at most 10 s) until the engine has read the records just sent, then says how many it rejected and why
    /// (its latest rejections of this slot), exit code 4; 0 when it accepted them all.
    /// </summary>
    private static async Task<int> ReportRejectionsAsync(CliIo io, HttpClient client, int slot, SlotCounters before, int sent, CancellationToken cancellationToken)
    {
        long started = System.Diagnostics.Stopwatch.GetTimestamp();
        SlotCounters now = before;
        while (System.Diagnostics.Stopwatch.GetElapsedTime(started) < s_settleLimit)
        {
            now = await SlotCountersAsync(client, slot, cancellationToken).ConfigureAwait(false) ?? now;
            if (now.Records - before.Records + (now.Rejected - before.Rejected) >= sent)
            {
                break;
            }

            await Task.Delay(50, cancellationToken).ConfigureAwait(false);
        }

        long rejected = now.Rejected - before.Rejected;
        if (rejected <= 0)
        {
            return 0;
        }

        io.Error.WriteLine($"the engine rejected {rejected} of the {sent} records sent to slot {slot}:");
        JsonNode? status = await StatusAsync(client, cancellationToken).ConfigureAwait(false);
        string prefix = $"slot {slot} ";
        List<string> reasons = (status?["rejections"]?.AsArray() ?? [])
            .Select(n => n is JsonValue v && v.TryGetValue(out string? t) ? t : null)
            .OfType<string>()
            .Where(t => t.StartsWith(prefix, StringComparison.Ordinal))
            .TakeLast((int)Math.Min(rejected, 10))
            .ToList();
        foreach (string reason in reasons)
        {
            io.Error.WriteLine("  " + string.Join(" ", reason.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)));
        }

        if (rejected > reasons.Count)
        {
            io.Error.WriteLine($"  (the engine keeps its latest rejections only; fastscore engine inspect shows them)");
        }

        return RecordsRejected;
    }

    /// <summary>
    /// <c>--url</c> and the credentials of a command that talks to a running engine: <c>-u user:password</c> or
    /// <c>--user-file</c> (else <c>FASTSCORE_USER</c> / <c>FASTSCORE_USER_FILE</c>), <c>--api-key</c> or <c>--api-key-file</c>
    /// (else <c>FASTSCORE_API_KEY</c> / <c>FASTSCORE_API_KEY_FILE</c>); see <see cref="CliCredentials"/>.
    /// </summary>
    internal sealed class ConnectionOptions
    {
        private readonly Option<string?> _url = new("--url") { Description = $"The engine's base URL (default: the one selected by fastscore use, else {ServeCommand.DefaultUrl})." };
        private readonly Option<string?> _user = new("--user", "-u") { Description = $"HTTP basic authentication: user:password (visible in the process list: prefer --user-file or {CliCredentials.UserVariable})." };
        private readonly Option<string?> _userFile = new("--user-file") { Description = "A file holding user:password for HTTP basic authentication." };
        private readonly Option<string?> _apiKey = new("--api-key") { Description = $"An API key, sent in X-API-Key (visible in the process list: prefer --api-key-file or {CliCredentials.ApiKeyVariable})." };
        private readonly Option<string?> _apiKeyFile = new("--api-key-file") { Description = "A file holding the API key." };

        public void AddTo(Command command)
        {
            foreach (Option option in (Option[])[_url, _user, _userFile, _apiKey, _apiKeyFile])
            {
                command.Options.Add(option);
            }
        }

        /// <summary>The <c>--url</c> given, or null.</summary>
        public string? GivenUrl(ParseResult parse) => parse.GetValue(_url);

        /// <summary>The client, or null after printing why the credentials could not be read.</summary>
        public HttpClient? Connect(ParseResult parse, CliIo io)
        {
            if (!CliCredentials.TryResolve("--user", parse.GetValue(_user), parse.GetValue(_userFile), CliCredentials.UserVariable, io.GetVariable, out string? user, out string? error)
                || !CliCredentials.TryResolve("--api-key", parse.GetValue(_apiKey), parse.GetValue(_apiKeyFile), CliCredentials.ApiKeyVariable, io.GetVariable, out string? apiKey, out error))
            {
                io.Error.WriteLine(error);
                return null;
            }

            return ModelDataCommands.Connect(parse.GetValue(_url) ?? UseCommand.SelectedEngine(io) ?? ServeCommand.DefaultUrl, user, apiKey);
        }
    }
}
