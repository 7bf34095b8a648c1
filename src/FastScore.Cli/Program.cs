using System.Runtime.InteropServices;
using FastScore.Cli;

// The first Ctrl-C or SIGTERM stops gracefully: reading stops, what was read is scored and flushed, and the command
// exits normally (a run's stop is bounded by LingerTime + --stop-timeout). A second one exits at once, with 130
// (SIGINT) or 143 (SIGTERM): what was not delivered is lost on the way out, and a Kafka input reads it again.
StartupTrace.Mark("main");
using var stop = new CancellationTokenSource();
int signals = 0;
void OnSignal(PosixSignalContext context)
{
    context.Cancel = true;
    if (Interlocked.Increment(ref signals) == 1)
    {
        Console.Error.WriteLine($"fastscore: stopping ({context.Signal}); Ctrl-C or SIGTERM again exits at once");
        stop.Cancel();
        return;
    }

    int code = context.Signal == PosixSignal.SIGINT ? 130 : 143;
    Console.Error.WriteLine($"fastscore: {context.Signal} again: exiting at once (exit code {code})");
    CliExit.Now(code);
}

using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
int exitCode = await CliApp.RunAsync(args, CliIo.Console(), stop.Token).ConfigureAwait(false);
StartupTrace.Mark("exit");
return exitCode;
