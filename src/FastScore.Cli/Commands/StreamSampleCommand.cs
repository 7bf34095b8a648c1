using System.CommandLine;
using System.Globalization;
using System.Text;
using FastScore.Streams;
using FastScore.Streams.Descriptors;
using FastScore.Streams.Kafka;
using FastScore.Streams.Encodings;
using FastScore.Streams.Schemas;

namespace FastScore.Cli.Commands;

/// <summary>
/// <c>fastscore stream sample &lt;descriptor | literal&gt; [-n N] [--timeout S]</c>: prints the first N records, numbered,
/// rejected ones with their reason. A stream that has produced nothing after a real wait (half of <c>--timeout</c>, at most
/// 5 s) is said to be waited for (what, where, from which position) on stderr; after <c>--timeout</c> seconds the command
/// prints what arrived and gives up.
/// </summary>
/// <remarks>Exit codes: 0 records printed (or the stream ended); 1 invalid descriptor or stream error; 2 bad arguments;
/// 3 no record arrived within <c>--timeout</c>.</remarks>
internal static class StreamSampleCommand
{
    /// <summary>The exit code when no record arrived within <c>--timeout</c>.</summary>
    public const int NothingArrived = 3;

    /// <summary>The longest silence before the command says what it waits for (a Kafka consumer often takes a few seconds to join).</summary>
    private static readonly TimeSpan s_waitingNoticeLimit = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan s_releaseLimit = TimeSpan.FromSeconds(5);

    public static Command Create(CliIo io)
    {
        var stream = new Argument<string>("stream") { Description = "A descriptor file or a literal (e.g. file:/data/iris.jsons)." };
        var count = new Option<int>("-n", "--count") { Description = "How many records to print.", DefaultValueFactory = _ => 10 };
        var schemas = new Option<string?>("--schemas") { Description = "A folder of name.avsc files that {\"$ref\": name} schemas resolve to." };
        var timeout = new Option<double>("--timeout")
        {
            Description = "Give up after this many seconds, printing what arrived (exit code 3 when nothing did). 0: wait for ever.",
            DefaultValueFactory = _ => 10,
        };
        var command = new Command("sample", "Print the first records of a stream: JSON records as JSON, text as text, binary records as a hex dump, rejected records with their reason.")
        {
            stream, count, schemas, timeout,
        };
        command.SetAction((parse, ct) => SampleAsync(io, parse.GetValue(stream)!, parse.GetValue(count), parse.GetValue(schemas), parse.GetValue(timeout), ct));
        return command;
    }

    private static async Task<int> SampleAsync(CliIo io, string text, int count, string? schemasDirectory, double timeoutSeconds, CancellationToken cancellationToken)
    {
        if (count <= 0)
        {
            io.Error.WriteLine("-n must be a positive number.");
            return 2;
        }

        if (!(timeoutSeconds >= 0) || timeoutSeconds > TimeSpan.MaxValue.TotalSeconds / 2)
        {
            io.Error.WriteLine("--timeout must be a number of seconds, 0 (no limit) or more.");
            return 2;
        }

        StreamDescriptorOptions options;
        try
        {
            options = CliStreams.DescriptorOptions(io, schemasDirectory);
        }
        catch (Exception ex) when (ex is StreamException or IOException)
        {
            io.Error.WriteLine(ex.Message);
            return 2;
        }

        StreamDescriptor? descriptor = CliStreams.Read(io, text, options, io.Error);
        if (descriptor is null)
        {
            return 1;
        }

        var lines = new SortedDictionary<long, string>();
        var open = new StreamOpenOptions
        {
            Name = text,
            SchemaLookup = options.SchemaLibrary is { } library ? name => library.TryGetSchemaJson(name, out string? json) ? json : null : null,
            OnRejected = r =>
            {
                lock (lines)
                {
                    lines[r.RecordNumber] = $"REJECTED by {(r.Kind == RejectionKind.Schema ? "schema" : "encoding")}: {r.Reason}{(r.Position is null ? "" : $" ({r.Position})")}{Environment.NewLine}        {r.Preview}";
                }
            },
            ConsoleInput = io.StandardInput,
        };

        TimeSpan timeout = timeoutSeconds == 0 ? Timeout.InfiniteTimeSpan : TimeSpan.FromSeconds(timeoutSeconds);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        bool timedOut = false;
        string source = text;
        InputStream? input = null;
        try
        {
            input = CliStreams.CreateFactory(new CliLogging(io.Error)).CreateInput(descriptor, open);
            source = input.TransportDisplayName;
            using var notice = new Timer(_ =>
            {
                if (Count(lines) == 0 && !deadline.IsCancellationRequested)
                {
                    lock (io.Error)
                    {
                        io.Error.WriteLine(Waiting(descriptor, source, timeout));
                    }
                }
            }, null, WaitingNoticeAfter(timeout), Timeout.InfiniteTimeSpan);
            while (Count(lines) < count && await input.ReadBatchAsync(deadline.Token).ConfigureAwait(false) is { } batch)
            {
                using (batch)
                {
                    for (int i = 0; i < batch.Count; i++)
                    {
                        ControlRecord control = batch.GetControl(i);
                        if (control.Kind != ControlKind.None)
                        {
                            continue;
                        }

                        lock (lines)
                        {
                            lines[batch.GetSequenceNumber(i)] = RenderRecord(batch.GetSpan(i), input.Encoding);
                        }
                    }
                }
            }
        }
        catch (Exception ex) when (ex is StreamException or NotSupportedException)
        {
            io.Error.WriteLine(ex.Message);
            return 1;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            timedOut = true;
        }
        finally
        {
            if (input is not null)
            {
                await ReleaseAsync(input).ConfigureAwait(false);
            }
        }

        foreach ((long number, string line) in lines.Take(count))
        {
            io.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{number,4}: {line}"));
        }

        if (!timedOut)
        {
            return 0;
        }

        int arrived = Math.Min(Count(lines), count);
        io.Error.WriteLine(arrived == 0
            ? string.Create(CultureInfo.InvariantCulture, $"no record arrived from {source} within {timeout.TotalSeconds:0.###} s (--timeout); gave up.")
            : string.Create(CultureInfo.InvariantCulture, $"only {arrived} of {count} records arrived from {source} within {timeout.TotalSeconds:0.###} s (--timeout)."));
        return arrived == 0 ? NothingArrived : 0;
    }

