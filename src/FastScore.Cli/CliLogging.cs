using Microsoft.Extensions.Logging;

namespace FastScore.Cli;

/// <summary>
/// The CLI's log: warnings and errors of the transports (an unreachable Kafka broker, an S3 retry...) go to stderr as
/// they happen, one line each (<c>warning: ...</c>), so that a run that waits says why. The engine's own messages
/// (rejected records, model errors, its failure) are left out: the summary reports them. librdkafka's raw log lines
/// (event 109) are left out too: the Kafka transport reports the same problems, throttled.
/// </summary>
internal sealed class CliLogging(TextWriter error) : ILoggerFactory
{
    private const string EngineCategory = "FastScore.Streams.Engine";
    private const int KafkaClientLogEvent = 109;

    public ILogger CreateLogger(string categoryName) =>
        categoryName.StartsWith(EngineCategory, StringComparison.Ordinal) ? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance : new Logger(error);

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }

    private sealed class Logger(TextWriter error) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning && logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel) || eventId.Id == KafkaClientLogEvent)
            {
                return;
            }

            // The message only: never an exception's stack trace.
            string line = $"{(logLevel >= LogLevel.Error ? "error" : "warning")}: {formatter(state, exception)}";
            lock (error)
            {
                error.WriteLine(line);
            }
        }
    }
}
