using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using FastScore.Streams.Diagnostics;

namespace FastScore.Cli.Commands;

/// <summary>
/// <c>fastscore stats [--interval S] [--count N]</c>: per-slot rates of a running engine (fastscore serve), redrawn every
/// interval from <c>/1/job/status</c> (FastScore's <c>stats streams</c>).
/// </summary>
internal static class StatsCommand
{
    public static Command Create(CliIo io)
    {
        var connection = new ModelDataCommands.ConnectionOptions();
        var interval = new Option<double>("--interval") { Description = "Seconds between two samples.", DefaultValueFactory = _ => 1.0 };
        var count = new Option<int?>("--count", "-n") { Description = "Print this many samples, then exit (default: until Ctrl-C)." };
        var stats = new Command("stats", "Print the per-slot rates of a running engine live (records/s, bytes/s, rejected/s per slot): FastScore's 'stats streams'.")
        {
            interval, count,
        };
        connection.AddTo(stats);
        stats.SetAction((parse, ct) => connection.Connect(parse, io) is { } client
            ? StatsAsync(io, client, parse.GetValue(interval), parse.GetValue(count), ct)
            : Task.FromResult(2));
        return stats;
    }

    private static async Task<int> StatsAsync(CliIo io, HttpClient client, double interval, int? count, CancellationToken cancellationToken)
    {
        if (!(interval > 0) || interval > 3600)
        {
            io.Error.WriteLine("--interval must be a number of seconds above 0 (at most 3600).");
            return 2;
        }

        using (client)
        {
            Dictionary<int, Sample>? previous = null;
            long previousAt = 0;
            int printed = 0;
            try
            {
                while (count is null || printed < count)
                {
                    JsonNode? status;
                    try
                    {
                        status = await client.GetFromJsonAsync<JsonNode>("1/job/status", cancellationToken);
                    }
                    catch (HttpRequestException ex)
                    {
                        io.Error.WriteLine($"Cannot reach the engine at {client.BaseAddress}: {ex.Message} (start one with: fastscore serve <model> <stream0> <stream1>).");
                        return 1;
                    }

                    long now = Stopwatch.GetTimestamp();
                    Dictionary<int, Sample> current = Read(status);
                    if (previous is not null)
                    {
                        io.Out.Write(Format(status, current, previous, Stopwatch.GetElapsedTime(previousAt, now).TotalSeconds));
                        printed++;
                    }

                    previous = current;
                    previousAt = now;
                    if (count is null || printed < count)
                    {
                        await Task.Delay(TimeSpan.FromSeconds(interval), cancellationToken);
                    }
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Ctrl-C
            }

            return 0;
        }
    }

    internal sealed record Sample(string Name, bool IsInput, long Records, long Bytes, long Rejected);

    internal static Dictionary<int, Sample> Read(JsonNode? status)
    {
        var samples = new Dictionary<int, Sample>();
        foreach (JsonNode? slot in status?["slots"]?.AsArray() ?? [])
        {
            if (slot?["stream"] is not JsonObject stream || slot["slot"] is not { } number)
            {
                continue;
            }

            int n = number.GetValue<int>();
            samples[n] = new Sample(
                SafeText.EscapeControlCharacters(stream["name"]?.GetValue<string>() ?? stream["transport"]?.GetValue<string>() ?? "?"),
                n % 2 == 0,
                Long(stream, "records"),
                Long(stream, "bytes"),
                Long(stream, "rejected_by_encoding") + Long(stream, "rejected_by_schema"));
        }

        return samples;
    }

    /// <summary>One sample: a line per slot with its rates since the previous sample and its totals.</summary>
    internal static string Format(JsonNode? status, Dictionary<int, Sample> current, Dictionary<int, Sample> previous, double seconds)
    {
        var text = new StringBuilder();
        string state = (status?["state"]?.GetValue<string>() ?? "unknown").ToUpperInvariant();
        text.Append(CultureInfo.InvariantCulture, $"{DateTime.UtcNow:HH:mm:ss}  engine {SafeText.EscapeControlCharacters(state)}\n");
        text.Append(CultureInfo.InvariantCulture, $"  {"slot",4}  {"stream",-32} {"records/s",12} {"bytes/s",12} {"rejected/s",10} {"records",14}\n");
        foreach ((int slot, Sample now) in current.OrderBy(s => s.Key))
        {
            Sample before = previous.TryGetValue(slot, out Sample? b) && b.Name == now.Name ? b : now with { Records = 0, Bytes = 0, Rejected = 0 };
            double Rate(long a, long z) => seconds > 0 ? Math.Max(0, z - a) / seconds : 0;
            string name = now.Name.Length > 32 ? now.Name[..31] + "…" : now.Name;
            text.Append(CultureInfo.InvariantCulture,
                $"  {slot,4}  {name,-32} {Rate(before.Records, now.Records),12:N1} {Rate(before.Bytes, now.Bytes),12:N0} {Rate(before.Rejected, now.Rejected),10:N1} {now.Records,14:N0}\n");
        }

        return text.ToString();
    }

    private static long Long(JsonObject node, string name) => node[name] is { } value ? value.GetValue<long>() : 0;
}
