using FastScore.Streams.Encodings;
using FastScore.Streams.Transports;

namespace FastScore.Streams.Tests.Pipeline;

/// <summary>A record batch keeps each record's bytes, sequence number, control record and metadata, through growth and removal.</summary>
public sealed class RecordBatchTests
{
    [Test]
    public void Records_keep_their_bytes_controls_and_metadata_when_the_batch_grows()
    {
        using var batch = new RecordBatch(initialBytes: 16, initialRecords: 4);
        var metadata = new Dictionary<int, MessageMetadata>();
        for (int i = 0; i < 300; i++)
        {
            MessageMetadata? m = i % 7 == 3 ? new MessageMetadata { Position = $"p{i}" } : null;
            if (m is not null)
            {
                metadata[i] = m;
            }

            batch.Append(System.Text.Encoding.UTF8.GetBytes($"record {i}"), i + 1, m);
            if (i % 50 == 49)
            {
                batch.SetLastControl(new ControlRecord(ControlKind.Set, Id: i));
            }
        }

        Assert.That(batch.Count, Is.EqualTo(300));
        Assert.That(batch.HasControl, Is.True);
        for (int i = 0; i < 300; i++)
        {
            bool control = i % 50 == 49;
            Assert.Multiple(() =>
            {
                Assert.That(System.Text.Encoding.UTF8.GetString(batch.GetSpan(i)), Is.EqualTo($"record {i}"));
                Assert.That(batch.GetSequenceNumber(i), Is.EqualTo(control ? 0 : i + 1));
                Assert.That(batch.GetControl(i), Is.EqualTo(control ? new ControlRecord(ControlKind.Set, Id: i) : default(ControlRecord)));
                Assert.That(batch.GetMetadata(i), Is.SameAs(metadata.GetValueOrDefault(i)));
            });
        }
    }

    [Test]
    public void A_removed_record_leaves_no_control_or_metadata_behind_for_the_next_one()
    {
        using var batch = new RecordBatch(initialBytes: 16, initialRecords: 4);
        batch.Append("a"u8, 1, null);
        batch.Append("b"u8, 2, new MessageMetadata { Position = "b" });
        batch.SetLastControl(new ControlRecord(ControlKind.End));
        batch.RemoveLast();
        batch.Append("c"u8, 2, null);
        Assert.Multiple(() =>
        {
            Assert.That(batch.Count, Is.EqualTo(2));
            Assert.That(batch.ByteCount, Is.EqualTo(2));
            Assert.That(batch.GetSpan(1).ToArray(), Is.EqualTo("c"u8.ToArray()));
            Assert.That(batch.GetControl(1).Kind, Is.EqualTo(ControlKind.None));
            Assert.That(batch.GetMetadata(1), Is.Null);
            Assert.That(batch.GetSequenceNumber(1), Is.EqualTo(2));
        });
    }

    [Test]
    public void Indexes_outside_the_batch_are_refused()
    {
        using var batch = new RecordBatch();
        batch.Append("a"u8, 1, null);
        Assert.Multiple(() =>
        {
            Assert.That(() => batch.GetControl(1), Throws.InstanceOf<ArgumentOutOfRangeException>());
            Assert.That(() => batch.GetMetadata(-1), Throws.InstanceOf<ArgumentOutOfRangeException>());
        });
    }
}
