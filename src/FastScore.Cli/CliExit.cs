using System.Diagnostics;

namespace FastScore.Cli;

/// <summary>Ends the process at once (a second Ctrl-C / SIGTERM), whatever is still running.</summary>
internal static class CliExit
{
    /// <summary>Exits with <paramref name="code"/>; should the runtime's shutdown hang (a native client blocking in a finalizer), the process is killed 2 s later.</summary>
    public static void Now(int code)
    {
        var watchdog = new Thread(() =>
        {
            Thread.Sleep(TimeSpan.FromSeconds(2));
            using Process self = Process.GetCurrentProcess();
            self.Kill();
        })
        { IsBackground = true, Name = "fastscore exit watchdog" };
        watchdog.Start();
        new Thread(() => Environment.Exit(code)) { Name = "fastscore exit" }.Start();
    }
}
