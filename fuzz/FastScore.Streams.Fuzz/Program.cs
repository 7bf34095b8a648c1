using FastScore.Streams.Fuzz;

// fuzz <target>            run one target under afl-fuzz (SharpFuzz's out-of-process fork server); run.sh does it
// replay <target> <path>…  run files (or every file of folders) through a target without afl-fuzz, print each failure
// list                     the targets
if (args is ["list"])
{
    Console.WriteLine(string.Join('\n', FuzzTargets.All.Keys));
    return 0;
}

if (args is ["fuzz", string name] && FuzzTargets.All.TryGetValue(name, out Action<byte[]>? target))
{
    SharpFuzz.Fuzzer.OutOfProcess.Run(stream =>
    {
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        target(copy.ToArray());
    });
    return 0;
}

if (args is ["replay", string replayed, .. var paths] && FuzzTargets.All.TryGetValue(replayed, out Action<byte[]>? replay))
{
    int failures = 0, inputs = 0;
    foreach (string file in paths.SelectMany(p => Directory.Exists(p) ? Directory.EnumerateFiles(p, "*", SearchOption.AllDirectories).Order() : (IEnumerable<string>)[p]))
    {
        if (Path.GetFileName(file) is "README.txt" or ".state")
        {
            continue;
        }

        inputs++;
        byte[] data = File.ReadAllBytes(file);
        try
        {
            replay(data);
        }
#pragma warning disable CA1031 // every failure is printed
        catch (Exception ex)
#pragma warning restore CA1031
        {
            failures++;
            Console.WriteLine($"FAIL {file}\n  input (base64): {Convert.ToBase64String(data)}\n  {ex.GetType().Name}: {ex.Message}\n{ex.StackTrace}");
        }
    }

    Console.WriteLine($"{replayed}: {inputs} inputs, {failures} failures");
    return failures == 0 ? 0 : 1;
}

Console.Error.WriteLine($"usage: FastScore.Streams.Fuzz fuzz <target> | replay <target> <file or folder>... | list\ntargets: {string.Join(", ", FuzzTargets.All.Keys)}");
return 2;