    /// <summary>
    /// Releases the input, waiting at most a few seconds: a read that cannot be interrupted (stdin, a pipe with no
    /// writer) would otherwise keep the command from ending; the process exits anyway.
    /// </summary>
    private static async Task ReleaseAsync(InputStream input)
    {
        Task closing = input.DisposeAsync().AsTask();
        if (await Task.WhenAny(closing, Task.Delay(s_releaseLimit)).ConfigureAwait(false) != closing)
        {
            _ = closing.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        }
    }

    /// <summary>
    /// When the command says what it waits for, if nothing has arrived by then: after half of <c>--timeout</c>, at most
    /// 5 s (and 5 s without a time limit), so a stream whose first records take a second or two (a Kafka consumer joining
    /// its group) prints them without a "waiting" line first.
    /// </summary>
    internal static TimeSpan WaitingNoticeAfter(TimeSpan timeout) =>
        timeout == Timeout.InfiniteTimeSpan || timeout / 2 > s_waitingNoticeLimit ? s_waitingNoticeLimit : timeout / 2;

    /// <summary>Says what the command waits for, where, and from which position (a Kafka input at "latest" sees only new records).</summary>
    private static string Waiting(StreamDescriptor descriptor, string source, TimeSpan timeout)
    {
        string start = descriptor.Transport is KafkaTransportDescriptor && descriptor.SkipToRecord is { } position
            ? position.Kind switch
            {
                RecordPositionKind.Latest => " starting at the latest offset, so only records produced from now on appear"
                    + " (to read what the topic holds: ?start=earliest in a kafka: literal, or \"SkipToRecord\": \"earliest\")",
                RecordPositionKind.Earliest => " from the earliest offset",
                _ => string.Create(CultureInfo.InvariantCulture, $" from offset {position.Offset}"),
            }
            : string.Empty;
        string limit = timeout == Timeout.InfiniteTimeSpan
            ? "no time limit (Ctrl-C stops)"
            : string.Create(CultureInfo.InvariantCulture, $"giving up after {timeout.TotalSeconds:0.###} s (--timeout)");
        return $"waiting for records from {source}{start}; {limit}";
    }

    private static int Count(SortedDictionary<long, string> lines)
    {
        lock (lines)
        {
            return lines.Count;
        }
    }

    /// <summary>Avro binary and CSV records as the JSON their encoding decodes them to; otherwise as <see cref="Render(ReadOnlySpan{byte}, string?)"/>.</summary>
    internal static string RenderRecord(ReadOnlySpan<byte> record, RecordEncoding encoding)
    {
        if (encoding.Name is EncodingTypes.AvroBinary or EncodingTypes.Csv)
        {
            try
            {
                return encoding.Decode<System.Text.Json.JsonElement>(record).GetRawText();
            }
            catch (StreamFormatException)
            {
                // not readable as JSON (e.g. a NaN float): shown as bytes
            }
        }

        return Render(record, encoding.Name);
    }

    /// <summary>JSON and text as text; anything that is not valid UTF-8, or raw records with control bytes, as a hex dump of 16 bytes a line.</summary>
    internal static string Render(ReadOnlySpan<byte> record, string? encoding)
    {
        bool printable = System.Text.Unicode.Utf8.IsValid(record) && (encoding is not null || !HasControlBytes(record));
        if (printable)
        {
            return Encoding.UTF8.GetString(record);
        }

        var sb = new StringBuilder();
        for (int offset = 0; offset < record.Length; offset += 16)
        {
            ReadOnlySpan<byte> line = record.Slice(offset, Math.Min(16, record.Length - offset));
            if (offset > 0)
            {
                sb.AppendLine().Append("      ");
            }

            sb.Append(offset.ToString("x4", CultureInfo.InvariantCulture)).Append("  ");
            for (int i = 0; i < 16; i++)
            {
                sb.Append(i < line.Length ? line[i].ToString("x2", CultureInfo.InvariantCulture) + " " : "   ");
            }

            sb.Append(' ');
            foreach (byte b in line)
            {
                sb.Append(b is >= 0x20 and < 0x7f ? (char)b : '.');
            }
        }

        return sb.ToString();
    }

    private static bool HasControlBytes(ReadOnlySpan<byte> record)
    {
        foreach (byte b in record)
        {
            if (b < 0x20 && b is not (byte)'\t' and not (byte)'\n' and not (byte)'\r')
            {
                return true;
            }
        }

        return false;
    }
}
