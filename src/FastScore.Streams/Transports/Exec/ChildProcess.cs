using System.ComponentModel;
using System.Diagnostics;
using System.Text;

namespace FastScore.Streams.Transports.Exec;

/// <summary>
/// A child process of the <c>exec</c> transport: started from <c>Run</c> and <c>Args</c> directly (never through a
/// shell), its stderr kept as a bounded tail for error messages. The child never outlives the engine: it is killed
/// (with its own children) when the stream is disposed, and when this process exits normally; if this process is killed
/// outright (SIGKILL), Linux kills the child: it is started through <c>setpriv --pdeathsig KILL</c> (util-linux), which
/// sets <c>PR_SET_PDEATHSIG</c> and then executes the program in the same process, from one dedicated thread that lives
/// as long as this process (the signal follows the death of the thread that started the child, so a thread-pool thread
/// that retires must not start it). Without <c>setpriv</c> (not Linux) the child's pipes still close, so it reads the
/// end of its stdin or gets SIGPIPE on its next write.
/// </summary>
internal sealed class ChildProcess : IAsyncDisposable
{
    private const int TailBytes = 4096;
    private static readonly HashSet<ChildProcess> s_live = [];
    private readonly Process _process;
    private readonly Task _stderr;
    private readonly byte[] _tail = new byte[TailBytes];
    private long _tailWritten;
    private int _disposed;

    static ChildProcess() => AppDomain.CurrentDomain.ProcessExit += (_, _) => KillAll();

    private ChildProcess(Process process, string streamName, string run)
    {
        _process = process;
        StreamName = streamName;
        Run = run;
        _stderr = Task.Run(DrainStderrAsync);
    }

    /// <summary>Gets the stream's name.</summary>
    public string StreamName { get; }

    /// <summary>Gets the executable as written.</summary>
    public string Run { get; }

    /// <summary>Gets the process id.</summary>
    public int Id => _process.Id;

    /// <summary>Gets the child's stdout.</summary>
    public Stream StandardOutput => _process.StandardOutput.BaseStream;

    /// <summary>Gets the child's stdin.</summary>
    public Stream StandardInput => _process.StandardInput.BaseStream;

    /// <summary>Gets a value indicating whether the child has exited.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>Starts the child.</summary>
    /// <param name="streamName">The stream's name, for errors.</param>
    /// <param name="run">The executable (a path, or a name looked up in PATH).</param>
    /// <param name="args">The arguments, each passed as is.</param>
    /// <param name="readsStdin">Whether the child's stdin is kept open for the stream's records (output); otherwise it is closed at once.</param>
    /// <returns>The running child.</returns>
    public static ChildProcess Start(string streamName, string run, IReadOnlyList<string> args, bool readsStdin)
    {
        if (string.IsNullOrWhiteSpace(run))
        {
            throw new StreamException($"Stream '{streamName}': exec needs a program to run (Transport.Run is empty).") { StreamName = streamName };
        }

        string? setpriv = Spawner.Setpriv;
        string program = setpriv is null ? run : Resolve(streamName, run);
        var info = new ProcessStartInfo(setpriv ?? program)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            CreateNoWindow = true,
        };
        if (setpriv is not null)
        {
            // setpriv sets PR_SET_PDEATHSIG and executes the program in its own process: the pid is the program's
            info.ArgumentList.Add("--pdeathsig");
            info.ArgumentList.Add("KILL");
            info.ArgumentList.Add("--");
            info.ArgumentList.Add(program);
        }

        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        Process process;
        try
        {
            process = Spawner.Start(info);
        }
        catch (Win32Exception ex)
        {
            throw new StreamException($"Stream '{streamName}': exec cannot start '{run}' (Transport.Run): {ex.Message}.", ex) { StreamName = streamName };
        }

        var child = new ChildProcess(process, streamName, run);
        lock (s_live)
        {
            s_live.Add(child);
        }

        if (!readsStdin)
        {
            process.StandardInput.Close();
        }
        else
        {
            // the engine's stdout is not the child's: drain what it prints so it never blocks on a full pipe
            _ = process.StandardOutput.BaseStream.CopyToAsync(Stream.Null);
        }

