namespace FastScore.Streams;

/// <summary>The base of every exception thrown by FastScore.Streams.</summary>
public class StreamException : Exception
{
    /// <summary>Creates an exception with a message.</summary>
    /// <param name="message">What went wrong; secrets inside URLs are masked (<see cref="Diagnostics.SafeText.MaskSecrets"/>).</param>
    public StreamException(string message) : base(Safe(message)) { }

    /// <summary>Creates an exception with a message and the exception that caused it.</summary>
    /// <param name="message">What went wrong; secrets inside URLs are masked (<see cref="Diagnostics.SafeText.MaskSecrets"/>).</param>
    /// <param name="innerException">The native exception (Kafka, S3, I/O) that caused it.</param>
    public StreamException(string message, Exception? innerException) : base(Safe(message), innerException) { }

    /// <summary>Gets or sets the name of the stream the error belongs to, when known.</summary>
    public string? StreamName { get; init; }

    /// <summary>Gets a value indicating whether retrying the operation may succeed.</summary>
    public virtual bool IsTransient => false;

    private static string Safe(string message) => message is null ? message! : Diagnostics.SafeText.MaskSecrets(message);
}

/// <summary>Framing or decoding failed: the bytes can never form a valid record.</summary>
public class StreamFormatException : StreamException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is wrong with the bytes.</param>
    public StreamFormatException(string message) : base(message) { }

    /// <summary>Creates the exception with an inner exception.</summary>
    /// <param name="message">What is wrong with the bytes.</param>
    /// <param name="innerException">The decoder's exception.</param>
    public StreamFormatException(string message, Exception? innerException) : base(message, innerException) { }

    /// <summary>Gets the byte offset in the stream where the problem was found, when known.</summary>
    public long? ByteOffset { get; init; }

    /// <summary>Gets the 1-based record number, when known.</summary>
    public long? RecordNumber { get; init; }
}
