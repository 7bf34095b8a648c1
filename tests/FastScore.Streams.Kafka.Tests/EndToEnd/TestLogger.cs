using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace FastScore.Streams.Kafka.Tests.EndToEnd;

/// <summary>Keeps log lines in memory (with the elapsed time) so that a failing test can print them.</summary>
internal sealed class TestLoggerFactory : ILoggerFactory
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly string _prefix;

    public TestLoggerFactory(string prefix = "") => _prefix = prefix;

    public ConcurrentQueue<string> Lines { get; } = new();

    public LogLevel MinimumLevel { get; init; } = LogLevel.Information;

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }

    public void WriteTo(TextWriter writer)
    {
        foreach (string line in Lines)
        {
            writer.WriteLine(line);
        }
    }

    private sealed class Logger(TestLoggerFactory owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= owner.MinimumLevel;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                owner.Lines.Enqueue($"{owner._clock.Elapsed.TotalSeconds,8:F3} {owner._prefix}{logLevel,-11} {category}: {formatter(state, exception)}");
            }
        }
    }
}
