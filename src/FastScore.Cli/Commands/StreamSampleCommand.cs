using System.CommandLine;
using System.Globalization;
using System.Text;
using FastScore.Streams;
using FastScore.Streams.Descriptors;
using FastScore.Streams.Encodings;
using FastScore.Streams.Schemas;

namespace FastScore.Cli.Commands;

/// <summary><c>fastscore stream sample &lt;descriptor | literal&gt; [-n N]</c>: prints the first N records, numbered, rejected ones with their reason.</summary>
internal static class StreamSampleCommand
{
    public static Command Create(CliIo io)
    {
        var stream = new Argument<string>("stream") { Description = "A descriptor file or a literal (e.g. file:/data/iris.jsons)." };
        var count = new Option<int>("-n", "--count") { Description = "How many records to print.", DefaultValueFactory = _ => 10 };
        var schemas = new Option<string?>("--schemas") { Description = "A folder of name.avsc files that {\"$ref\": name} schemas resolve to." };
        var command = new Command("sample", "Print the first records of a stream: JSON records as JSON, text as text, binary records as a hex dump, rejected records with their reason.")
        {
            stream, count, schemas,
        };
        command.SetAction((parse, ct) => SampleAsync(io, parse.GetValue(stream)!, parse.GetValue(count), parse.GetValue(schemas), ct));
        return command;
    }

    private static async Task<int> SampleAsync(CliIo io, string text, int count, string? schemasDirectory, CancellationToken cancellationToken)
    {
        if (count <= 0)
        {
            io.Error.WriteLine("-n must be a positive number.");
            return 2;
        }

        StreamDescriptorOptions options;
        try
        {
            options = CliStreams.DescriptorOptions(schemasDirectory);
        }
        catch (Exception ex) when (ex is StreamException or IOException)
        {
            io.Error.WriteLine(ex.Message);
            return 2;
        }

        StreamDescriptor? descriptor = CliStreams.Read(text, options, io.Error);
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

        try
        {
            await using InputStream input = CliStreams.CreateFactory().CreateInput(descriptor, open);
            while (Count(lines) < count && await input.ReadBatchAsync(cancellationToken).ConfigureAwait(false) is { } batch)
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
                            lines[batch.GetSequenceNumber(i)] = Render(batch.GetSpan(i), input.Encoding.Name);
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

        foreach ((long number, string line) in lines.Take(count))
        {
            io.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{number,4}: {line}"));
        }

        return 0;
    }

    private static int Count(SortedDictionary<long, string> lines)
    {
        lock (lines)
        {
            return lines.Count;
        }
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
