namespace FastScore.Cli;

/// <summary>
/// Credentials of the engine API, from the command line, a file or the environment, so they need not appear in the
/// process list. Precedence: the command-line option or its <c>-file</c> option (giving both is an error), else the
/// environment variable or its <c>_FILE</c> variable (setting both is an error), else none.
/// </summary>
internal static class CliCredentials
{
    /// <summary>The API key (serve: required of clients; clients: sent as <c>X-API-Key</c>).</summary>
    public const string ApiKeyVariable = "FASTSCORE_API_KEY";

    /// <summary>HTTP basic authentication, <c>user:password</c>.</summary>
    public const string UserVariable = "FASTSCORE_USER";

    /// <summary>The password of <c>serve --certificate</c>.</summary>
    public const string CertificatePasswordVariable = "FASTSCORE_CERTIFICATE_PASSWORD";

    /// <summary>Resolves one credential; returns false (with the reason) when the sources conflict or a file cannot be read.</summary>
    /// <param name="option">The option's name, for messages (<c>--api-key</c>).</param>
    /// <param name="value">The option's value, or null.</param>
    /// <param name="file">The <c>-file</c> option's value, or null.</param>
    /// <param name="variable">The environment variable (its <c>_FILE</c> twin names a file).</param>
    /// <param name="environment">Reads environment variables.</param>
    /// <param name="credential">The credential, or null when none is given.</param>
    /// <param name="error">Why it could not be resolved.</param>
    public static bool TryResolve(string option, string? value, string? file, string variable, Func<string, string?> environment,
        out string? credential, out string? error)
    {
        credential = null;
        error = null;
        if (value is not null || file is not null)
        {
            if (value is not null && file is not null)
            {
                error = $"Give {option} or {option}-file, not both.";
                return false;
            }

            return value is not null ? Accept(value, option, out credential, out error) : TryReadFile(file!, $"{option}-file", out credential, out error);
        }

        string? fromVariable = NonEmpty(environment(variable));
        string? fromFile = NonEmpty(environment(variable + "_FILE"));
        if (fromVariable is not null && fromFile is not null)
        {
            error = $"Set {variable} or {variable}_FILE, not both.";
            return false;
        }

        return fromVariable is not null ? Accept(fromVariable, variable, out credential, out error)
            : fromFile is not null ? TryReadFile(fromFile, $"{variable}_FILE", out credential, out error)
            : true;
    }

    /// <summary>Splits <c>user:password</c>; false when there is no user name before the colon.</summary>
    public static bool TrySplitUser(string user, out string name, out string password)
    {
        int colon = user.IndexOf(':', StringComparison.Ordinal);
        name = colon > 0 ? user[..colon] : "";
        password = colon > 0 ? user[(colon + 1)..] : "";
        return colon > 0;
    }

    private static bool Accept(string value, string source, out string? credential, out string? error)
    {
        credential = value.Length == 0 ? null : value;
        error = value.Length == 0 ? $"{source} is empty." : null;
        return error is null;
    }

    /// <summary>Reads a credential file: its content without one trailing line break.</summary>
    private static bool TryReadFile(string path, string source, out string? credential, out string? error)
    {
        credential = null;
        string content;
        try
        {
            content = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            error = $"{source}: cannot read {path} ({ex.GetType().Name}).";
            return false;
        }

        content = content.EndsWith("\r\n", StringComparison.Ordinal) ? content[..^2] : content.EndsWith('\n') ? content[..^1] : content;
        return Accept(content, $"{source} ({path})", out credential, out error);
    }

    private static string? NonEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
