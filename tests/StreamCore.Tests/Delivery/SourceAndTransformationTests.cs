using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Google.Protobuf;
using StreamCore.Buckets;
using StreamCore.Delivery;
using StreamCore.Functions;
using StreamCore.Kinesis;
using PutRecordRequest = StreamCore.Kinesis.PutRecordRequest;
using PutRecordResponse = StreamCore.Kinesis.PutRecordResponse;
using Record = StreamCore.Delivery.Record;

namespace StreamCore.Tests.Delivery;

public sealed class SourceAndTransformationTests
{
    private const string Uuid = "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}";

    /// <summary>A KPL aggregate (magic, protobuf AggregatedRecord, MD5), written with Google.Protobuf.</summary>
    private static byte[] Aggregate(params string[] records)
    {
        using var body = new MemoryStream();
        var output = new CodedOutputStream(body);
        output.WriteTag(1, WireFormat.WireType.LengthDelimited);
        output.WriteString("pk");
        foreach (string r in records)
        {
            using var inner = new MemoryStream();
            var record = new CodedOutputStream(inner);
            record.WriteTag(1, WireFormat.WireType.Varint);
            record.WriteUInt64(0);
            record.WriteTag(3, WireFormat.WireType.LengthDelimited);
            record.WriteBytes(ByteString.CopyFromUtf8(r));
            record.Flush();
            output.WriteTag(3, WireFormat.WireType.LengthDelimited);
            output.WriteBytes(ByteString.CopyFrom(inner.ToArray()));
        }

        output.Flush();
        byte[] protobuf = body.ToArray();
        return [0xF3, 0x89, 0x9A, 0xC2, .. protobuf, .. MD5.HashData(protobuf)];
    }

    private const string SourceArn = "arn:aws:kinesis:us-east-1:000000000000:stream/app-clickstream";

