using System.Buffers;
using System.Text;
using FastScore.Streams.Transports.Exec;
using static FastScore.Streams.Tests.Transports.Network.NetworkTestSupport;

namespace FastScore.Streams.Tests.Transports.Network;

/// <summary>The exec transport with real child processes (Debian's coreutils and sh).</summary>
public sealed class ExecTransportTests
{
    [Test]
    public async Task An_input_reads_the_childs_stdout_to_its_end_and_exit_0_ends_the_stream()
    {
        CancellationToken guard = Guard();
        await using var input = new ExecInput("in", "seq", ["1", "50000"]);
        List<string> lines = await ReadLinesAsync(await input.OpenAsync(0, guard), guard);
        Assert.That(lines, Is.EqualTo(Enumerable.Range(1, 50000).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))));
    }

    [Test]
    public async Task Args_reach_the_program_as_written_never_through_a_shell()
    {
        CancellationToken guard = Guard();
        await using var input = new ExecInput("in", "printf", ["%s\n", "$HOME; echo injected `id` | cat"]);
        List<string> lines = await ReadLinesAsync(await input.OpenAsync(0, guard), guard);
        Assert.That(lines, Is.EqualTo(new[] { "$HOME; echo injected `id` | cat" }));
    }

    [Test]
    public async Task A_child_that_exits_non_zero_fails_the_stream_with_the_tail_of_its_stderr_after_its_records()
    {
        CancellationToken guard = Guard();
        await using var input = new ExecInput("scores", "sh", ["-c", "echo one; echo two; echo 'warming up' >&2; echo 'model file is corrupt' >&2; exit 3"]);
        var reader = await input.OpenAsync(0, guard);
        var received = new StringBuilder();
        StreamException? error = Assert.ThrowsAsync<StreamException>(async () =>
        {
            while (true)
            {
                var result = await reader.ReadAsync(guard);
                received.Append(Encoding.UTF8.GetString(result.Buffer));
                reader.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted)
                {
                    return;
                }
            }
        });
        Assert.Multiple(() =>
        {
            Assert.That(received.ToString(), Is.EqualTo("one\ntwo\n"));
            Assert.That(error!.Message, Is.EqualTo("Stream 'scores': the exec child 'sh' (Transport.Run) failed: exit code 3; the end of its stderr: warming up | model file is corrupt."));
        });
    }

    [Test]
    public async Task A_child_that_exits_0_at_once_is_an_empty_stream()
    {
        CancellationToken guard = Guard();
        await using var input = new ExecInput("in", "true", []);
        Assert.That(await ReadToEndAsync(await input.OpenAsync(0, guard), guard), Is.Empty);
    }

    [Test]
    public void A_missing_executable_names_the_stream_and_Run()
    {
        var input = new ExecInput("scores", "no-such-program-fss", []);
        StreamException? error = Assert.ThrowsAsync<StreamException>(async () => await input.OpenAsync(0, Guard()));
        Assert.That(error!.Message, Does.StartWith("Stream 'scores': exec cannot start 'no-such-program-fss' (Transport.Run): "));
        Assert.That(error.Message, Does.Contain("No such file or directory"));
    }

    [Test]
    public async Task Disposing_the_input_kills_the_child_and_its_children()
    {
        CancellationToken guard = Guard();
        var input = new ExecInput("in", "sh", ["-c", "sleep 1000 & echo $!; wait"]);
        var reader = await input.OpenAsync(0, guard);
        var result = await reader.ReadAsync(guard);
        int grandchild = int.Parse(Encoding.ASCII.GetString(result.Buffer).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        reader.AdvanceTo(result.Buffer.End);
        int child = input.Child!.Id;
        await input.DisposeAsync();
        Assert.Multiple(() =>
        {
            Assert.That(GoneSoon(child), Is.True, "the child is gone");
            Assert.That(GoneSoon(grandchild), Is.True, "its own child is gone");
        });
    }

    [Test]
    public async Task An_output_writes_the_records_to_the_childs_stdin_and_completing_waits_for_its_exit()
    {
        CancellationToken guard = Guard();
        string path = Path.Combine(Path.GetTempPath(), "fss-exec-" + Guid.NewGuid().ToString("N"));
        try
        {
            await using (var output = new ExecOutput("out", "tee", [path]))
            {
                await output.OpenAsync(guard);
                for (int i = 0; i < 10_000; i++)
                {
                    Encoding.UTF8.GetBytes($"{{\"n\": {i}}}\n", output.Writer);
                }

                await output.FlushAsync(guard);
                await output.CompleteAsync(guard);
            }

            Assert.That(File.ReadAllLines(path), Is.EqualTo(Enumerable.Range(0, 10_000).Select(i => $"{{\"n\": {i}}}")));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public async Task An_output_child_that_exits_at_once_fails_the_stream_with_its_exit_code_and_stderr()
    {
        CancellationToken guard = Guard();
        await using var output = new ExecOutput("results", "sh", ["-c", "echo 'cannot open database' >&2; exit 2"]);
        await output.OpenAsync(guard);
        StreamException? error = Assert.ThrowsAsync<StreamException>(async () =>
        {
            for (int i = 0; i < 100; i++)
            {
                output.Writer.Write(new byte[64 * 1024]);
                await output.FlushAsync(guard);
            }

            await output.CompleteAsync(guard);
        });
        Assert.That(error!.Message, Does.StartWith("Stream 'results': the exec child 'sh' (Transport.Run) "));
        Assert.That(error.Message, Does.EndWith("exit code 2; the end of its stderr: cannot open database."));
    }

    [Test]
    public async Task Disposing_an_output_that_was_not_completed_kills_the_child()
    {
        CancellationToken guard = Guard();
        var output = new ExecOutput("out", "sleep", ["1000"]);
        await output.OpenAsync(guard);
        int child = output.Child!.Id;
        await output.DisposeAsync();
        Assert.That(GoneSoon(child), Is.True);
    }

    // A killed process disappears once the signal is delivered: wait for that (bounded), do not time it.
    private static bool GoneSoon(int pid)
    {
        for (int i = 0; i < 250 && IsRunning(pid); i++)
        {
            Thread.Sleep(20);
        }

        return !IsRunning(pid);
    }

    private static bool IsRunning(int pid)
    {
        // a zombie (not yet reaped by its parent) is not running
        string stat = $"/proc/{pid}/stat";
        return File.Exists(stat) && !File.ReadAllText(stat).Split(')')[1].TrimStart().StartsWith('Z');
    }
}
