using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace FastScore.Streams.TestUtilities;

/// <summary>
/// The <c>fastscore</c> CLI as a real child process (<c>dotnet fastscore.dll ...</c> from the test's output folder, so
/// the test project must reference FastScore.Cli), with its standard streams captured line by line and POSIX signals
/// sent to it. For tests of what only a process shows: signals, exit codes, stop times.
/// </summary>
public sealed partial class FastScoreCliProcess : IAsyncDisposable
{
    /// <summary>SIGINT (Ctrl-C).</summary>
    public const int SigInt = 2;

    /// <summary>SIGTERM.</summary>
    public const int SigTerm = 15;

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _stderr = new();
    private readonly ConcurrentQueue<string> _stdout = new();
    private readonly SemaphoreSlim _lines = new(0);

    private FastScoreCliProcess(Process process)
    {
        _process = process;
        _process.ErrorDataReceived += (_, e) => Add(_stderr, e.Data);
        _process.OutputDataReceived += (_, e) => Add(_stdout, e.Data);
        _process.BeginErrorReadLine();
        _process.BeginOutputReadLine();
    }

    /// <summary>Gets the process id.</summary>
    public int Id => _process.Id;

    /// <summary>Gets the child's standard input.</summary>
    public StreamWriter StandardInput => _process.StandardInput;

    /// <summary>Gets what the child wrote to stderr so far.</summary>
    public string Stderr => string.Join(Environment.NewLine, _stderr);

    /// <summary>Gets what the child wrote to stdout so far.</summary>
    public string Stdout => string.Join(Environment.NewLine, _stdout);

    /// <summary>Gets a value indicating whether the child has exited.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>Gets the exit code (after <see cref="WaitForExitAsync"/> returned true).</summary>
    public int ExitCode => _process.ExitCode;

    /// <summary>
    /// Gets a value indicating whether the process is gone: it exited and no process with its id exists any more
    /// (or the id was taken by another program).
    /// </summary>
    public bool IsGone
    {
        get
        {
            if (!_process.HasExited)
            {
                return false;
            }

            try
            {
                using Process again = Process.GetProcessById(_process.Id);
                return again.HasExited || !again.ProcessName.Contains("dotnet", StringComparison.OrdinalIgnoreCase);
            }
            catch (ArgumentException)
            {
                return true;
            }
            catch (InvalidOperationException)
            {
                return true;
            }
        }
    }

    /// <summary>Starts <c>fastscore</c> with these arguments.</summary>
    /// <param name="arguments">The command line after <c>fastscore</c>.</param>
    /// <param name="workingDirectory">The working directory, or the current one.</param>
    public static FastScoreCliProcess Start(IEnumerable<string> arguments, string? workingDirectory = null)
    {
        string cli = Path.Combine(AppContext.BaseDirectory, "fastscore.dll");
        if (!File.Exists(cli))
        {
            throw new FileNotFoundException("fastscore.dll is not in the test output; reference src/FastScore.Cli from the test project.", cli);
        }

        var start = new ProcessStartInfo(DotnetExecutable())
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        start.ArgumentList.Add(cli);
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        LetChildrenHandleSigInt();
        return new FastScoreCliProcess(Process.Start(start) ?? throw new InvalidOperationException("Could not start fastscore."));
    }

    /// <summary>Sends a POSIX signal (<see cref="SigInt"/>, <see cref="SigTerm"/>) to the child.</summary>
    /// <param name="signal">The signal number.</param>
    public void Signal(int signal)
    {
        if (Native.Kill(_process.Id, signal) != 0)
        {
            throw new InvalidOperationException($"kill({_process.Id}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}.");
        }
    }

    /// <summary>Waits until a stderr line matches, at most <paramref name="guard"/> (a hang guard, not a timing assertion).</summary>
    /// <param name="pattern">A regular expression.</param>
    /// <param name="guard">How long to wait at most.</param>
    /// <returns>The first matching line.</returns>
    /// <exception cref="TimeoutException">No line matched in time, or the process exited first; the message shows stderr.</exception>
    public async Task<string> WaitForStderrAsync(string pattern, TimeSpan guard)
    {
        var regex = new Regex(pattern, RegexOptions.CultureInvariant);
        using var timeout = new CancellationTokenSource(guard);
        while (true)
        {
            string? found = _stderr.FirstOrDefault(regex.IsMatch);
            if (found is not null)
            {
                return found;
            }

            if (_process.HasExited)
            {
                await _process.WaitForExitAsync(CancellationToken.None); // every line read
                found = _stderr.FirstOrDefault(regex.IsMatch);
                return found ?? throw new TimeoutException($"fastscore exited ({_process.ExitCode}) without printing /{pattern}/ on stderr:{Environment.NewLine}{Stderr}");
            }

            try
            {
                await _lines.WaitAsync(TimeSpan.FromMilliseconds(200), timeout.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"fastscore did not print /{pattern}/ on stderr within {guard.TotalSeconds} s:{Environment.NewLine}{Stderr}");
            }
        }
    }

    /// <summary>Waits for the child to exit, at most <paramref name="guard"/> (a hang guard); every output line is read when it returns true.</summary>
    /// <param name="guard">How long to wait at most.</param>
    /// <returns><see langword="true"/> when it exited.</returns>
    public async Task<bool> WaitForExitAsync(TimeSpan guard)
    {
        using var timeout = new CancellationTokenSource(guard);
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Kills the child if it still runs.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException)
        {
            // gone already, or stuck: nothing more a test can do
        }

        _process.Dispose();
        _lines.Dispose();
    }

    private void Add(ConcurrentQueue<string> lines, string? line)
    {
        if (line is not null)
        {
            lines.Enqueue(line);
            _lines.Release();
        }
    }

    private static string DotnetExecutable()
    {
        string? fromSdk = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(fromSdk) && File.Exists(fromSdk))
        {
            return fromSdk;
        }

        string? self = Environment.ProcessPath;
        return self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "dotnet";
    }

    /// <summary>
    /// A process started in the background by a non-interactive shell ignores SIGINT, and children inherit that (the
    /// .NET runtime then never sees Ctrl-C). When the test host ignores SIGINT, restore the default so its children
    /// handle it.
    /// </summary>
    private static void LetChildrenHandleSigInt()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        string? ignored = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        if (ignored is not null && (Convert.ToUInt64(ignored["SigIgn:".Length..].Trim(), 16) & (1UL << (SigInt - 1))) != 0)
        {
            Native.ResetToDefault(SigInt);
        }
    }

    private static partial class Native
    {
        [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
        public static partial int Kill(int pid, int signal);

        [LibraryImport("libc", EntryPoint = "signal")]
        private static partial IntPtr SetHandler(int signal, IntPtr handler);

        public static void ResetToDefault(int signal) => SetHandler(signal, IntPtr.Zero); // SIG_DFL
    }
}
