using System.Globalization;

namespace FastScore.Streams.Engine;

/// <summary>
/// The engine's recent rejected records and model errors (the last <see cref="EngineOptions.MaxReports"/> of each, for
/// <see cref="ScoringEngine.Inspect"/>), and the rules that fail a run for its rejected records. Used under the engine's lock.
/// </summary>
internal sealed class EngineReports(int maxReports)
{
    private readonly Queue<RejectedRecord> _rejections = new();
    private readonly Queue<ModelError> _modelErrors = new();

    public RejectedRecord[] Rejections => [.. _rejections];

    public ModelError[] ModelErrors => [.. _modelErrors];

    public void Add(RejectedRecord rejection) => Enqueue(_rejections, rejection);

    public void Add(ModelError error) => Enqueue(_modelErrors, error);

    public void Clear()
    {
        _rejections.Clear();
        _modelErrors.Clear();
    }

    /// <summary>Why the run fails for its rejected records (<see cref="EngineOptions.MaxRejectedRecords"/>, <see cref="EngineOptions.MaxRejectedPercent"/>, <see cref="EngineOptions.FailWhenEveryRecordIsRejected"/>), or null.</summary>
    public static string? JudgeRejections(EngineRun run, EngineOptions options)
    {
        if (run.RejectionLimitCrossed is { } crossed)
        {
            return crossed;
        }

        long read = 0, rejected = 0, rejectedInputs = 0;
        lock (run.Engine.Gate)
        {
            foreach (EngineSlot slot in run.Slots)
            {
                CounterTotals totals = slot.Totals();
                long slotRejected = totals.RejectedByEncoding + totals.RejectedBySchema;
                rejected += slotRejected;
                if (slot.IsInput)
                {
                    read += totals.Records + slotRejected;
                    rejectedInputs += slotRejected;
                }
            }
        }

        if (options.FailWhenEveryRecordIsRejected && read > 0 && rejectedInputs == read)
        {
            return string.Create(CultureInfo.InvariantCulture, $"nothing was scored: every one of the {read:N0} records read was rejected (see the rejected records)");
        }

        if (options.MaxRejectedPercent is { } percent && read > 0 && rejected * 100.0 > percent * read)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{rejected:N0} of the {read:N0} records read were rejected ({rejected * 100.0 / read:0.##}%), more than the limit of {percent}%");
        }

        return null;
    }

    /// <summary>Counts a rejection toward <see cref="EngineOptions.MaxRejectedRecords"/>; returns true when this one crossed the limit (the run then stops).</summary>
    public static bool CountTowardLimit(EngineRun run, RejectedRecord rejection, EngineOptions options)
    {
        if (options.MaxRejectedRecords is not { } max || ++run.Rejected <= max || run.RejectionLimitCrossed is not null)
        {
            return false;
        }

        run.RejectionLimitCrossed = string.Create(CultureInfo.InvariantCulture,
            $"more than {max:N0} records were rejected (the limit is {max:N0}); reading stopped at slot {rejection.Slot} record {rejection.RecordNumber:N0}, and what was read before was scored");
        return true;
    }

    private void Enqueue<T>(Queue<T> queue, T item)
    {
        queue.Enqueue(item);
        while (queue.Count > maxReports)
        {
            queue.Dequeue();
        }
    }
}
