using System.CommandLine;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace FastScore.Cli.Commands;

/// <summary>
/// Setting up a job on a running engine, as FastScore's guide does: <c>engine put SRC DST</c> (a file into the engine's
/// data root, <c>PUT /2/engine/file</c>), <c>model load MODEL</c> (<c>PUT /2/active/model</c>), and <c>run MODEL STREAM
/// STREAM</c> against the selected engine (load the model, attach the streams).
/// </summary>
internal static class EngineJobCommands
{
    /// <summary>Adds <c>put</c> to the <c>engine</c> command.</summary>
    public static void AddEnginePut(Command engine, CliIo io)
    {
        var source = new Argument<string>("src") { Description = "The local file to copy." };
        var destination = new Argument<string>("dst") { Description = "Where in the engine's data root: a path relative to it, or an absolute path under it." };
        var force = new Option<bool>("--force") { Description = "Replace a file that exists there." };
        var connection = new ModelDataCommands.ConnectionOptions();
        var put = new Command("put", "Copy a file into the running engine's data root (PUT /2/engine/file), e.g. the input of a file stream.") { source, destination, force };
        connection.AddTo(put);
        put.SetAction((parse, ct) => connection.Connect(parse, io) is { } client
            ? PutAsync(io, client, parse.GetValue(source)!, parse.GetValue(destination)!, parse.GetValue(force), ct)
            : Task.FromResult(2));
        engine.Subcommands.Add(put);
    }

    /// <summary>Adds <c>load</c> to the <c>model</c> command.</summary>
    public static void AddModelLoad(Command model, CliIo io)
    {
        var name = new Argument<string>("model") { Description = "A model the engine knows by name: a built-in (iris, echo) or one of the engine's library (fastscore model add)." };
        var connection = new ModelDataCommands.ConnectionOptions();
        var load = new Command("load", "Load a model into the running engine (PUT /2/active/model); it starts once every slot has a stream.") { name };
        connection.AddTo(load);
        load.SetAction(async (parse, ct) =>
        {
            if (connection.Connect(parse, io) is not { } client)
            {
                return 2;
            }

            using (client)
            {
                return await LoadAsync(io, client, parse.GetValue(name)!, ct).ConfigureAwait(false) ? 0 : 1;
            }
        });
        model.Subcommands.Add(load);
    }

    /// <summary>
    /// <c>run</c> against an engine: loads the model, attaches each slot's stream, and (with <c>--wait</c>) waits until
    /// the engine finishes. Exit codes: 0 loaded and attached (or finished); 1 the engine refused or failed; 3 stopped
    /// waiting by Ctrl-C.
    /// </summary>
    public static async Task<int> RunOnEngineAsync(CliIo io, HttpClient client, string model, SlotMap<string> slots, bool wait, bool quiet, CancellationToken cancellationToken)
    {
        using (client)
        {
            try
            {
                if (!await LoadAsync(io, client, model, cancellationToken).ConfigureAwait(false))
                {
                    return 1;
                }

                foreach ((int slot, string text) in slots)
                {
                    string? json = EngineControlCommands.DescriptorJson(io, text);
                    if (json is null)
                    {
                        return 1;
                    }

                    using var request = new HttpRequestMessage(HttpMethod.Put, $"2/active/stream/{slot}") { Content = new StringContent(json, Encoding.UTF8, "application/json") };
                    request.Content.Headers.ContentDisposition = new ContentDispositionHeaderValue("x-stream") { Name = Quote(Streams.Diagnostics.SafeText.MaskSecrets(text)) };
                    using HttpResponseMessage response = await client.SendAsync(request, cancellationToken).ConfigureAwait(false);
                    if (!response.IsSuccessStatusCode)
                    {
                        io.Error.WriteLine($"slot {slot} ({text}): {await EngineAnswers.DescribeAsync(response, cancellationToken).ConfigureAwait(false)}");
                        return 1;
                    }

                    io.Out.WriteLine($"slot {slot}: {text} attached");
                }

                // the engine starts by itself once the model and every slot's stream are there, a moment after the last attach
                string state = await StateAsync(client, cancellationToken).ConfigureAwait(false);
                for (int i = 0; i < 50 && state == "init"; i++)
                {
                    await Task.Delay(100, cancellationToken).ConfigureAwait(false);
                    state = await StateAsync(client, cancellationToken).ConfigureAwait(false);
                }

                if (!wait)
                {
                    io.Out.WriteLine($"engine at {client.BaseAddress}: {state}");
                    return 0;
                }

                while (state is "init" or "running" or "paused" or "finishing" or "pigging")
                {
                    try
                    {
                        await Task.Delay(200, cancellationToken).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        io.Error.WriteLine($"stopped waiting; the engine at {client.BaseAddress} goes on ({state}).");
                        return RunCommand.Stopped;
                    }

                    state = await StateAsync(client, CancellationToken.None).ConfigureAwait(false);
                }

                if (!quiet || state != "finished")
                {
                    io.Error.WriteLine($"engine at {client.BaseAddress}: {state} (fastscore engine inspect shows the counters)");
                }

                return state == "finished" ? RunCommand.Finished : RunCommand.Failed;
            }
            catch (HttpRequestException ex)
            {
                io.Error.WriteLine($"Cannot reach the engine at {client.BaseAddress}: {ex.Message} (start one with: fastscore serve; or run in this process with --local).");
                return 1;
            }
        }
    }

