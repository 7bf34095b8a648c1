using BenchmarkDotNet.Running;

namespace FastScore.Streams.Benchmarks;

/// <summary>
/// Entry point: <c>dotnet run -c Release --project benchmarks/FastScore.Streams.Benchmarks -- --filter '*'</c>. With the
/// environment variable <c>FASTSCORE_DISABLE_EMITTED_CODE=1</c> the library emits no code (probes only: BenchmarkDotNet
/// runs methods in child processes, which read the variable too).
/// </summary>
public static class Program
{
    /// <summary>Runs the benchmarks selected on the command line.</summary>
    public static void Main(string[] args)
    {
        if (Environment.GetEnvironmentVariable("FASTSCORE_DISABLE_EMITTED_CODE") == "1")
        {
            AppContext.SetSwitch("FastScore.Streams.DisableEmittedCode", true); // the general paths only, as without dynamic code
        }

        if (args is ["probe-csv", ..])
        {
            Csv.CsvDecodeBenchmark.Probe(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 15);
            return;
        }

        if (args is ["profile-csv", ..])
        {
            Csv.CsvDecodeBenchmark.Profile(args.Length > 1 ? args[1] : "iris", args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 10,
                args.Length > 3 && args[3] == "csvhelper");
            return;
        }

        if (args is ["probe-14", ..])
        {
            AvroCsv.Issue14Probe.Run(args[1..]);
            return;
        }

        if (args is ["probe"])
        {
            InterleavedProbe.Run();
            return;
        }

        if (args is ["probe-e2e", ..])
        {
            EndToEndProbe.Run(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 7,
                args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : EndToEndProbe.DefaultRecords,
                args.Length > 3 ? args[3] : null);
            return;
        }

        if (args is ["probe-telemetry", ..])
        {
            Pipeline.TelemetryCostBenchmark.Probe(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 12);
            return;
        }

        if (args is ["check-floats"])
        {
            Environment.ExitCode = Schemas.FloatFormatCheck.Run() == 0 ? 0 : 1;
            return;
        }

        if (args is ["probe-net", ..])
        {
            Network.NetworkProbe.Run(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 5,
                args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 300_000,
                args.Length > 3 ? args[3] : null);
            return;
        }

        if (args is ["probe-json", ..])
        {
            Schemas.JsonStepsProbe.Run(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 15,
                args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 100_000);
            return;
        }

        if (args is ["probe-s3", ..])
        {
            S3.S3Probe.Run(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 3,
                args.Length > 2 ? args[2] : null);
            return;
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }
}
