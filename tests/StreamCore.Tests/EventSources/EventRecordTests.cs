using System.Text;
using System.Text.Json;
using StreamCore.EventSources;

namespace StreamCore.Tests.EventSources;

/// <summary>
/// The event records a mapping builds make their strings and streams when first read (from a copy of the key and
/// data, since a read's batch is lent only until the next read): what a handler reads, and the JSON a function gets,
/// are the stored record's, also when read after the poller has read on; setting a member replaces it.
/// </summary>
public class EventRecordTests
{
    [Fact]
    public async Task A_delivered_record_reads_as_the_stored_record_even_after_the_reader_moved_on()
    {
        await using var h = new MappingHarness();
        var kept = new List<KinesisEvent>();
        h.Lambda.Functions.RegisterKinesisHandler("keep", (e, _) =>
        {
            lock (kept)
            {
                kept.Add(e);
            }

            return Task.CompletedTask;
        });
        var appended = new List<AppendResult>();
        for (int i = 0; i < 300; i++)
        {
            appended.Add(h.Stream.Append("key-" + (i % 7), Encoding.UTF8.GetBytes(new string((char)('a' + (i % 26)), i + 1))));
        }

        await h.MapAsync(r => r.BatchSize = 50, "keep");
        await h.AdvanceUntilAsync(() => { lock (kept) { return kept.Sum(e => e.Records.Count) == 300; } }, TimeSpan.FromMilliseconds(1));

        // Read only now, after every batch was read and the reader moved past them.
        List<KinesisEvent.KinesisEventRecord> records;
        lock (kept)
        {
            records = [.. kept.SelectMany(e => e.Records)];
        }

        for (int i = 0; i < 300; i++)
        {
            KinesisEvent.KinesisEventRecord record = records[i];
            Assert.Equal("key-" + (i % 7), record.Kinesis!.PartitionKey);
            Assert.Equal(appended[i].SequenceNumber.ToString(), record.Kinesis.SequenceNumber);
            Assert.Equal("shardId-000000000000:" + appended[i].SequenceNumber, record.EventId);
            Assert.Equal(new string((char)('a' + (i % 26)), i + 1), Encoding.UTF8.GetString(record.Kinesis.Data!.ToArray()));
            Assert.Same(record.Kinesis.Data, record.Kinesis.Data);
        }
    }

    [Fact]
    public async Task The_JSON_of_a_delivered_record_is_Lambdas_and_setting_a_member_replaces_it()
    {
        await using var h = new MappingHarness();
        h.RegisterRecorder();
        AppendResult put = h.Stream.Append("user-1", "{\"x\":1}"u8);
        await h.MapAsync();
        KinesisEvent.KinesisEventRecord record = (await h.NextAsync()).Records.Single();

        using (JsonDocument json = JsonDocument.Parse(JsonSerializer.Serialize(record, KinesisEventJsonForTests.Options)))
        {
            JsonElement kinesis = json.RootElement.GetProperty("kinesis");
            Assert.Equal("user-1", kinesis.GetProperty("partitionKey").GetString());
            Assert.Equal(put.SequenceNumber.ToString(), kinesis.GetProperty("sequenceNumber").GetString());
            Assert.Equal(Convert.ToBase64String("{\"x\":1}"u8), kinesis.GetProperty("data").GetString());
            Assert.Equal("shardId-000000000000:" + put.SequenceNumber, json.RootElement.GetProperty("eventID").GetString());
        }

        record.Kinesis!.PartitionKey = null;
        record.Kinesis.Data = null;
        record.EventId = "mine";
        record.Kinesis.SequenceNumber = "1";

        Assert.Null(record.Kinesis.PartitionKey);
        Assert.Null(record.Kinesis.Data);
        Assert.Equal("mine", record.EventId);
        Assert.Equal("1", record.Kinesis.SequenceNumber);
    }

    [Fact]
    public void A_record_built_by_hand_has_only_what_was_set()
    {
        var record = new KinesisEvent.KinesisEventRecord { Kinesis = new KinesisEvent.Record { SequenceNumber = "42" } };

        Assert.Null(record.EventId);
        Assert.Null(record.Kinesis.PartitionKey);
        Assert.Null(record.Kinesis.Data);
        Assert.Equal("42", record.Kinesis.SequenceNumber);
    }
}
