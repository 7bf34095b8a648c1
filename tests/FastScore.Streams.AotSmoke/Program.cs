using FastScore.Streams.AotSmoke;

// Usage: FastScore.Streams.AotSmoke [--no-emitted-code] [output-path]
// Exit code 0 when the pipeline scored exactly what it should, 1 otherwise.
if (args.Contains("--no-emitted-code"))
{
    AppContext.SetSwitch("FastScore.Streams.DisableEmittedCode", true);
}

string output = args.FirstOrDefault(a => !a.StartsWith("--", StringComparison.Ordinal)) ?? Path.Combine(Path.GetTempPath(), $"aot-smoke-{Environment.ProcessId}.jsons");
string descriptors = Path.Combine(AppContext.BaseDirectory, "aot-smoke");
try
{
    SmokeResult result = await SmokePipeline.RunAsync(descriptors, output);
    Console.WriteLine($"dynamic code supported: {SmokePipeline.DynamicCodeSupported}");
    Console.WriteLine(result);
    Console.WriteLine(result.Succeeded ? "OK" : "FAILED: the output is not what was expected");
    return result.Succeeded ? 0 : 1;
}
finally
{
    File.Delete(output);
}
