namespace FastScore.Streams.S3;

/// <summary>
/// Resolves <c>secret://</c> references (FastScore spec §2 "Secrets"): <c>secret://name</c> is read from
/// <c>$SECRET_PATH_ROOT/name</c> or <c>/run/secrets/name</c>; <c>secret:///abs/path</c> from that absolute path.
/// Surrounding whitespace (the trailing newline of a secret file) is removed.
/// </summary>
internal static class S3Secrets
{
    public const string Scheme = "secret://";

    public static bool IsReference(string? value) => value is not null && value.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase);

    /// <summary>Returns the value, resolved when it is a reference; empty or whitespace values become <see langword="null"/>.</summary>
    public static string? Resolve(string? value, string field, Func<string, string>? resolver)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        if (!IsReference(value))
        {
            return value;
        }

        string resolved;
        try
        {
            resolved = resolver is not null ? resolver(value) : ReadFile(value);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            // The reference names a file, not the secret itself: it is safe to show.
            throw new StreamException($"Transport.{field}: cannot read the secret {value}: {ex.Message}", ex);
        }

        return string.IsNullOrWhiteSpace(resolved) ? null : resolved.Trim();
    }

    public static string PathOf(string reference)
    {
        string rest = reference[Scheme.Length..];
        if (rest.StartsWith('/'))
        {
            return rest;
        }

        if (rest.Length == 0 || rest.Contains("..", StringComparison.Ordinal))
        {
            throw new ArgumentException("a secret name must be a non-empty file name without '..'.");
        }

        string root = Environment.GetEnvironmentVariable("SECRET_PATH_ROOT") is { Length: > 0 } r ? r : "/run/secrets";
        return Path.Combine(root, rest);
    }

    private static string ReadFile(string reference)
    {
        string path = PathOf(reference);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"no file {path} (set SECRET_PATH_ROOT or mount the secret under /run/secrets)");
        }

        return File.ReadAllText(path);
    }
}
