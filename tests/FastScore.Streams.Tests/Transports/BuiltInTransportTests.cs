using System.Text;
using FastScore.Streams.Transports;
using FastScore.Streams.Descriptors;

namespace FastScore.Streams.Tests.Transports;

/// <summary>The file, inline, discard and console transports through real streams (real files in temp folders).</summary>
public sealed class BuiltInTransportTests
{
    private string _dir = "";

    [SetUp]
    public void SetUp() => _dir = Directory.CreateTempSubdirectory("fss-transports-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    private static async Task<List<string>> ReadAsync(StreamDescriptor descriptor, int? max = null, StreamOpenOptions? options = null)
    {
        var values = new List<string>();
        await using InputStream input = new StreamFactory().CreateInput(descriptor, options);
        await foreach (byte[] record in input.ReadAllAsync<byte[]>())
        {
            values.Add(Encoding.UTF8.GetString(record));
            if (values.Count == max)
            {
                break;
            }
        }

        return values;
    }

    private string WriteLines(params string[] lines)
    {
        string path = Path.Combine(_dir, Guid.NewGuid().ToString("N") + ".jsons");
        File.WriteAllText(path, string.Join("\n", lines) + "\n");
        return path;
    }

    [Test]
    public async Task A_file_input_reads_every_line_and_drops_the_empty_record_after_the_last_newline()
    {
        string path = WriteLines("1", "2", "3");
        Assert.That(await ReadAsync(Packages.Parse($$"""{"Transport": {"Type": "file", "Path": "{{path}}"}, "Encoding": "json"}""")), Is.EqualTo(new[] { "1", "2", "3" }));
    }

    [Test]
    public async Task A_file_larger_than_the_read_buffer_is_read_and_written_whole_in_order()
    {
        // Regular files are read and written by the stream's own task (no thread-pool hand-off per buffer).
        string[] lines = Enumerable.Range(0, 30_000).Select(i => $"{{\"n\": {i}}}").ToArray();
        string input = WriteLines(lines);
        string output = Path.Combine(_dir, "copy.jsons");
        await using (OutputStream writer = new StreamFactory().CreateOutput(Packages.Parse($$"""{"Transport": {"Type": "file", "Path": "{{output}}"}, "Encoding": "json"}""")))
        {
            await using InputStream reader = new StreamFactory().CreateInput(Packages.Parse($$"""{"Transport": {"Type": "file", "Path": "{{input}}"}, "Encoding": "json"}"""));
            await foreach (byte[] record in reader.ReadAllAsync<byte[]>())
            {
                await writer.WriteAsync(record);
            }

            await writer.CompleteAsync();
        }

        Assert.That(File.ReadAllLines(output), Is.EqualTo(lines));
    }

    [Test]
    public async Task A_named_pipe_is_read_as_a_file_until_its_writer_closes_it()
    {
        string fifo = Path.Combine(_dir, "pipe");
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", fifo))
        {
            await mkfifo.WaitForExitAsync();
            Assert.That(mkfifo.ExitCode, Is.Zero);
        }

        Task writer = Task.Run(async () =>
        {
            await using var pipe = new FileStream(fifo, FileMode.Open, FileAccess.Write);
            await pipe.WriteAsync("1\n2\n"u8.ToArray());
            await pipe.FlushAsync();
            await Task.Delay(50);
            await pipe.WriteAsync("3\n"u8.ToArray());
        });
        List<string> records = await ReadAsync(Packages.Parse($$"""{"Transport": {"Type": "file", "Path": "{{fifo}}"}, "Encoding": "json"}"""));
        await writer;
        Assert.That(records, Is.EqualTo(new[] { "1", "2", "3" }));
    }

    [Test]
    public async Task SkipTo_starts_reading_a_file_at_a_byte_offset()
    {
        string path = WriteLines("10", "20", "30");
        var records = await ReadAsync(Packages.Parse($$"""{"Transport": {"Type": "file", "Path": "{{path}}"}, "Encoding": "json", "SkipTo": 3}"""));
        Assert.That(records, Is.EqualTo(new[] { "20", "30" }));
    }

    [Test]
    public async Task A_looping_file_rewinds_to_the_start_at_end_of_file()
    {
        string path = WriteLines("1", "2");
        var records = await ReadAsync(Packages.Parse($$"""{"Transport": {"Type": "file", "Path": "{{path}}"}, "Encoding": "json", "Loop": true}"""), max: 5);
        Assert.That(records, Is.EqualTo(new[] { "1", "2", "1", "2", "1" }));
    }

    [Test]
    public async Task A_looping_empty_file_ends_instead_of_spinning()
    {
        string path = Path.Combine(_dir, "empty.jsons");
        File.WriteAllText(path, "");
        var records = await ReadAsync(Packages.Parse($$"""{"Transport": {"Type": "file", "Path": "{{path}}"}, "Encoding": "json", "Loop": true}"""));
        Assert.That(records, Is.Empty);
    }

    [Test]
    public async Task A_looping_file_whose_records_are_all_rejected_ends_after_one_pass()
    {
        string path = WriteLines("\"a\"", "\"b\"", """{"$fastscore": "set"}""");
        var rejected = new List<RejectedRecord>();
        var records = await ReadAsync(
            Packages.Parse($$"""{"Transport": {"Type": "file", "Path": "{{path}}"}, "Encoding": "json", "Schema": "int", "Loop": true}"""),
            options: new StreamOpenOptions { OnRejected = rejected.Add }).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Multiple(() =>
        {
            Assert.That(records, Is.Empty);
            Assert.That(rejected.Select(r => r.Preview), Is.EqualTo(new[] { "\"a\"", "\"b\"" }), "each rejected once, not for ever");
        });
    }

    [Test]
    public void A_missing_input_file_fails_with_the_path_in_the_message()
    {
        string path = Path.Combine(_dir, "missing.jsons");
        var ex = Assert.ThrowsAsync<StreamException>(() => ReadAsync(Packages.Parse($$"""{"Transport": {"Type": "file", "Path": "{{path}}"}, "Encoding": "json"}""")));
        Assert.That(ex!.Message, Does.Contain(path));
    }

    [Test]
    public async Task A_file_output_holds_every_record_after_completion_and_creates_missing_folders()
    {
        string path = Path.Combine(_dir, "deeper", "out.jsons");
        await using (OutputStream output = new StreamFactory().CreateOutput(Packages.Parse($$"""{"Transport": {"Type": "file", "Path": "{{path}}"}, "Encoding": "json", "Schema": "int"}""")))
        {
            for (int i = 0; i < 5000; i++)
            {
                await output.WriteAsync(i);
            }

            await output.FlushAsync();
            Assert.That(File.ReadAllLines(path), Has.Length.EqualTo(5000), "FlushAsync makes everything written so far durable");
            await output.WriteAsync(5000);
            await output.CompleteAsync();
        }

        Assert.That(File.ReadAllLines(path).Select(int.Parse), Is.EqualTo(Enumerable.Range(0, 5001)));
    }

    [Test]
    public async Task A_file_output_of_many_megabytes_over_a_longer_existing_file_holds_exactly_its_records()
    {
        // Larger than several write-behind steps (WriteBehind.Step: the kernel's write-back is started while writing),
        // with a flush (fsync) in the middle, over an existing file that is longer than the output (truncated at the first write).
        string path = Path.Combine(_dir, "big.jsons");
        File.WriteAllBytes(path, new byte[30 * 1024 * 1024]);
        const int Records = 1_000_000; // ≈ 20 MB of json strings
        await using (OutputStream output = new StreamFactory().CreateOutput(Packages.Parse($$"""{"Transport": {"Type": "file", "Path": "{{path}}"}, "Encoding": "json"}""")))
        {
            for (int i = 0; i < Records; i++)
            {
                await output.WriteAsync($"record {i:D9}");
                if (i == Records / 2)
                {
                    await output.FlushAsync();
                }
            }

            await output.CompleteAsync();
        }

        Assert.That(new FileInfo(path).Length, Is.GreaterThan(WriteBehind.Step * 3), "the output spans several write-behind steps");
        string[] lines = File.ReadAllLines(path);
        Assert.That(lines, Has.Length.EqualTo(Records));
        Assert.That(lines.Where((line, i) => line != $"\"record {i:D9}\""), Is.Empty, "every record in order, nothing of the old file left");
    }

    [Test]
    public async Task A_file_output_to_dev_null_takes_every_record()
    {
        // /dev/null exists, seeks (so it looked like an existing regular file to truncate) and refuses ftruncate (EINVAL).
        Assume.That(File.Exists("/dev/null"), "a Unix system");
        await using OutputStream output = new StreamFactory().CreateOutput(Packages.Parse("""{"Transport": {"Type": "file", "Path": "/dev/null"}, "Encoding": "json"}"""));
        for (int i = 0; i < 100_000; i++)
        {
            Assert.That(await output.WriteAsync($"record {i}"), Is.True);
        }

        await output.FlushAsync();
        await output.CompleteAsync();
    }

    [Test]
    public async Task An_output_value_that_fails_the_schema_is_counted_and_reported_not_written()
    {
        string path = Path.Combine(_dir, "out.jsons");
        var rejected = new List<RejectedRecord>();
        await using OutputStream output = new StreamFactory().CreateOutput(
            Packages.Parse($$"""{"Transport": {"Type": "file", "Path": "{{path}}"}, "Encoding": "json", "Schema": "int"}"""),
            new StreamOpenOptions { Name = "scores", Slot = 1, OnRejected = rejected.Add });
        Assert.That(await output.WriteAsync(1), Is.True);
        Assert.That(await output.WriteAsync("two"), Is.False);
        Assert.That(await output.WriteAsync(3), Is.True);
        await output.CompleteAsync();
        Assert.Multiple(() =>
        {
            Assert.That(File.ReadAllLines(path), Is.EqualTo(new[] { "1", "3" }));
            Assert.That(output.Counters.RejectedBySchema, Is.EqualTo(1));
            Assert.That(rejected.Single().Slot, Is.EqualTo(1));
            Assert.That(rejected.Single().RecordNumber, Is.EqualTo(2));
            Assert.That(rejected.Single().Reason, Does.Contain("expected int"));
        });
    }

    [Test]
    public async Task Inline_data_as_one_chunk_is_cut_by_the_envelope()
    {
        var records = await ReadAsync(Packages.Parse("""{"Transport": {"Type": "inline", "Data": "aaa\nbbb\nccc"}, "Encoding": "utf-8"}"""));
        Assert.That(records, Is.EqualTo(new[] { "aaa", "bbb", "ccc" }));
    }

    [Test]
    public async Task Inline_data_as_an_array_gives_one_record_per_element()
    {
        var records = await ReadAsync(Packages.Parse("""{"Transport": {"Type": "inline", "Data": ["a\nb", "c"]}, "Encoding": "utf-8"}"""));
        Assert.That(records, Is.EqualTo(new[] { "a\nb", "c" }));
    }

    [Test]
    public async Task Inline_DataBinary_is_base64_decoded()
    {
        string b64 = Convert.ToBase64String(Encoding.UTF8.GetBytes("hello"));
        var records = await ReadAsync(Packages.Parse($$"""{"Transport": {"Type": "inline", "DataBinary": ["{{b64}}"]}, "Encoding": null}"""));
        Assert.That(records, Is.EqualTo(new[] { "hello" }));
    }

    [Test]
    public async Task The_inline_literal_reads_its_three_records()
    {
        var records = await ReadAsync(Packages.FromArgument("inline:1,2,3"));
        Assert.That(records, Is.EqualTo(new[] { "1", "2", "3" }));
    }

    [Test]
    public async Task Discard_accepts_and_counts_everything()
    {
        await using OutputStream output = new StreamFactory().CreateOutput(Packages.FromArgument("discard:"));
        for (int i = 0; i < 10; i++)
        {
            await output.WriteAsync(i);
        }

        await output.CompleteAsync();
        Assert.That(output.Counters.Records, Is.EqualTo(10));
    }

    [Test]
    public async Task The_console_transport_reads_stdin_and_writes_stdout()
    {
        var stdin = new MemoryStream(Encoding.UTF8.GetBytes("{\"x\":1}\n{\"x\":2}\n"));
        var stdout = new MemoryStream();
        var options = new StreamOpenOptions { ConsoleInput = stdin, ConsoleOutput = stdout };
        var records = await ReadAsync(Packages.FromArgument("console:"), options: options);
        await using (OutputStream output = new StreamFactory().CreateOutput(Packages.FromArgument("console:"), options))
        {
            foreach (string r in records)
            {
                await output.WriteAsync(Encoding.UTF8.GetBytes(r));
            }

            await output.CompleteAsync();
        }

        Assert.That(Encoding.UTF8.GetString(stdout.ToArray()), Is.EqualTo("{\"x\":1}\n{\"x\":2}\n"));
    }

    [Test]
    public void An_output_only_transport_cannot_be_an_input()
    {
        var ex = Assert.Throws<DescriptorException>(() => new StreamFactory().CreateInput(Packages.FromArgument("discard:")));
        Assert.That(ex!.Errors[0].Path, Is.EqualTo("Transport.Type"));
    }

    [Test]
    public void An_unregistered_transport_names_the_registered_ones()
    {
        var ex = Assert.Throws<DescriptorException>(() => new StreamFactory().CreateInput(Packages.FromArgument("kafka:broker:9092/topic.json")));
        Assert.That(ex!.Message, Does.Contain("registered: ").And.Contain("file").And.Contain("Register the package that provides it"));
    }
}
