using System.Runtime.InteropServices;
using FastScore.Cli;

// Ctrl-C and SIGTERM stop reading; what was read is drained and flushed, then the command exits normally.
using var stop = new CancellationTokenSource();
void OnSignal(PosixSignalContext context)
{
    context.Cancel = true;
    stop.Cancel();
}

using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
return await CliApp.RunAsync(args, CliIo.Console(), stop.Token).ConfigureAwait(false);