    /// <summary>Waits (on the thing itself, with a timeout) until the delivery stream has buffered <paramref name="count"/> records.</summary>
    private static async Task WaitForBuffered(FirehoseBed bed, string name, int count)
    {
        using var timeout = new CancellationTokenSource(FirehoseBed.Wait);
        while (bed.Firehose.BufferedRecords(name) < count)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(5), TimeProvider.System, timeout.Token);
        }

        Assert.Equal(count, bed.Firehose.BufferedRecords(name));
    }

    private static Task<CreateDeliveryStreamResponse> CreateFromStreamAsync(FirehoseBed bed, string name, string prefix = "processed/") =>
        bed.Firehose.CreateDeliveryStreamAsync(new CreateDeliveryStreamRequest
        {
            DeliveryStreamName = name,
            DeliveryStreamType = DeliveryStreamType.KinesisStreamAsSource,
            KinesisStreamSourceConfiguration = new KinesisStreamSourceConfiguration { KinesisStreamARN = SourceArn, RoleARN = FirehoseBed.Role },
            ExtendedS3DestinationConfiguration = FirehoseBed.S3(c =>
            {
                c.Prefix = prefix;
                c.BufferingHints = new BufferingHints { SizeInMBs = 128, IntervalInSeconds = 900 };
                c.ProcessingConfiguration = new ProcessingConfiguration { Enabled = true, Processors = [new Processor { Type = ProcessorType.AppendDelimiterToRecord }] };
            }),
        });

    private static async Task<string[]> LinesAsync(FirehoseBed bed, string prefix)
    {
        var lines = new List<string>();
        foreach (BucketObject o in await bed.ListAsync(prefix: prefix))
        {
            lines.AddRange((await bed.TextAsync(o.Key)).Split('\n', StringSplitOptions.RemoveEmptyEntries));
        }

        return [.. lines];
    }

    [Fact]
    public async Task A_KinesisStreamAsSource_reads_from_TRIM_HORIZON_de_aggregates_KPL_records_and_stops_without_losing_any()
    {
        var bed = new FirehoseBed();
        IKinesisClient kinesis = bed.Engine.CreateKinesisClient();
        await kinesis.CreateStreamAsync(new CreateStreamRequest { StreamName = "app-clickstream", ShardCount = 2 });
        await kinesis.PutRecordAsync(new PutRecordRequest { StreamName = "app-clickstream", PartitionKey = "a", Data = FirehoseBed.Bytes("plain-1") });
        await kinesis.PutRecordAsync(new PutRecordRequest { StreamName = "app-clickstream", PartitionKey = "b", Data = new MemoryStream(Aggregate("agg-1", "agg-2", "agg-3")) });
        bed.Clock.Advance(TimeSpan.FromSeconds(5));
        await CreateFromStreamAsync(bed, "stream-to-s3");
        await WaitForBuffered(bed, "stream-to-s3", 4);
        for (int i = 0; i < 20; i++)
        {
            await kinesis.PutRecordAsync(new PutRecordRequest { StreamName = "app-clickstream", PartitionKey = $"k{i}", Data = FirehoseBed.Bytes($"later-{i}") });
        }

        await WaitForBuffered(bed, "stream-to-s3", 24);
        await bed.DisposeAsync();
        BucketObject o = Assert.Single(await bed.ListAsync(prefix: "processed/"));

        // The object is named after its oldest record's arrival in the source stream (12:00:00), not the delivery stream's creation.
        Assert.Matches($"^processed/2026/03/01/12/stream-to-s3-1-2026-03-01-12-00-00-{Uuid}$", o.Key);
        string[] lines = (await bed.TextAsync(o.Key)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        string[] expected = ["plain-1", "agg-1", "agg-2", "agg-3", .. Enumerable.Range(0, 20).Select(i => $"later-{i}")];
        Assert.Equal(expected.Order(StringComparer.Ordinal), lines.Order(StringComparer.Ordinal));

        // Within the aggregate the user records keep their order.
        Assert.True(Array.IndexOf(lines, "agg-1") < Array.IndexOf(lines, "agg-2") && Array.IndexOf(lines, "agg-2") < Array.IndexOf(lines, "agg-3"));
    }

    [Fact]
    public async Task A_KinesisStreamAsSource_is_checkpointed_per_shard_and_PutRecordBatch_is_refused_as_Firehose_refuses_it()
    {
        await using var bed = new FirehoseBed();
        IKinesisClient kinesis = bed.Engine.CreateKinesisClient();
        await kinesis.CreateStreamAsync(new CreateStreamRequest { StreamName = "app-clickstream", ShardCount = 1 });
        PutRecordResponse last = null!;
        for (int i = 0; i < 3; i++)
        {
            last = await kinesis.PutRecordAsync(new PutRecordRequest { StreamName = "app-clickstream", PartitionKey = "p", Data = FirehoseBed.Bytes($"r{i}") });
        }

        await CreateFromStreamAsync(bed, "cp");
        await WaitForBuffered(bed, "cp", 3);
        KeyValuePair<ShardId, SequenceNumber> checkpoint = Assert.Single(bed.Firehose.SourceCheckpoints("cp"));
        Assert.Equal("shardId-000000000000", checkpoint.Key.ToString());
        Assert.Equal(last.SequenceNumber, checkpoint.Value.ToString());

        var batch = await Assert.ThrowsAsync<StreamCore.Errors.InvalidArgumentException>(() => bed.PutAsync("cp", "x"));
        Assert.Equal("This operation is not permitted on KinesisStreamAsSource delivery stream type.", batch.Message);
        Assert.Equal(3, bed.Firehose.BufferedRecords("cp"));
    }

    [Fact]
    public async Task A_KinesisStreamAsSource_can_start_at_LATEST_as_AWS_documents_it()
    {
        var bed = new FirehoseBed(latest: true);
        IKinesisClient kinesis = bed.Engine.CreateKinesisClient();
        await kinesis.CreateStreamAsync(new CreateStreamRequest { StreamName = "app-clickstream", ShardCount = 1 });
        await kinesis.PutRecordAsync(new PutRecordRequest { StreamName = "app-clickstream", PartitionKey = "p", Data = FirehoseBed.Bytes("before") });
        await CreateFromStreamAsync(bed, "late");
        await bed.Firehose.SourceListed("late").WaitAsync(FirehoseBed.Wait);
        await kinesis.PutRecordAsync(new PutRecordRequest { StreamName = "app-clickstream", PartitionKey = "p", Data = FirehoseBed.Bytes("after") });
        await WaitForBuffered(bed, "late", 1);
        await bed.DisposeAsync();
        Assert.Equal(["after"], await LinesAsync(bed, "processed/"));
    }

    [Fact]
    public async Task Resharding_before_and_while_reading_delivers_every_record_once_with_parents_before_children()
    {
        var bed = new FirehoseBed();
        IKinesisClient kinesis = bed.Engine.CreateKinesisClient();
        await kinesis.CreateStreamAsync(new CreateStreamRequest { StreamName = "app-clickstream", ShardCount = 1 });
        string[] keys = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot"];
        int n = 0;
        async Task PutRound(int rounds)
        {
            for (int r = 0; r < rounds; r++, n++)
            {
                await kinesis.PutRecordsAsync(new PutRecordsRequest
                {
                    StreamName = "app-clickstream",
                    Records = [.. keys.Select(k => new PutRecordsRequestEntry { PartitionKey = k, Data = FirehoseBed.Bytes($"{k}:{n:D5}") })],
                });
            }
        }

        // Before the delivery stream exists: the parent holds rounds 0-199, its children rounds 200-399.
        await PutRound(200);
        await kinesis.SplitShardAsync(new SplitShardRequest { StreamName = "app-clickstream", ShardToSplit = "shardId-000000000000", NewStartingHashKey = (UInt128.MaxValue / 2).ToString(System.Globalization.CultureInfo.InvariantCulture) });
        await PutRound(200);
        await CreateFromStreamAsync(bed, "reshard");
        await WaitForBuffered(bed, "reshard", 400 * keys.Length);

        // While reading: the two children merge back; the merged shard is read after both.
        await kinesis.MergeShardsAsync(new MergeShardsRequest { StreamName = "app-clickstream", ShardToMerge = "shardId-000000000001", AdjacentShardToMerge = "shardId-000000000002" });
        await PutRound(200);
        await WaitForBuffered(bed, "reshard", 600 * keys.Length);
        Assert.Equal(4, bed.Firehose.SourceCheckpoints("reshard").Count);
        await bed.DisposeAsync();

        string[] lines = await LinesAsync(bed, "processed/");
        Assert.Equal(600 * keys.Length, lines.Length);
        Assert.Equal(lines.Length, lines.Distinct().Count());
        foreach (string key in keys)
        {
            // Per partition key, in the order written: a child's records never come before its parent's.
            int[] order = [.. lines.Where(l => l.StartsWith(key + ":", StringComparison.Ordinal)).Select(l => int.Parse(l[(key.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture))];
            Assert.Equal(Enumerable.Range(0, 600), order);
        }
    }

    [Fact]
    public async Task Deleting_the_source_stream_while_reading_delivers_what_was_read_and_deleting_the_delivery_stream_stops_its_reader()
    {
        var bed = new FirehoseBed();
        IKinesisClient kinesis = bed.Engine.CreateKinesisClient();
        await kinesis.CreateStreamAsync(new CreateStreamRequest { StreamName = "app-clickstream", ShardCount = 2 });
        await kinesis.CreateStreamAsync(new CreateStreamRequest { StreamName = "other", ShardCount = 1 });
        for (int i = 0; i < 50; i++)
        {
            await kinesis.PutRecordAsync(new PutRecordRequest { StreamName = "app-clickstream", PartitionKey = $"k{i}", Data = FirehoseBed.Bytes($"r{i}") });
        }

        await CreateFromStreamAsync(bed, "gone");
        await WaitForBuffered(bed, "gone", 50);
        await kinesis.DeleteStreamAsync(new DeleteStreamRequest { StreamName = "app-clickstream" });
        await bed.Firehose.WhenSourceStoppedAsync("gone").WaitAsync(FirehoseBed.Wait);

        // The delivery stream stays usable: a flush delivers everything read before the deletion, once.
        await bed.Firehose.FlushAsync("gone").WaitAsync(FirehoseBed.Wait);
        string[] lines = await LinesAsync(bed, "processed/");
        Assert.Equal(Enumerable.Range(0, 50).Select(i => $"r{i}").Order(StringComparer.Ordinal), lines.Order(StringComparer.Ordinal));

        // A second delivery stream on a live stream: deleting it stops its reader and delivers what it had buffered.
        await bed.Firehose.CreateDeliveryStreamAsync(new CreateDeliveryStreamRequest
        {
            DeliveryStreamName = "deleted",
            DeliveryStreamType = DeliveryStreamType.KinesisStreamAsSource,
            KinesisStreamSourceConfiguration = new KinesisStreamSourceConfiguration { KinesisStreamARN = "arn:aws:kinesis:us-east-1:000000000000:stream/other", RoleARN = FirehoseBed.Role },
            ExtendedS3DestinationConfiguration = FirehoseBed.S3(c => { c.Prefix = "other/"; c.BufferingHints = new BufferingHints { SizeInMBs = 128, IntervalInSeconds = 900 }; }),
        });
        await kinesis.PutRecordAsync(new PutRecordRequest { StreamName = "other", PartitionKey = "p", Data = FirehoseBed.Bytes("kept") });
        await WaitForBuffered(bed, "deleted", 1);
        Task stopped = bed.Firehose.WhenSourceStoppedAsync("deleted");
        await bed.Firehose.DeleteDeliveryStreamAsync(new DeleteDeliveryStreamRequest { DeliveryStreamName = "deleted" });
        await stopped.WaitAsync(FirehoseBed.Wait);
        using var timeout = new CancellationTokenSource(FirehoseBed.Wait);
        while ((await bed.ListAsync(prefix: "other/")).Count == 0)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(5), TimeProvider.System, timeout.Token);
        }

        await kinesis.PutRecordAsync(new PutRecordRequest { StreamName = "other", PartitionKey = "p", Data = FirehoseBed.Bytes("after-delete") });
        await bed.DisposeAsync();
        Assert.Equal("kept", await bed.TextAsync(Assert.Single(await bed.ListAsync(prefix: "other/")).Key));
    }

    private static FunctionRegistry Transform(FirehoseBed bed, Func<string, (string Result, string? Data, string? Kind)?> perRecord)
    {
        FunctionRegistry registry = bed.Engine.GetFunctionRegistry();
        registry.Register("transform", (payload, _) =>
        {
            using JsonDocument e = JsonDocument.Parse(payload);
            var output = new System.Buffers.ArrayBufferWriter<byte>();
            using (var json = new Utf8JsonWriter(output))
            {
                json.WriteStartObject();
                json.WriteStartArray("records");
                foreach (JsonElement r in e.RootElement.GetProperty("records").EnumerateArray())
                {
                    string text = Encoding.UTF8.GetString(r.GetProperty("data").GetBytesFromBase64());
                    if (perRecord(text) is not { } answer)
                    {
                        continue;
                    }

                    json.WriteStartObject();
                    json.WriteString("recordId", r.GetProperty("recordId").GetString());
                    json.WriteString("result", answer.Result);
                    if (answer.Data is { } data)
                    {
                        json.WriteBase64String("data", Encoding.UTF8.GetBytes(data));
                    }

                    if (answer.Kind is { } kind)
                    {
                        json.WriteStartObject("metadata");
                        json.WriteStartObject("partitionKeys");
                        json.WriteString("kind", kind);
                        json.WriteEndObject();
                        json.WriteEndObject();
                    }

                    json.WriteEndObject();
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }

            return ValueTask.FromResult(output.WrittenMemory);
        });
        return registry;
    }

    private static ExtendedS3DestinationConfiguration WithLambda(string arn, int retries, bool partitionByLambda) => FirehoseBed.S3(c =>
    {
        c.Prefix = partitionByLambda ? "kind=!{partitionKeyFromLambda:kind}/" : "out/";
        c.ErrorOutputPrefix = "errors/!{firehose:error-output-type}/";
        c.BufferingHints = new BufferingHints { SizeInMBs = 64, IntervalInSeconds = 60 };
        c.DynamicPartitioningConfiguration = partitionByLambda ? new DynamicPartitioningConfiguration { Enabled = true } : null;
        c.ProcessingConfiguration = new ProcessingConfiguration
        {
            Enabled = true,
            Processors =
            [
                new Processor
                {
                    Type = ProcessorType.Lambda,
                    Parameters =
                    [
                        new ProcessorParameter { ParameterName = ProcessorParameterName.LambdaArn, ParameterValue = arn },
                        new ProcessorParameter { ParameterName = ProcessorParameterName.NumberOfRetries, ParameterValue = retries.ToString(System.Globalization.CultureInfo.InvariantCulture) },
                    ],
                },
            ],
        };
    });

    [Fact]
    public async Task A_transformation_delivers_Ok_drops_Dropped_and_sends_failed_and_missing_records_to_the_error_prefix_partitioned_by_its_keys()
    {
        await using var bed = new FirehoseBed();
        FunctionRegistry registry = Transform(bed, text => text switch
        {
            "drop" => ("Dropped", null, null),
            "fail" => ("ProcessingFailed", null, null),
            "skip" => null,
            "odd" => ("Unknown", null, null),
            _ => ("Ok", text.ToUpperInvariant() + "\n", text[..1]),
        });
        await bed.CreateAsync("t", WithLambda(registry.FunctionArn("transform"), retries: 3, partitionByLambda: true));
        await bed.PutAsync("t", "apple", "drop", "banana", "fail", "avocado", "skip", "odd");
        await bed.AdvanceAsync("t", TimeSpan.FromSeconds(60)); // the transformation's buffer interval
        await bed.AdvanceAsync("t", TimeSpan.FromSeconds(60)); // the destination's
        List<BucketObject> objects = await bed.ListAsync();
        Assert.Equal(3, objects.Count);
        Assert.Matches($"^errors/processing-failed/2026/03/01/12/t-1-2026-03-01-12-00-00-{Uuid}$", objects[0].Key);
        Assert.Matches($"^kind=a/t-1-2026-03-01-12-00-00-{Uuid}$", objects[1].Key);
        Assert.Equal("APPLE\nAVOCADO\n", await bed.TextAsync(objects[1].Key));
        Assert.Matches($"^kind=b/t-1-", objects[2].Key);
        Assert.Equal("BANANA\n", await bed.TextAsync(objects[2].Key));

        JsonElement[] errors = [.. (await bed.TextAsync(objects[0].Key)).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.Clone())];
        Assert.Equal(["fail", "skip", "odd"], errors.Select(e => Encoding.UTF8.GetString(e.GetProperty("rawData").GetBytesFromBase64())));
        Assert.Equal(["Lambda.ProcessingFailed", "Lambda.MissingRecordId", "Lambda.InvalidResult"], errors.Select(e => e.GetProperty("errorCode").GetString()));
        Assert.All(errors, e =>
        {
            Assert.Equal(["attemptsMade", "arrivalTimestamp", "errorCode", "errorMessage", "attemptEndingTimestamp", "rawData", "lambdaArn"], e.EnumerateObject().Select(p => p.Name));
            Assert.Equal(1, e.GetProperty("attemptsMade").GetInt32());
            Assert.Equal("arn:aws:lambda:us-east-1:000000000000:function:transform", e.GetProperty("lambdaArn").GetString());
            Assert.Equal(FirehoseBed.Start.ToUnixTimeMilliseconds(), e.GetProperty("arrivalTimestamp").GetInt64());
            Assert.Equal(FirehoseBed.Start.AddSeconds(60).ToUnixTimeMilliseconds(), e.GetProperty("attemptEndingTimestamp").GetInt64());
        });
    }

    [Fact]
    public async Task A_failing_function_is_retried_NumberOfRetries_times_then_the_whole_batch_goes_to_the_error_prefix_with_its_original_data()
    {
        await using var bed = new FirehoseBed();
        int invocations = 0;
        FunctionRegistry registry = bed.Engine.GetFunctionRegistry();
        registry.Register("broken", (_, _) =>
        {
            Interlocked.Increment(ref invocations);
            throw new InvalidOperationException("boom");
        });
        await bed.CreateAsync("f", WithLambda(registry.FunctionArn("broken"), retries: 2, partitionByLambda: false));
        await bed.PutAsync("f", "one", "two");
        await bed.AdvanceAsync("f", TimeSpan.FromSeconds(60));
        await bed.AdvanceAsync("f", TimeSpan.FromSeconds(60));
        Assert.Equal(3, invocations);
        Assert.Empty(await bed.ListAsync(prefix: "out/"));
        BucketObject o = Assert.Single(await bed.ListAsync(prefix: "errors/processing-failed/"));
        JsonElement[] errors = [.. (await bed.TextAsync(o.Key)).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.Clone())];
        Assert.Equal(["one", "two"], errors.Select(e => Encoding.UTF8.GetString(e.GetProperty("rawData").GetBytesFromBase64())));
        Assert.All(errors, e =>
        {
            Assert.Equal(3, e.GetProperty("attemptsMade").GetInt32());
            Assert.Equal("Lambda.FunctionError", e.GetProperty("errorCode").GetString());
            Assert.Contains("boom", e.GetProperty("errorMessage").GetString(), StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task S3_backup_writes_the_untransformed_source_records_to_the_backup_bucket_next_to_the_transformed_output()
    {
        await using var bed = new FirehoseBed();
        FunctionRegistry registry = Transform(bed, text => text == "drop" ? ("Dropped", null, null) : ("Ok", text.ToUpperInvariant() + "\n", null));
        await bed.CreateAsync("b", FirehoseBed.S3(c =>
        {
            c.Prefix = "out/";
            c.BufferingHints = new BufferingHints { SizeInMBs = 64, IntervalInSeconds = 60 };
            c.S3BackupMode = S3BackupMode.Enabled;
            c.S3BackupConfiguration = new S3DestinationConfiguration
            {
                RoleARN = FirehoseBed.Role,
                BucketARN = "arn:aws:s3:::my-backup-bucket",
                Prefix = "source/",
                BufferingHints = new BufferingHints { SizeInMBs = 1, IntervalInSeconds = 60 },
                CompressionFormat = CompressionFormat.UNCOMPRESSED,
            };
            c.ProcessingConfiguration = new ProcessingConfiguration
            {
                Enabled = true,
                Processors = [new Processor { Type = ProcessorType.Lambda, Parameters = [new ProcessorParameter { ParameterName = ProcessorParameterName.LambdaArn, ParameterValue = registry.FunctionArn("transform") }] }],
            };
        }));
        await bed.PutAsync("b", "one\n", "drop", "two\n");
        await bed.AdvanceAsync("b", TimeSpan.FromSeconds(60)); // the transformation's buffer interval
        await bed.AdvanceAsync("b", TimeSpan.FromSeconds(60)); // the destination's and the backup's
        BucketObject output = Assert.Single(await bed.ListAsync(prefix: "out/"));
        Assert.Equal("ONE\n\nTWO\n\n", await bed.TextAsync(output.Key));
        BucketObject backup = Assert.Single(await bed.ListAsync("my-backup-bucket"));
        Assert.Matches($"^source/2026/03/01/12/b-1-2026-03-01-12-00-00-{Uuid}$", backup.Key);

        // Every source record, dropped ones included, as it was put (no delimiter added, none removed).
        Assert.Equal("one\ndroptwo\n", await bed.TextAsync(backup.Key, "my-backup-bucket"));
        Assert.Empty(await bed.ListAsync(prefix: "source/"));
    }

    [Fact]
    public async Task A_stop_with_records_in_the_transformations_buffer_transforms_and_delivers_them()
    {
        var bed = new FirehoseBed();
        FunctionRegistry registry = Transform(bed, text => ("Ok", text + "!", null));
        await bed.CreateAsync("s", WithLambda(registry.FunctionArn("transform"), retries: 0, partitionByLambda: false));
        await bed.PutAsync("s", "a", "b");
        await bed.DisposeAsync();
        Assert.Equal("a!b!", await bed.TextAsync(Assert.Single(await bed.ListAsync(prefix: "out/")).Key));
    }

    /// <summary>Breaker finding F1 (/work/findings/firehose.md): an update that retires the transformation must not refuse or half-take puts.</summary>
    [Fact]
    public async Task Removing_and_restoring_the_Lambda_processor_while_records_are_put_refuses_none_and_delivers_and_backs_up_each_once()
    {
        await using var bed = new FirehoseBed();
        FunctionRegistry functions = bed.Engine.GetFunctionRegistry();
        functions.Register("identity", static (payload, _) => ValueTask.FromResult<ReadOnlyMemory<byte>>(Identity(payload)));
        string lambdaArn = functions.FunctionArn("identity");
        ProcessingConfiguration withLambda = new()
        {
            Enabled = true,
            Processors =
            [
                new Processor
                {
                    Type = ProcessorType.Lambda,
                    Parameters = [new ProcessorParameter { ParameterName = ProcessorParameterName.LambdaArn, ParameterValue = lambdaArn }, new ProcessorParameter { ParameterName = ProcessorParameterName.BufferIntervalInSeconds, ParameterValue = "60" }],
                },
            ],
        };
        await bed.CreateAsync("lam", FirehoseBed.S3(c =>
        {
            c.Prefix = "data/";
            c.ErrorOutputPrefix = "errors/";
            c.BufferingHints = new BufferingHints { SizeInMBs = 1, IntervalInSeconds = 60 };
            c.ProcessingConfiguration = withLambda;
            c.S3BackupMode = S3BackupMode.Enabled;
            c.S3BackupConfiguration = new S3DestinationConfiguration { RoleARN = FirehoseBed.Role, BucketARN = FirehoseBed.BucketArn, Prefix = "backup/" };
        }));

        const int Writers = 6;
        const int PerWriter = 300;
        var refused = new List<Exception>();

        // Writers pause halfway until the processor has been removed and restored, so the race is always exercised.
        var toggled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Task[] writers = [.. Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
        {
            for (int i = 0; i < PerWriter; i++)
            {
                if (i == PerWriter / 2)
                {
                    await toggled.Task;
                }

                try
                {
                    await bed.PutAsync("lam", $"{w}:{i}\n");
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    lock (refused)
                    {
                        refused.Add(ex);
                    }
                }
            }
        }))];
        int version = 1;
        while (!writers.All(t => t.IsCompleted))
        {
            await bed.Firehose.UpdateDestinationAsync(new UpdateDestinationRequest
            {
                DeliveryStreamName = "lam",
                CurrentDeliveryStreamVersionId = version.ToString(System.Globalization.CultureInfo.InvariantCulture),
                DestinationId = "destinationId-000000000001",
                ExtendedS3DestinationUpdate = new ExtendedS3DestinationUpdate { ProcessingConfiguration = version % 2 == 1 ? new ProcessingConfiguration { Enabled = false } : withLambda },
            });
            version++;
            if (version >= 3)
            {
                toggled.TrySetResult();
            }

            await Task.Yield();
        }

        await Task.WhenAll(writers);
        await bed.Firehose.FlushAsync("lam").WaitAsync(FirehoseBed.Wait);
        await bed.Firehose.FlushAsync("lam").WaitAsync(FirehoseBed.Wait);
        Assert.True(version > 2, "the processor was removed and restored while records were put");
        string[] data = await LinesAsync(bed, "data/");
        string[] backup = await LinesAsync(bed, "backup/");
        Assert.Empty(await LinesAsync(bed, "errors/"));
        Assert.Equal(Writers * PerWriter, data.Length);
        Assert.Equal(data.Length, data.Distinct().Count());
        Assert.Equal(data.Order(StringComparer.Ordinal), backup.Order(StringComparer.Ordinal));
        Assert.Empty(refused.Select(e => e.GetType().Name + ": " + e.Message));
    }

    /// <summary>A Firehose transformation that answers every record Ok with its data unchanged.</summary>
    private static ReadOnlyMemory<byte> Identity(ReadOnlyMemory<byte> payload)
    {
        using JsonDocument request = JsonDocument.Parse(payload);
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartArray("records");
            foreach (JsonElement r in request.RootElement.GetProperty("records").EnumerateArray())
            {
                json.WriteStartObject();
                json.WriteString("recordId", r.GetProperty("recordId").GetString());
                json.WriteString("result", "Ok");
                json.WriteString("data", r.GetProperty("data").GetString());
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return buffer.WrittenMemory;
    }

    /// <summary>Breaker finding F2 (/work/findings/firehose.md): a delete waits for a transformation an update retired.</summary>
    [Fact]
    public async Task Records_held_by_a_Lambda_processor_removed_by_an_update_are_delivered_before_a_delete_completes()
    {
        await using var bed = new FirehoseBed();
        FunctionRegistry functions = bed.Engine.GetFunctionRegistry();
        var invoked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        functions.Register("slow-identity", async (payload, _) =>
        {
            invoked.TrySetResult();
            await release.Task;
            return Identity(payload);
        }, TimeSpan.FromMinutes(5));
        await bed.CreateAsync("retired", FirehoseBed.S3(c =>
        {
            c.BufferingHints = new BufferingHints { SizeInMBs = 1, IntervalInSeconds = 60 };
            c.ProcessingConfiguration = new ProcessingConfiguration
            {
                Enabled = true,
                Processors =
                [
                    new Processor
                    {
                        Type = ProcessorType.Lambda,
                        Parameters = [new ProcessorParameter { ParameterName = ProcessorParameterName.LambdaArn, ParameterValue = functions.FunctionArn("slow-identity") }, new ProcessorParameter { ParameterName = ProcessorParameterName.BufferIntervalInSeconds, ParameterValue = "60" }],
                    },
                ],
            };
        }));
        await bed.PutAsync("retired", "accepted\n"); // acknowledged: it must reach the bucket
        bed.Clock.Advance(TimeSpan.FromSeconds(60)); // the processor's buffer goes to the (slow) function
        await invoked.Task.WaitAsync(FirehoseBed.Wait);

        // The processor is removed while it transforms; then the stream is deleted.
        await bed.Firehose.UpdateDestinationAsync(new UpdateDestinationRequest
        {
            DeliveryStreamName = "retired",
            CurrentDeliveryStreamVersionId = "1",
            DestinationId = "destinationId-000000000001",
            ExtendedS3DestinationUpdate = new ExtendedS3DestinationUpdate { ProcessingConfiguration = new ProcessingConfiguration { Enabled = false } },
        });
        await bed.Firehose.DeleteDeliveryStreamAsync(new DeleteDeliveryStreamRequest { DeliveryStreamName = "retired" });
        async Task<bool> GoneAsync()
        {
            try
            {
                await bed.Firehose.DescribeDeliveryStreamAsync(new DescribeDeliveryStreamRequest { DeliveryStreamName = "retired" });
                return false;
            }
            catch (StreamCore.Errors.ResourceNotFoundException)
            {
                return true;
            }
        }

        // A correct delete waits for the retired processor (so the stream is still there); give it a moment either way.
        for (int i = 0; i < 200 && !await GoneAsync(); i++)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(5), TimeProvider.System);
        }

        release.SetResult();
        using var timeout = new CancellationTokenSource(FirehoseBed.Wait);
        while (!await GoneAsync())
        {
            await Task.Delay(TimeSpan.FromMilliseconds(5), TimeProvider.System, timeout.Token);
        }

        for (int i = 0; i < 200 && (await LinesAsync(bed, "")).Length == 0; i++)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(5), TimeProvider.System);
        }

        Assert.Equal(["accepted"], await LinesAsync(bed, ""));
    }
}
