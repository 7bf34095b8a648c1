using System.Text.Json;
using FastScore.Streams.Descriptors;

namespace FastScore.Streams.Rest.Endpoints;

/// <summary>
/// Decides whether a descriptor received over the engine API may be used: its transport type must be allowed
/// (<see cref="FastScoreRestOptions.TransportAccess"/>) and every local path it names (file <c>Path</c>,
/// <c>secret:///path</c> references, Kafka <c>Keytab</c> and <c>*.location</c> settings) must resolve, through
/// <c>..</c> and symbolic links, to the data root or below it.
/// </summary>
internal sealed class ApiStreamPolicy
{
    /// <summary>The most symbolic links followed while resolving one path (as Linux's ELOOP).</summary>
    private const int MaxLinks = 40;

    // librdkafka settings that load code or run a program: refused over the API whatever the transport access says
    private static readonly string[] s_kafkaCodeSettings = ["plugin.library.paths", "sasl.kerberos.kinit.cmd", "ssl.engine.location", "ssl.providers"];

    private static readonly StringComparison s_pathComparison =
        OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;

    private readonly Dictionary<string, ApiTransportAccess> _access;

    public ApiStreamPolicy(FastScoreRestOptions options)
    {
        DataRoot = Path.GetFullPath(options.DataRoot ?? Environment.CurrentDirectory);
        _access = new Dictionary<string, ApiTransportAccess>(options.TransportAccess, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>Gets the folder that paths must resolve under (absolute).</summary>
    public string DataRoot { get; }

    /// <summary>Returns why the descriptor may not be used over the API for that direction, or <see langword="null"/> when it may.</summary>
    public string? Check(StreamDescriptor descriptor, bool asInput)
    {
        string type = descriptor.Transport.Type;
        ApiTransportAccess access = _access.TryGetValue(type, out ApiTransportAccess a) ? a : ApiTransportAccess.Refused;
        if (access == ApiTransportAccess.Refused)
        {
            return $"Transport '{type}' is not allowed over the engine API: it could run programs, use the server's console or open ports on the server. " +
                $"The operator can allow it (fastscore serve --allow-transport {type}, or FastScoreRestOptions.TransportAccess).";
        }

        if (access == ApiTransportAccess.ReadOnly && !asInput)
        {
            return $"Transport '{type}' may only be read over the engine API, not written.";
        }

        switch (descriptor.Transport)
        {
            case { Type: "file" } when TransportString(descriptor, "Path") is { } path && CheckPath(path, "Transport.Path") is { } problem:
                return problem;
            case { Type: "kafka" } when CheckKafka(descriptor) is { } problem:
                return problem;
            case { Type: "http" } when TransportString(descriptor, "Url") is { } url
                && !url.StartsWith("http://", StringComparison.OrdinalIgnoreCase) && !url.StartsWith("https://", StringComparison.OrdinalIgnoreCase):
                return "Transport.Url: only http:// and https:// URLs are allowed over the engine API.";
        }

        return CheckSecretPaths(descriptor);
    }

    /// <summary>
    /// Reads a string field of the transport from the canonical JSON it writes (the file and http descriptors are the core's own,
    /// not public API: every transport is inspected through what it writes, as <see cref="CheckKafka"/> does).
    /// </summary>
    private static string? TransportString(StreamDescriptor descriptor, string field)
    {
        using var document = JsonDocument.Parse(descriptor.ToJson(indented: false));
        return document.RootElement.TryGetProperty("Transport", out JsonElement transport) && transport.ValueKind == JsonValueKind.Object
            && transport.TryGetProperty(field, out JsonElement value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;
    }

    /// <summary>
    /// Checks a kafka transport's server-side paths and code-loading settings. The Kafka descriptor type lives in the
    /// Kafka package, which this package does not reference: its fields are read from the canonical JSON the transport
    /// writes (<c>Keytab</c>, <c>Config</c>).
    /// </summary>
    private string? CheckKafka(StreamDescriptor descriptor)
    {
        using var document = System.Text.Json.JsonDocument.Parse(descriptor.ToJson(indented: false));
        System.Text.Json.JsonElement transport = document.RootElement.GetProperty("Transport");
        if (transport.TryGetProperty("Keytab", out System.Text.Json.JsonElement keytabElement)
            && keytabElement.ValueKind == System.Text.Json.JsonValueKind.String
            && keytabElement.GetString() is { Length: > 0 } keytab
            && CheckPath(keytab, "Transport.Keytab") is { } problem)
        {
            return problem;
        }

        if (!transport.TryGetProperty("Config", out System.Text.Json.JsonElement config) || config.ValueKind != System.Text.Json.JsonValueKind.Object)
        {
            return null;
        }

        foreach (System.Text.Json.JsonProperty setting in config.EnumerateObject())
        {
            string value = setting.Value.ValueKind == System.Text.Json.JsonValueKind.String ? setting.Value.GetString() ?? string.Empty : setting.Value.GetRawText();
            string name = setting.Name.Trim();
            if (s_kafkaCodeSettings.Any(k => name.Equals(k, StringComparison.OrdinalIgnoreCase)))
            {
                return $"Transport.Config.{name}: not allowed over the engine API (it loads code or runs a program on the server).";
            }

            bool isPath = name.EndsWith(".location", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".file", StringComparison.OrdinalIgnoreCase)
                || name.Contains("keytab", StringComparison.OrdinalIgnoreCase);
            if (isPath && !(name.Equals("ssl.ca.location", StringComparison.OrdinalIgnoreCase) && value == "probe")
                && !SecretResolver.IsSecretReference(value) && CheckPath(value, $"Transport.Config.{name}") is { } problem2)
            {
                return problem2;
            }
        }

        return null;
    }

    /// <summary>Every <c>secret:///absolute/path</c> anywhere in the descriptor must name a file under the data root (<c>secret://name</c> reads the operator's secret folder and is allowed).</summary>
    private string? CheckSecretPaths(StreamDescriptor descriptor)
    {
        string json = descriptor.ToJson(indented: false);
        if (!json.Contains(SecretResolver.Scheme + "/", StringComparison.Ordinal))
        {
            return null;
        }

        using var document = JsonDocument.Parse(json);
        return CheckSecretPaths(document.RootElement, "");
    }

    private string? CheckSecretPaths(JsonElement element, string path)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (JsonProperty property in element.EnumerateObject())
                {
                    if (CheckSecretPaths(property.Value, path.Length == 0 ? property.Name : $"{path}.{property.Name}") is { } problem)
                    {
                        return problem;
                    }
                }

                return null;
            case JsonValueKind.Array:
                int i = 0;
                foreach (JsonElement item in element.EnumerateArray())
                {
                    if (CheckSecretPaths(item, $"{path}[{i++}]") is { } problem)
                    {
                        return problem;
                    }
                }

                return null;
            case JsonValueKind.String when element.GetString() is { } value && value.StartsWith(SecretResolver.Scheme + "/", StringComparison.Ordinal):
                return CheckPath(value[SecretResolver.Scheme.Length..], path);
            default:
                return null;
        }
    }

    /// <summary>Returns why a local path is refused, or <see langword="null"/> when it resolves under the data root.</summary>
    public string? CheckPath(string path, string field)
    {
        if (!Path.IsPathFullyQualified(path))
        {
            return $"{field}: '{path}' is not an absolute path; paths received over the engine API must be absolute and under the data root {DataRoot}.";
        }

        string root;
        string physical;
        string lexical;
        try
        {
            root = Resolve(DataRoot);
            physical = Resolve(path); // as the operating system resolves it: each '..' after the links before it
            lexical = Resolve(Path.GetFullPath(path)); // as .NET opens it: '..' removed first, then the links
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return $"{field}: '{path}' cannot be resolved ({ex.GetType().Name}); paths received over the engine API must be under the data root {DataRoot}.";
        }

        foreach (string resolved in (string[])[physical, lexical])
        {
            if (!IsUnder(resolved, root))
            {
                string through = resolved.Equals(Path.GetFullPath(path), s_pathComparison) ? "" : $" (it resolves to {resolved})";
                return $"{field}: '{path}' is outside the data root {DataRoot}{through}; the engine API may only read and write files under it.";
            }
        }

        return null;
    }

    private static bool IsUnder(string path, string root)
    {
        if (path.Equals(root, s_pathComparison))
        {
            return true;
        }

        string prefix = Path.EndsInDirectorySeparator(root) ? root : root + Path.DirectorySeparatorChar;
        return path.StartsWith(prefix, s_pathComparison);
    }

    /// <summary>
    /// The real path of an absolute path: each segment in turn, following symbolic links (of directories and of the
    /// file itself) and '..' after them; the segments after the first that does not exist are appended as they are.
    /// </summary>
    internal static string Resolve(string path)
    {
        string current = Path.GetPathRoot(path) ?? throw new ArgumentException($"'{path}' has no root.", nameof(path));
        var pending = new Stack<string>();
        PushSegments(pending, path[current.Length..]);
        int links = 0;
        bool exists = true;
        while (pending.TryPop(out string? segment))
        {
            if (segment.Length == 0 || segment == ".")
            {
                continue;
            }

            if (segment == "..")
            {
                current = Path.GetDirectoryName(current) ?? current;
                continue;
            }

            string next = Path.Join(current, segment);
            string? target = exists ? new FileInfo(next).LinkTarget : null;
            if (target is null)
            {
                exists = exists && (File.Exists(next) || Directory.Exists(next));
                current = next;
                continue;
            }

            if (++links > MaxLinks)
            {
                throw new IOException($"Too many levels of symbolic links in '{path}'.");
            }

            string? targetRoot = Path.GetPathRoot(target);
            if (Path.IsPathFullyQualified(target) && targetRoot is not null)
            {
                current = targetRoot;
                target = target[targetRoot.Length..];
            }

            PushSegments(pending, target);
        }

        return current;
    }

    /// <summary>Pushes a path's segments so that the first is popped first.</summary>
    private static void PushSegments(Stack<string> pending, string path)
    {
        string[] segments = path.Split(OperatingSystem.IsWindows() ? ['\\', '/'] : ['/'], StringSplitOptions.None);
        for (int i = segments.Length - 1; i >= 0; i--)
        {
            pending.Push(segments[i]);
        }
    }
}
