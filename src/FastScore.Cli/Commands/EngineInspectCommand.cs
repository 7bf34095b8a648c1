using System.CommandLine;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace FastScore.Cli.Commands;

/// <summary><c>fastscore engine inspect [--url …]</c>: prints a running engine's summary (the same table <c>fastscore run</c> prints).</summary>
internal static class EngineInspectCommand
{
    public static Command Create(CliIo io)
    {
        var connection = new ModelDataCommands.ConnectionOptions();
        var json = new Option<bool>("--json") { Description = "Print the server's /1/job/status answer as JSON." };
        var inspect = new Command("inspect", "Print a running engine's state, each slot's stream, EOF flags and counters, and recent rejected records and model errors.")
        {
            json,
        };
        connection.AddTo(inspect);
        inspect.SetAction((parse, ct) => connection.Connect(parse, io) is { } client ? InspectAsync(io, client, parse.GetValue(json), ct) : Task.FromResult(2));
        var engine = new Command("engine", "A running engine (fastscore serve, or FastScore through its proxy).") { inspect };
        return engine;
    }

    private static async Task<int> InspectAsync(CliIo io, HttpClient client, bool json, CancellationToken cancellationToken)
    {
        using (client)
        {
            HttpResponseMessage response;
            try
            {
                response = await client.GetAsync("1/job/status", cancellationToken);
            }
            catch (HttpRequestException ex)
            {
                io.Error.WriteLine($"Cannot reach the engine at {client.BaseAddress}: {ex.Message} (start one with: fastscore serve <model> <stream0> <stream1>).");
                return 1;
            }

            using (response)
            {
                if (!response.IsSuccessStatusCode)
                {
                    io.Error.WriteLine($"{client.BaseAddress}1/job/status answered {await EngineAnswers.DescribeAsync(response, cancellationToken)}");
                    return 1;
                }

                JsonNode? status = await response.Content.ReadFromJsonAsync<JsonNode>(cancellationToken);
                if (status is null)
                {
                    io.Error.WriteLine("The engine answered an empty status.");
                    return 1;
                }

                io.Out.Write(json ? Streams.Diagnostics.SafeText.MaskSecrets(status.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true })) + Environment.NewLine : InspectionFormatter.FormatStatus(status));
                return 0;
            }
        }
    }
}