    private static async Task<string> StateAsync(HttpClient client, CancellationToken cancellationToken)
    {
        using HttpResponseMessage response = await client.GetAsync("2/engine/state", cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            return "unknown";
        }

        try
        {
            JsonNode? answer = await response.Content.ReadFromJsonAsync<JsonNode>(cancellationToken).ConfigureAwait(false);
            return answer?["state"]?.GetValue<string>().ToLowerInvariant() ?? "unknown";
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or InvalidOperationException or FormatException)
        {
            return "unknown";
        }
    }

    private static async Task<bool> LoadAsync(CliIo io, HttpClient client, string model, CancellationToken cancellationToken)
    {
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Put, "2/active/model") { Content = new StringContent(model, Encoding.UTF8, "text/plain") };
            request.Content.Headers.ContentDisposition = new ContentDispositionHeaderValue("x-model") { Name = Quote(model) };
            using HttpResponseMessage response = await client.SendAsync(request, cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                io.Error.WriteLine($"model {model}: {await EngineAnswers.DescribeAsync(response, cancellationToken).ConfigureAwait(false)}");
                return false;
            }
        }
        catch (HttpRequestException ex)
        {
            io.Error.WriteLine($"Cannot reach the engine at {client.BaseAddress}: {ex.Message} (start one with: fastscore serve).");
            return false;
        }

        io.Out.WriteLine($"model {model} loaded");
        return true;
    }

    private static async Task<int> PutAsync(CliIo io, HttpClient client, string source, string destination, bool force, CancellationToken cancellationToken)
    {
        using (client)
        {
            byte[] data;
            try
            {
                data = await File.ReadAllBytesAsync(source, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                io.Error.WriteLine($"{source}: {ex.Message}");
                return 1;
            }

            try
            {
                string query = $"2/engine/file?path={Uri.EscapeDataString(destination)}{(force ? "&force=true" : "")}";
                using HttpResponseMessage response = await client.PutAsync(query, new ByteArrayContent(data), cancellationToken).ConfigureAwait(false);
                if (!response.IsSuccessStatusCode)
                {
                    io.Error.WriteLine(await EngineAnswers.DescribeAsync(response, cancellationToken).ConfigureAwait(false));
                    return 1;
                }

                JsonNode? answer = await response.Content.ReadFromJsonAsync<JsonNode>(cancellationToken).ConfigureAwait(false);
                io.Out.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{source} -> {answer?["path"]} ({data.Length:N0} bytes)"));
                return 0;
            }
            catch (HttpRequestException ex)
            {
                io.Error.WriteLine($"Cannot reach the engine at {client.BaseAddress}: {ex.Message} (start one with: fastscore serve).");
                return 1;
            }
        }
    }

    private static string Quote(string value) => "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
