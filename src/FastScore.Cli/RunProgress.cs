using System.Diagnostics;
using System.Globalization;
using System.Text;
using FastScore.Streams.Engine;

namespace FastScore.Cli;

/// <summary>How <c>fastscore run</c> reports progress while it runs (<c>--progress</c>).</summary>
internal enum ProgressMode
{
    /// <summary><see cref="Live"/> when standard error is a terminal (and not <c>-q</c>), else <see cref="None"/>.</summary>
    Auto,

    /// <summary>One line, redrawn in place (carriage return) a few times a second; erased when the run ends.</summary>
    Live,

    /// <summary>A full line every <c>--progress-interval</c> seconds (5 by default), for logs.</summary>
    Plain,

    /// <summary>Nothing but the final summary.</summary>
    None,
}

/// <summary>
/// The progress of a run: per slot the records read (inputs) or written (outputs) and the records rejected, the input
/// rate over the last interval, and the time elapsed. Written to standard error under a lock on the writer, which the
/// CLI's log takes too, so a warning never lands in the middle of the line.
/// </summary>
internal sealed class RunProgress : IDisposable
{
    /// <summary>How often the live line is redrawn: at most four times a second.</summary>
    public static readonly TimeSpan LiveInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>How often a plain line is printed unless <c>--progress-interval</c> says otherwise.</summary>
    public static readonly TimeSpan PlainInterval = TimeSpan.FromSeconds(5);

    private readonly ScoringEngine _engine;
    private readonly TextWriter _error;
    private readonly bool _live;
    private readonly Timer _timer;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private TimeSpan _lastTime;
    private long _lastRecords;
    private int _drawn;
    private int _disposed;

    private RunProgress(ScoringEngine engine, TextWriter error, bool live, TimeSpan interval)
    {
        _engine = engine;
        _error = error;
        _live = live;
        _timer = new Timer(_ => Tick(), null, interval, interval);
    }

    /// <summary>Starts reporting as <paramref name="mode"/> says, or returns null when nothing is to be shown.</summary>
    public static RunProgress? Start(ProgressMode mode, bool isTerminal, bool quiet, ScoringEngine engine, TextWriter error, TimeSpan? interval)
    {
        ProgressMode effective = mode == ProgressMode.Auto ? (isTerminal && !quiet ? ProgressMode.Live : ProgressMode.None) : mode;
        return effective switch
        {
            ProgressMode.Live => new RunProgress(engine, error, live: true, interval ?? LiveInterval),
            ProgressMode.Plain => new RunProgress(engine, error, live: false, interval ?? PlainInterval),
            _ => null,
        };
    }

    /// <summary>The progress line: <c>RUNNING  0:in 12,000 (3 rejected)  1:out 11,997  24,000 rec/s  00:05</c>.</summary>
    internal static string Format(EngineInspection inspection, double recordsPerSecond, TimeSpan elapsed)
    {
        var line = new StringBuilder();
        line.Append(inspection.State.ToString().ToUpperInvariant());
        foreach (SlotInspection slot in inspection.Slots)
        {
            long rejected = slot.RejectedByEncoding + slot.RejectedBySchema + slot.Oversized;
            line.Append(CultureInfo.InvariantCulture, $"  {slot.Slot}:{(slot.IsInput ? "in" : "out")} {slot.Records:N0}");
            if (rejected > 0)
            {
                line.Append(CultureInfo.InvariantCulture, $" ({rejected:N0} rejected)");
            }
        }

        line.Append(CultureInfo.InvariantCulture, $"  {recordsPerSecond:N0} rec/s  {(int)elapsed.TotalMinutes:00}:{elapsed.Seconds:00}");
        return line.ToString();
    }

    private void Tick()
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            return;
        }

        EngineInspection inspection = _engine.Inspect();
        TimeSpan now = _clock.Elapsed;
        long records = inspection.Slots.Where(s => s.IsInput).Sum(s => s.Records);
        double seconds = (now - _lastTime).TotalSeconds;
        double rate = seconds > 0 ? (records - _lastRecords) / seconds : 0;
        (_lastTime, _lastRecords) = (now, records);
        string text = Format(inspection, rate, now);
        lock (_error)
        {
            if (Volatile.Read(ref _disposed) != 0)
            {
                return;
            }

            if (_live)
            {
                _error.Write("\r" + text + "\u001b[K"); // erase what a longer previous line left
            }
            else
            {
                _error.WriteLine("progress: " + text);
            }

            _error.Flush();
            _drawn = 1;
        }
    }

    /// <summary>Stops reporting and, in live mode, erases the line (once, and only when one was drawn).</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _timer.Dispose();
        lock (_error)
        {
            if (_live && _drawn != 0)
            {
                _error.Write("\r\u001b[K");
                _error.Flush();
            }
        }
    }
}
