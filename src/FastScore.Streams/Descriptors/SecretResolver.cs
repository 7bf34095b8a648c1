namespace FastScore.Streams.Descriptors;

/// <summary>
/// Resolves <c>secret://name</c> values (FastScore's Docker-secret convention) when a stream opens. Descriptors keep
/// the reference itself: printing a descriptor never reads a secret.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><c>secret://name</c> reads <c>$SECRET_PATH_ROOT/name</c> when the environment variable <c>SECRET_PATH_ROOT</c>
/// is set, otherwise <c>/run/secrets/name</c>.</item>
/// <item><c>secret:///abs/path</c> reads that absolute path.</item>
/// <item>One trailing line break (<c>\n</c> or <c>\r\n</c>) is removed from the file's content.</item>
/// <item>Any other value is returned unchanged.</item>
/// </list>
/// Thread-safe. Transports call <see cref="Resolve(string?)"/> for each secret-capable field when they open.
/// </remarks>
public static class SecretResolver
{
    /// <summary>The prefix of a secret reference.</summary>
    public const string Scheme = "secret://";

    /// <summary>The folder Docker mounts secrets into.</summary>
    public const string DefaultSecretRoot = "/run/secrets";

    /// <summary>The environment variable that overrides <see cref="DefaultSecretRoot"/>.</summary>
    public const string SecretRootVariable = "SECRET_PATH_ROOT";

    /// <summary>Gets a value indicating whether a value is a <c>secret://</c> reference.</summary>
    /// <param name="value">The value.</param>
    /// <returns><see langword="true"/> when <paramref name="value"/> starts with <c>secret://</c>.</returns>
    public static bool IsSecretReference(string? value) => value is not null && value.StartsWith(Scheme, StringComparison.Ordinal);

    /// <summary>Resolves a value: a <c>secret://</c> reference becomes the secret's content; anything else is returned as is.</summary>
    /// <param name="value">The value from the descriptor.</param>
    /// <returns>The resolved value (<see langword="null"/> for <see langword="null"/>).</returns>
    /// <exception cref="StreamException">The secret file is missing or unreadable; the message names the secret, never its value.</exception>
    public static string? Resolve(string? value) =>
        Resolve(value, Environment.GetEnvironmentVariable(SecretRootVariable) is { Length: > 0 } root ? root : DefaultSecretRoot);

    /// <summary>Resolves a value against a given secret folder.</summary>
    /// <param name="value">The value from the descriptor.</param>
    /// <param name="secretRoot">The folder holding one file per secret.</param>
    /// <returns>The resolved value (<see langword="null"/> for <see langword="null"/>).</returns>
    /// <exception cref="StreamException">The secret file is missing or unreadable, or the name is not a plain file name.</exception>
    public static string? Resolve(string? value, string secretRoot)
    {
        ArgumentNullException.ThrowIfNull(secretRoot);
        if (!IsSecretReference(value))
        {
            return value;
        }

        string name = value![Scheme.Length..];
        string path;
        if (name.StartsWith('/'))
        {
            path = name;
        }
        else
        {
            if (name.Length == 0 || name.Split('/', '\\').Any(segment => segment is ".." or "." or ""))
            {
                throw new StreamException($"Secret reference '{value}' is not valid: expected secret://name (a file in {secretRoot}) or secret:///absolute/path.");
            }

            path = Path.Combine(secretRoot, name);
        }

        string content;
        try
        {
            content = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new StreamException($"Secret '{name}' not found: no file {path}. Mount it as a Docker secret, or set {SecretRootVariable} to the folder holding it.", ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new StreamException($"Secret '{name}' could not be read from {path}: {ex.GetType().Name}.", ex);
        }

        if (content.EndsWith("\r\n", StringComparison.Ordinal))
        {
            return content[..^2];
        }

        return content.EndsWith('\n') ? content[..^1] : content;
    }
}
