using FastScore.Streams.Descriptors;

namespace FastScore.Streams.S3;

/// <summary>
/// Resolves the secret-capable fields of an S3 descriptor when a stream opens: <c>secret://</c> references through
/// <see cref="SecretResolver"/> (or <see cref="S3TransportOptions.SecretResolver"/>); empty values mean "not given".
/// </summary>
internal static class S3Secrets
{
    /// <summary>Returns the value, resolved when it is a reference; empty or whitespace values become <see langword="null"/>.</summary>
    /// <exception cref="StreamException">The secret cannot be read; the message names the field and the reference, never a value.</exception>
    public static string? Resolve(string? value, string field, Func<string, string>? resolver)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        if (!SecretResolver.IsSecretReference(value))
        {
            return value;
        }

        string? resolved;
        try
        {
            resolved = resolver is not null ? resolver(value) : SecretResolver.Resolve(value);
        }
        catch (Exception ex) when (ex is StreamException or IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException)
        {
            throw new StreamException($"Transport.{field}: cannot resolve {value}: {ex.Message}", ex);
        }

        return string.IsNullOrWhiteSpace(resolved) ? null : resolved.Trim();
    }
}
