using System.CommandLine;
using System.Net;
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
        var command = new Command("input", "Send stdin to an input slot, one record per line (one POST /1/job/input/{slot} each).") { slot };
        connection.AddTo(command);
        command.SetAction((parse, ct) => connection.Connect(parse, io) is { } client ? InputAsync(io, parse.GetValue(slot), client, ct) : Task.FromResult(2));
        return command;
    }

    private static Command CreateOutput(CliIo io)
    {
        var slot = new Argument<int>("slot") { Description = "An odd output slot with a REST stream.", DefaultValueFactory = _ => 1 };
        var connection = new ConnectionOptions();
        var noWait = new Option<bool>("--nowait") { Description = "Stop when no record arrives within 0.5 s instead of waiting for the end of the stream." };
        var count = new Option<int?>("--count", "-n") { Description = "Stop after this many records." };
        var command = new Command("output", "Print what an output slot produces, one record per line, until the end of the stream (GET /1/job/output/{slot} in a loop).")
        {
            slot, noWait, count,
        };
        connection.AddTo(command);
        command.SetAction((parse, ct) => connection.Connect(parse, io) is { } client
            ? OutputAsync(io, parse.GetValue(slot), client, parse.GetValue(noWait), parse.GetValue(count), ct)
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
                while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
                {
                    if (line.Length == 0)
                    {
                        continue;
                    }

                    using HttpResponseMessage response = await PostAsync(client, $"1/job/input/{slot}", Encoding.UTF8.GetBytes(line), cancellationToken).ConfigureAwait(false);
                    if (response.StatusCode != HttpStatusCode.NoContent)
                    {
                        io.Error.WriteLine($"record {sent + 1}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false)}");
                        return 1;
                    }

                    sent++;
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

    private static async Task<int> OutputAsync(CliIo io, int slot, HttpClient client, bool noWait, int? count, CancellationToken cancellationToken)
    {
        using (client)
        {
            if (slot % 2 != 1)
            {
                io.Error.WriteLine($"Slot {slot} is an input slot; model output takes an odd (output) slot.");
                return 2;
            }

            int received = 0;
            string wait = noWait ? "500" : "1000";
            try
            {
                while (count is null || received < count)
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
                        case HttpStatusCode.Accepted when noWait:
                            return 0;
                        case HttpStatusCode.Accepted:
                            break;
                        case HttpStatusCode.NoContent:
                            return 0; // end of stream
                        default:
                            io.Error.WriteLine($"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false)}");
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

    /// <summary>
    /// <c>--url</c> and the credentials of a command that talks to a running engine: <c>-u user:password</c> or
    /// <c>--user-file</c> (else <c>FASTSCORE_USER</c> / <c>FASTSCORE_USER_FILE</c>), <c>--api-key</c> or <c>--api-key-file</c>
    /// (else <c>FASTSCORE_API_KEY</c> / <c>FASTSCORE_API_KEY_FILE</c>); see <see cref="CliCredentials"/>.
    /// </summary>
    internal sealed class ConnectionOptions
    {
        private readonly Option<string> _url = new("--url") { Description = $"The engine's base URL (default {ServeCommand.DefaultUrl}).", DefaultValueFactory = _ => ServeCommand.DefaultUrl };
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

        /// <summary>The client, or null after printing why the credentials could not be read.</summary>
        public HttpClient? Connect(ParseResult parse, CliIo io)
        {
            if (!CliCredentials.TryResolve("--user", parse.GetValue(_user), parse.GetValue(_userFile), CliCredentials.UserVariable, io.GetVariable, out string? user, out string? error)
                || !CliCredentials.TryResolve("--api-key", parse.GetValue(_apiKey), parse.GetValue(_apiKeyFile), CliCredentials.ApiKeyVariable, io.GetVariable, out string? apiKey, out error))
            {
                io.Error.WriteLine(error);
                return null;
            }

            return ModelDataCommands.Connect(parse.GetValue(_url)!, user, apiKey);
        }
    }
}
