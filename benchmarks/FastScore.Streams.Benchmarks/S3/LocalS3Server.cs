using System.Diagnostics;
using System.Text.RegularExpressions;

namespace FastScore.Streams.Benchmarks.S3;

/// <summary>
/// The S3 endpoint of a benchmark: <c>S3_SERVICE_URL</c> when set (key from <c>S3_ACCESS_KEY</c>/<c>S3_SECRET_KEY</c>,
/// default S3RVER), else s3rver 3.7.1 from tests/servers (run <c>npm ci</c> there first) started on a random port.
/// </summary>
internal sealed partial class LocalS3Server : IDisposable
{
    private readonly Process? _process;
    private readonly string? _directory;

    public LocalS3Server()
    {
        AccessKey = Environment.GetEnvironmentVariable("S3_ACCESS_KEY") is { Length: > 0 } a ? a : "S3RVER";
        SecretKey = Environment.GetEnvironmentVariable("S3_SECRET_KEY") is { Length: > 0 } s ? s : "S3RVER";
        if (Environment.GetEnvironmentVariable("S3_SERVICE_URL") is { Length: > 0 } url)
        {
            ServiceUrl = url.TrimEnd('/');
            return;
        }

        string root = RepositoryRoot();
        string script = Path.Combine(root, "tests", "servers", "node_modules", "s3rver", "bin", "s3rver.js");
        if (!File.Exists(script))
        {
            throw new InvalidOperationException($"{script} is missing: run `npm ci` in tests/servers, or set S3_SERVICE_URL.");
        }

        // S3_BENCH_DATA_ROOT (e.g. /dev/shm) puts s3rver's files on another file system (tmpfs).
        string? dataRoot = Environment.GetEnvironmentVariable("S3_BENCH_DATA_ROOT") is { Length: > 0 } r ? r : null;
        _directory = dataRoot is null
            ? Directory.CreateTempSubdirectory("fastscore-bench-s3-").FullName
            : Directory.CreateDirectory(Path.Combine(dataRoot, "fastscore-bench-s3-" + Guid.NewGuid().ToString("N"))).FullName;
        var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardInput = true, UseShellExecute = false };
        foreach (string argument in (string[])["--openssl-legacy-provider", "--require", Path.Combine(root, "tests", "servers", "stop-with-parent.js"),
                     script, "-d", _directory, "-a", "127.0.0.1", "-p", "0", "--silent"])
        {
            start.ArgumentList.Add(argument);
        }

        _process = Process.Start(start) ?? throw new InvalidOperationException("Could not start node.");
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline && _process.StandardOutput.ReadLine() is { } line)
        {
            if (Listening().Match(line) is { Success: true } match)
            {
                ServiceUrl = $"http://{match.Groups[1].Value}:{match.Groups[2].Value}";
                return;
            }
        }

        Dispose();
        throw new InvalidOperationException("s3rver did not start.");
    }

    public string ServiceUrl { get; } = "";

    /// <summary>Gets the id of the s3rver process, or null when <c>S3_SERVICE_URL</c> names another endpoint.</summary>
    public int? ProcessId => _process?.Id;

    public string AccessKey { get; }

    public string SecretKey { get; }

    public void Dispose()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill();
            _process.WaitForExit(5000);
        }

        _process?.Dispose();
        if (_directory is not null && Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "FastScore.Streams.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Run the benchmark from a clone of the repository (tests/servers holds s3rver), or set S3_SERVICE_URL.");
    }

    [GeneratedRegex(@"listening on ([0-9.]+):(\d+)")]
    private static partial Regex Listening();
}
