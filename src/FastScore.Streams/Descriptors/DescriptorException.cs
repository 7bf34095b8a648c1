namespace FastScore.Streams.Descriptors;

/// <summary>One problem found in a stream descriptor.</summary>
/// <param name="Path">The descriptor path of the offending field, e.g. <c>Transport.Port</c>; empty for the whole descriptor.</param>
/// <param name="Message">What was found and what is allowed.</param>
public sealed record DescriptorError(string Path, string Message)
{
    /// <summary>Gets what was found and what is allowed; secrets inside URLs are masked (<see cref="Diagnostics.SafeText.MaskSecrets"/>).</summary>
    public string Message { get; init; } = Diagnostics.SafeText.MaskSecrets(Message);

    /// <inheritdoc />
    public override string ToString() => Path.Length == 0 ? Message : $"{Path}: {Message}";
}

/// <summary>A stream descriptor is malformed or inconsistent. Carries every error found, not just the first.</summary>
public sealed class DescriptorException : StreamException
{
    /// <summary>Creates the exception from a list of errors.</summary>
    /// <param name="errors">Every error found (at least one).</param>
    public DescriptorException(IReadOnlyList<DescriptorError> errors)
        : this(errors, origin: null)
    {
    }

    /// <summary>Creates the exception from a list of errors found in a named source.</summary>
    /// <param name="errors">Every error found (at least one).</param>
    /// <param name="origin">Where the descriptor came from, e.g. <c>file /data/in.json</c>, or <see langword="null"/>.</param>
    public DescriptorException(IReadOnlyList<DescriptorError> errors, string? origin)
        : base(Format(errors, origin))
    {
        Errors = errors;
        Origin = origin;
    }

    /// <summary>Creates the exception for a single error.</summary>
    /// <param name="path">The descriptor path of the offending field.</param>
    /// <param name="message">What was found and what is allowed.</param>
    public DescriptorException(string path, string message) : this([new DescriptorError(path, message)]) { }

    /// <summary>Gets every error found.</summary>
    public IReadOnlyList<DescriptorError> Errors { get; }

    /// <summary>Gets where the descriptor came from (<c>file /data/in.json</c>, <c>literal 'kafka:b/t'</c>, ...), when known.</summary>
    public string? Origin { get; }

    private static string Format(IReadOnlyList<DescriptorError> errors, string? source)
    {
        string where = source is null ? string.Empty : $" ({source})";
        return errors.Count == 1
            ? $"Invalid stream descriptor{where}: {errors[0]}"
            : $"Invalid stream descriptor{where}, {errors.Count} errors:{Environment.NewLine}  " + string.Join(Environment.NewLine + "  ", errors);
    }
}
