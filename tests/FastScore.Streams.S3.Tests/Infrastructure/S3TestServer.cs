using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace FastScore.Streams.S3.Tests.Infrastructure;

/// <summary>
/// A real S3-compatible HTTP server for integration tests: s3rver 3.7.1 (npm, pinned by tests/servers/package-lock.json)
/// started as a child process on a random port over a temporary directory, or an external server named by the
/// <c>S3_SERVICE_URL</c> environment variable.
/// </summary>
/// <remarks>
/// Use <see cref="Shared"/> (one server per test run) with a bucket of your own per test (<see cref="CreateBucketAsync"/>).
/// Needs <c>node</c> and <c>npm ci</c> in tests/servers (.ci/run does both). s3rver does not implement
/// AbortMultipartUpload and checks no signatures; use <see cref="Client"/> (a <see cref="LocalS3Client"/>), because a
/// plain AmazonS3Client silently corrupts uploaded objects on s3rver.
/// </remarks>
public sealed partial class S3TestServer : IDisposable
{
    /// <summary>The environment variable naming an external S3-compatible endpoint (e.g. <c>http://127.0.0.1:4568</c>).</summary>
    public const string ServiceUrlVariable = "S3_SERVICE_URL";

    /// <summary>The access key s3rver accepts (it rejects any other; secrets are not checked).</summary>
    public const string AccessKey = "S3RVER";

    private static readonly TimeSpan s_startTimeout = TimeSpan.FromSeconds(30);
    private static readonly Lazy<S3TestServer> s_shared = new(CreateShared, LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly Process? _process;
    private readonly string? _dataDirectory;
    private readonly ConcurrentQueue<string> _output = new();
    private bool _disposed;

    private S3TestServer(string serviceUrl, AWSCredentials credentials)
    {
        ServiceUrl = serviceUrl;
        Client = CreateClient(serviceUrl, credentials);
    }

    private S3TestServer()
    {
        var root = RepositoryRoot();
        var script = Path.Combine(root, "tests", "servers", "node_modules", "s3rver", "bin", "s3rver.js");
        if (!File.Exists(script))
        {
            throw new InvalidOperationException(
                $"s3rver is not installed ({script} is missing): run `npm ci` in tests/servers (.ci/run does it).");
        }

        _dataDirectory = Directory.CreateTempSubdirectory("fastscore-s3rver-").FullName;
        var start = new ProcessStartInfo("node")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // --openssl-legacy-provider: s3rver encrypts ListObjectsV2 continuation tokens with DES, which OpenSSL 3 (node >= 17)
        // only has in its legacy provider; without it every truncated listing fails with HTTP 500.
        // stop-with-parent.js: the server exits when our stdin pipe closes, even if this process crashes.
        foreach (var argument in new[]
        {
            "--openssl-legacy-provider", "--require", Path.Combine(root, "tests", "servers", "stop-with-parent.js"),
            script, "-d", _dataDirectory, "-a", "127.0.0.1", "-p", "0", "--silent",
        })
        {
            start.ArgumentList.Add(argument);
        }

        var listening = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        try
        {
            _process = Process.Start(start) ?? throw new InvalidOperationException("Could not start node.");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            Directory.Delete(_dataDirectory, recursive: true);
            throw new InvalidOperationException("node is not on PATH: install Node.js (.ci/run installs Debian's nodejs and npm).", e);
        }

        _process.OutputDataReceived += (_, e) => Collect(e.Data, listening);
        _process.ErrorDataReceived += (_, e) => Collect(e.Data, listening);
        _process.Exited += (_, _) => listening.TrySetException(new InvalidOperationException("s3rver exited."));
        _process.EnableRaisingEvents = true;
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        if (!listening.Task.Wait(s_startTimeout) || listening.Task.IsFaulted)
        {
            var output = string.Join(Environment.NewLine, _output);
            Dispose();
            throw new InvalidOperationException($"s3rver did not print 'listening on' within {s_startTimeout.TotalSeconds} s. Its output:{Environment.NewLine}{output}");
        }

        ServiceUrl = listening.Task.Result;
        Client = CreateClient(ServiceUrl, new BasicAWSCredentials(AccessKey, AccessKey));
    }

    /// <summary>
    /// Gets the server shared by every test of this run: <c>S3_SERVICE_URL</c> when set (credentials from
    /// <c>S3_ACCESS_KEY</c>/<c>S3_SECRET_KEY</c>, default S3RVER/S3RVER), else an s3rver child started on first use
    /// and stopped by <see cref="S3TestSetup"/>.
    /// </summary>
    public static S3TestServer Shared => s_shared.Value;

    /// <summary>Gets the endpoint, <c>http://127.0.0.1:PORT</c>.</summary>
    public string ServiceUrl { get; }

    /// <summary>Gets a ready client for <see cref="ServiceUrl"/>: a <see cref="LocalS3Client"/> with path-style addressing.</summary>
    public IAmazonS3 Client { get; }

    /// <summary>Gets a value indicating whether this instance runs its own s3rver child (rather than using <c>S3_SERVICE_URL</c>).</summary>
    public bool IsLocal => _process is not null;

    /// <summary>Starts a private s3rver child, regardless of <c>S3_SERVICE_URL</c>.</summary>
    public static S3TestServer Start() => new();

    /// <summary>
    /// The client configuration for a local endpoint: path-style addressing (no bucket subdomains on 127.0.0.1) and
    /// checksums only where required (harmless for s3rver; required by other emulators).
    /// </summary>
    public static AmazonS3Config ClientConfig(string serviceUrl) => new()
    {
        ServiceURL = serviceUrl,
        ForcePathStyle = true,
        AuthenticationRegion = "us-east-1",
        RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
        ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
    };

    /// <summary>Creates a <see cref="LocalS3Client"/> for <paramref name="serviceUrl"/>.</summary>
    public static IAmazonS3 CreateClient(string serviceUrl, AWSCredentials credentials) => new LocalS3Client(credentials, ClientConfig(serviceUrl));

    /// <summary>Returns a valid bucket name unique to this run (lower case, 3–63 characters).</summary>
    public static string UniqueBucketName(string prefix = "test") => $"{prefix.ToLowerInvariant()}-{Guid.NewGuid():N}";

    /// <summary>Creates a bucket (a unique one when <paramref name="name"/> is null) and returns its name.</summary>
    public async Task<string> CreateBucketAsync(string? name = null, CancellationToken cancellationToken = default)
    {
        name ??= UniqueBucketName();
        await Client.PutBucketAsync(new PutBucketRequest { BucketName = name }, cancellationToken);
        return name;
    }

    /// <summary>Kills the s3rver child (if this instance started one) and deletes its data directory.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        Client?.Dispose();
        if (_process is not null)
        {
            try
            {
                if (!_process.HasExited)
                {
                    _process.Kill();
                    _process.WaitForExit(5000);
                }
            }
            catch (InvalidOperationException)
            {
                // already gone
            }

            _process.Dispose();
        }

        if (_dataDirectory is not null && Directory.Exists(_dataDirectory))
        {
            try
            {
                Directory.Delete(_dataDirectory, recursive: true);
            }
            catch (IOException)
            {
                // best effort: it is under the temp directory
            }
        }
    }