        return child;
    }

    /// <summary>Waits for the child to exit and returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(CancellationToken cancellationToken)
    {
        await _process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        await _stderr.ConfigureAwait(false); // the tail is complete
        return _process.ExitCode;
    }

    /// <summary>The error of a child that exited with a non-zero code: names the stream, the program, the code and the tail of its stderr.</summary>
    public StreamException ExitError(int code, string? what = null)
    {
        string tail = StderrTail();
        string message = $"Stream '{StreamName}': the exec child '{Run}' (Transport.Run) {what ?? "failed"}: exit code {code}"
            + (tail.Length > 0 ? $"; the end of its stderr: {tail}" : "; it wrote nothing to stderr") + ".";
        return new StreamException(message) { StreamName = StreamName };
    }

    /// <summary>Gets the last lines of what the child wrote to stderr (at most 4 KiB), trimmed.</summary>
    public string StderrTail()
    {
        lock (_tail)
        {
            int length = (int)Math.Min(_tailWritten, TailBytes);
            int start = (int)(_tailWritten % TailBytes);
            byte[] ordered = new byte[length];
            if (_tailWritten <= TailBytes)
            {
                _tail.AsSpan(0, length).CopyTo(ordered);
            }
            else
            {
                _tail.AsSpan(start).CopyTo(ordered);
                _tail.AsSpan(0, start).CopyTo(ordered.AsSpan(TailBytes - start));
            }

            return Encoding.UTF8.GetString(ordered).Trim().Replace("\n", " | ", StringComparison.Ordinal);
        }
    }

    /// <summary>Kills the child and its children (if still running) and releases it.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        lock (s_live)
        {
            s_live.Remove(this);
        }

        Kill();
        try
        {
            using var bounded = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _process.WaitForExitAsync(bounded.Token).ConfigureAwait(false);
            await _stderr.WaitAsync(bounded.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // killed; do not wait longer
        }

        _process.Dispose();
    }

    private static void KillAll()
    {
        ChildProcess[] live;
        lock (s_live)
        {
            live = [.. s_live];
        }

        foreach (ChildProcess child in live)
        {
            child.Kill();
        }
    }

    private void Kill()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or Win32Exception or NotSupportedException)
        {
            // exited meanwhile
        }
    }

    /// <summary>
    /// Finds the program as <see cref="Process.Start(ProcessStartInfo)"/> would (a path, or a name in <c>PATH</c>), so that a
    /// missing program is reported before anything starts, not as the exit code of <c>setpriv</c>.
    /// </summary>
    private static string Resolve(string streamName, string run)
    {
        if (run.Contains('/', StringComparison.Ordinal))
        {
            string path = Path.GetFullPath(run);
            return IsExecutable(path) ? path : throw CannotStart(streamName, run, File.Exists(path) ? "Permission denied (it is not executable)" : "No such file or directory");
        }

        foreach (string folder in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/local/bin:/usr/bin:/bin").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(folder, run);
            if (IsExecutable(candidate))
            {
                return candidate;
            }
        }

        throw CannotStart(streamName, run, "No such file or directory (not found in PATH)");
    }

    private static bool IsExecutable(string path)
    {
        if (!File.Exists(path))
        {
            return false;
        }

        if (OperatingSystem.IsWindows())
        {
            return true;
        }

        const UnixFileMode Execute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        return (File.GetUnixFileMode(path) & Execute) != 0;
    }

    private static StreamException CannotStart(string streamName, string run, string reason) =>
        new($"Stream '{streamName}': exec cannot start '{run}' (Transport.Run): {reason}.") { StreamName = streamName };

    /// <summary>Starts every child from one thread that lives as long as the process (see the class remarks).</summary>
    private static class Spawner
    {
        private static readonly System.Collections.Concurrent.BlockingCollection<Action> s_work = [];

        static Spawner()
        {
            var thread = new Thread(() =>
            {
                foreach (Action work in s_work.GetConsumingEnumerable())
                {
                    work();
                }
            })
            {
                IsBackground = true,
                Name = "FastScore exec spawner",
            };
            thread.Start();
        }

        /// <summary>Gets the path of <c>setpriv</c> on Linux, or null (then children are started directly).</summary>
        public static string? Setpriv { get; } = FindSetpriv();

        public static Process Start(ProcessStartInfo info)
        {
            var started = new TaskCompletionSource<Process>(TaskCreationOptions.RunContinuationsAsynchronously);
            s_work.Add(() =>
            {
                try
                {
                    started.SetResult(Process.Start(info) ?? throw new Win32Exception("the process did not start"));
                }
                catch (Exception ex)
                {
                    started.SetException(ex);
                }
            });
            return started.Task.GetAwaiter().GetResult();
        }

        private static string? FindSetpriv()
        {
            if (!OperatingSystem.IsLinux())
            {
                return null;
            }

            foreach (string folder in new[] { "/usr/bin", "/bin", "/usr/sbin", "/sbin" })
            {
                string path = Path.Combine(folder, "setpriv");
                if (File.Exists(path))
                {
                    return path;
                }
            }

            return null;
        }
    }

    private async Task DrainStderrAsync()
    {
        byte[] buffer = new byte[4096];
        Stream stderr = _process.StandardError.BaseStream;
        try
        {
            int read;
            while ((read = await stderr.ReadAsync(buffer).ConfigureAwait(false)) > 0)
            {
                lock (_tail)
                {
                    for (int i = 0; i < read; i++)
                    {
                        _tail[(int)(_tailWritten++ % TailBytes)] = buffer[i];
                    }
                }
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            // the child is gone
        }
    }
}
