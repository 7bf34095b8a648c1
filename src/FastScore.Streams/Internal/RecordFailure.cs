namespace FastScore.Streams.Internal;

/// <summary>Turns what a checker or decoder threw for one record into that record's rejection reason.</summary>
internal static class RecordFailure
{
    /// <summary>
    /// The reason: the message of a <see cref="StreamFormatException"/> (bad data, as reported), otherwise the exception's
    /// type and message (an unsupported host type, or a defect that the record exposed: the record is rejected, the stream goes on).
    /// </summary>
    public static string Describe(Exception exception) => exception is StreamFormatException
        ? exception.Message
        : $"the record could not be checked or decoded ({exception.GetType().Name}: {exception.Message})";
}
