using BenchmarkDotNet.Running;

namespace FastScore.Streams.Benchmarks;

/// <summary>Entry point: <c>dotnet run -c Release --project benchmarks/FastScore.Streams.Benchmarks -- --filter '*'</c>.</summary>
public static class Program
{
    /// <summary>Runs the benchmarks selected on the command line.</summary>
    public static void Main(string[] args)
    {
        if (args is ["probe"])
        {
            InterleavedProbe.Run();
            return;
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }
}