    internal static void DisposeShared()
    {
        if (s_shared.IsValueCreated)
        {
            s_shared.Value.Dispose();
        }
    }

    /// <summary>Finds the repository root: the nearest folder above the test assembly that holds FastScore.Streams.sln.</summary>
    internal static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "FastScore.Streams.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No FastScore.Streams.sln above {AppContext.BaseDirectory}: run the tests from a clone of the repository.");
    }

    private static S3TestServer CreateShared()
    {
        var external = Environment.GetEnvironmentVariable(ServiceUrlVariable);
        if (string.IsNullOrWhiteSpace(external))
        {
            return new S3TestServer();
        }

        var accessKey = Environment.GetEnvironmentVariable("S3_ACCESS_KEY") is { Length: > 0 } a ? a : AccessKey;
        var secretKey = Environment.GetEnvironmentVariable("S3_SECRET_KEY") is { Length: > 0 } s ? s : AccessKey;
        return new S3TestServer(external.Trim().TrimEnd('/'), new BasicAWSCredentials(accessKey, secretKey));
    }

    [GeneratedRegex(@"listening on ([0-9.]+):(\d+)")]
    private static partial Regex ListeningLine();

    private void Collect(string? line, TaskCompletionSource<string> listening)
    {
        if (line is null)
        {
            return;
        }

        _output.Enqueue(line);
        while (_output.Count > 200 && _output.TryDequeue(out string? _))
        {
        }

        if (ListeningLine().Match(line) is { Success: true } match)
        {
            listening.TrySetResult($"http://{match.Groups[1].Value}:{match.Groups[2].Value}");
        }
    }
}
