using System.Diagnostics;

namespace FastScore.Cli;

/// <summary>
/// Where a command's start-up time goes: with <c>FASTSCORE_STARTUP_TRACE=1</c>, each mark prints
/// <c>fastscore: +N ms (cpu M ms, jit K methods J ms, gc G0/G1/G2) what</c> to stderr (G: collections of each generation so far), timed from the start of the process (docs/performance.md,
/// "fastscore as a process"). Off by default: a mark is then one static field read.
/// </summary>
internal static class StartupTrace
{
    /// <summary>The variable that turns the trace on.</summary>
    public const string Variable = "FASTSCORE_STARTUP_TRACE";

    private static readonly bool s_enabled = Environment.GetEnvironmentVariable(Variable) is "1" or "true";

    /// <summary>Whether the trace is on.</summary>
    public static bool Enabled => s_enabled;

    /// <summary>Prints a mark when the trace is on.</summary>
    public static void Mark(string what)
    {
        if (s_enabled)
        {
            using var self = Process.GetCurrentProcess();
            double since = (DateTime.Now - self.StartTime).TotalMilliseconds;
            Console.Error.WriteLine($"fastscore: +{since:F0} ms (cpu {self.TotalProcessorTime.TotalMilliseconds:F0} ms, jit {System.Runtime.JitInfo.GetCompiledMethodCount()} methods {System.Runtime.JitInfo.GetCompilationTime().TotalMilliseconds:F0} ms, gc {GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)}) {what}");
        }
    }
}
