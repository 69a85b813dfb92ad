using System.Buffers.Binary;
using System.Diagnostics;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Snappier;
using StreamCore.Buckets;
using StreamCore.Delivery;
using Record = StreamCore.Delivery.Record;
using StreamCore.Errors;

namespace StreamCore.Tests.Delivery;

public sealed partial class DeliveryTests
{
    private const string Uuid = "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}";

    [Fact]
    public async Task Records_wait_for_the_interval_then_go_as_one_object_under_the_default_UTC_prefix()
    {
        await using var bed = new FirehoseBed();
        await bed.CreateAsync("events", FirehoseBed.S3(c => c.BufferingHints = new BufferingHints { SizeInMBs = 1, IntervalInSeconds = 60 }));
        await bed.PutAsync("events", "a\n", "b\n");
        bed.Clock.Advance(TimeSpan.FromSeconds(30));
        await bed.PutAsync("events", "c\n");
        await bed.AdvanceAsync("events", TimeSpan.FromSeconds(29.999));
        Assert.Empty(await bed.ListAsync());

        await bed.AdvanceAsync("events", TimeSpan.FromMilliseconds(1));
        BucketObject o = Assert.Single(await bed.ListAsync());
        Assert.Matches($"^2026/03/01/12/events-1-2026-03-01-12-00-00-{Uuid}$", o.Key);
        Assert.Equal("a\nb\nc\n", await bed.TextAsync(o.Key));
    }

    [Fact]
    public async Task The_size_hint_bounds_every_object_and_a_record_that_would_pass_it_starts_the_next()
    {
        await using var bed = new FirehoseBed();
        await bed.CreateAsync("big", FirehoseBed.S3(c => c.BufferingHints = new BufferingHints { SizeInMBs = 1, IntervalInSeconds = 900 }));
        string record = new('x', 1000 * 1024 / 4); // 256,000 bytes: four fit in 1 MiB (1,048,576), a fifth does not
        for (int i = 0; i < 9; i++)
        {
            await bed.Firehose.PutRecordAsync(new PutRecordRequest { DeliveryStreamName = "big", Record = new Record { Data = FirehoseBed.Bytes(((char)('a' + i)) + record[1..]) } });
        }

        await bed.Firehose.WhenDeliveredAsync("big").WaitAsync(FirehoseBed.Wait);
        List<BucketObject> objects = await bed.ListAsync();
        Assert.Equal(2, objects.Count);
        Assert.All(objects, o => Assert.Equal(4 * 256_000, o.Size));

        // Exactly at the size: a record that fills the buffer to the byte sends it at once.
        await bed.CreateAsync("exact", FirehoseBed.S3(c => { c.Prefix = "exact/"; c.BufferingHints = new BufferingHints { SizeInMBs = 1, IntervalInSeconds = 900 }; }));
        await bed.PutAsync("exact", new string('y', 1_000_000), new string('z', 48_000), new string('w', 576));
        await bed.Firehose.WhenDeliveredAsync("exact").WaitAsync(FirehoseBed.Wait);
        Assert.Equal(1024 * 1024, Assert.Single(await bed.ListAsync(prefix: "exact/")).Size);

        await bed.AdvanceAsync("big", TimeSpan.FromSeconds(900));
        Assert.Equal(3, (await bed.ListAsync(prefix: "2026/")).Count);
    }

    [Fact]
    public async Task A_zero_interval_delivers_each_put_call_as_its_own_object()
    {
        await using var bed = new FirehoseBed();
        await bed.CreateAsync("now", FirehoseBed.S3(c => c.BufferingHints = new BufferingHints { SizeInMBs = 5, IntervalInSeconds = 0 }));
        await bed.PutAsync("now", "1", "2");
        await bed.PutAsync("now", "3");
        await bed.Firehose.WhenDeliveredAsync("now").WaitAsync(FirehoseBed.Wait);
        List<BucketObject> objects = await bed.ListAsync();
        Assert.Equal(2, objects.Count);
        Assert.Equal(["12", "3"], (await Task.WhenAll(objects.Select(o => bed.TextAsync(o.Key)))).Order());
    }

    [Fact]
    public async Task Custom_prefixes_evaluate_every_expression_from_the_oldest_records_arrival_in_the_time_zone()
    {
        await using var bed = new FirehoseBed();
        await bed.CreateAsync("tz", FirehoseBed.S3(c =>
        {
            c.Prefix = "raw/!{timestamp:'year='yyyy}/!{timestamp:MM}/!{firehose:random-string}/!{firehose:random-string}/d=!{timestamp:DDD}-!{timestamp:EEE}/";
            c.ErrorOutputPrefix = "errors/";
            c.CustomTimeZone = "Asia/Tokyo";
            c.FileExtension = ".json";
            c.BufferingHints = new BufferingHints { SizeInMBs = 1, IntervalInSeconds = 60 };
        }));
        bed.Clock.Advance(TimeSpan.FromHours(11) + TimeSpan.FromMinutes(59) + TimeSpan.FromSeconds(30)); // 23:59:30Z = 08:59:30 on March 2 in Tokyo
        await bed.PutAsync("tz", "{}");
        await bed.AdvanceAsync("tz", TimeSpan.FromMinutes(1)); // the oldest record's time decides, not the flush's
        string key = Assert.Single(await bed.ListAsync()).Key;
        Match m = Regex.Match(key, $"^raw/year=2026/03/([0-9A-Za-z]{{11}})/([0-9A-Za-z]{{11}})/d=061-Mon/tz-1-2026-03-02-08-59-30-{Uuid}\\.json$");
        Assert.True(m.Success, key);
        Assert.NotEqual(m.Groups[1].Value, m.Groups[2].Value);
    }

    [Theory]
    [InlineData("logs/", "^logs/2026/03/01/12/s-1-")]
    [InlineData("logs", "^logs2026/03/01/12/s-1-")]
    [InlineData("", "^2026/03/01/12/s-1-")]
    public async Task A_prefix_without_a_timestamp_gets_the_hour_appended_with_no_separator_added(string prefix, string expected)
    {
        await using var bed = new FirehoseBed();
        await bed.CreateAsync("s", FirehoseBed.S3(c => c.Prefix = prefix));
        await bed.PutAsync("s", "x");
        await bed.Firehose.FlushAsync("s").WaitAsync(FirehoseBed.Wait);
        Assert.Matches(expected, Assert.Single(await bed.ListAsync()).Key);
    }

    [Theory]
    [InlineData("UNCOMPRESSED", null, "")]
    [InlineData("GZIP", null, ".gz")]
    [InlineData("ZIP", null, ".zip")]
    [InlineData("Snappy", null, ".snappy")]
    [InlineData("HADOOP_SNAPPY", null, ".snappy")]
    [InlineData("GZIP", ".json.gz", ".json.gz")]
    public async Task Every_compression_round_trips_through_an_independent_decoder_with_its_extension(string format, string? fileExtension, string extension)
    {
        await using var bed = new FirehoseBed();
        await bed.CreateAsync("c", FirehoseBed.S3(c => { c.CompressionFormat = new CompressionFormat(format); c.FileExtension = fileExtension; }));
        string[] records = [.. Enumerable.Range(0, 2000).Select(i => $"{{\"n\":{i},\"pad\":\"{new string((char)('a' + i % 26), i % 300)}\"}}\n")];
        for (int i = 0; i < records.Length; i += 500)
        {
            await bed.PutAsync("c", records[i..Math.Min(records.Length, i + 500)]);
        }

        await bed.Firehose.FlushAsync("c").WaitAsync(FirehoseBed.Wait);
        BucketObject o = Assert.Single(await bed.ListAsync());
        Assert.EndsWith("-" + o.Key[^(36 + extension.Length)..], o.Key, StringComparison.Ordinal);
        Assert.Matches($"{Uuid}{Regex.Escape(extension)}$", o.Key);
        byte[] stored = (await bed.Store.GetObjectAsync(FirehoseBed.Bucket, o.Key))!;
        string expected = string.Concat(records);
        string decoded = format switch
        {
            "GZIP" => await Tool(stored, "gzip", "-d", "-c"),
            "ZIP" => await Unzip(stored),
            "Snappy" => Encoding.UTF8.GetString(SnappyFrames(stored)),
            "HADOOP_SNAPPY" => Encoding.UTF8.GetString(HadoopSnappy(stored)),
            _ => Encoding.UTF8.GetString(stored),
        };
        Assert.Equal(expected, decoded);
        if (format != "UNCOMPRESSED")
        {
            Assert.True(stored.Length < expected.Length / 2, $"{format} object of {stored.Length} bytes for {expected.Length}");
        }
    }

    private static byte[] SnappyFrames(byte[] stored)
    {
        using var input = new SnappyStream(new MemoryStream(stored), CompressionMode.Decompress);
        using var output = new MemoryStream();
        input.CopyTo(output);
        return output.ToArray();
    }

    /// <summary>Hadoop's block format, read by hand: per block the uncompressed length, then length-prefixed raw Snappy chunks.</summary>
    private static byte[] HadoopSnappy(byte[] stored)
    {
        var output = new MemoryStream();
        int at = 0;
        while (at < stored.Length)
        {
            int blockLength = BinaryPrimitives.ReadInt32BigEndian(stored.AsSpan(at));
            at += 4;
            int produced = 0;
            while (produced < blockLength)
            {
                int chunk = BinaryPrimitives.ReadInt32BigEndian(stored.AsSpan(at));
                at += 4;
                byte[] raw = Snappy.DecompressToArray(stored.AsSpan(at, chunk));
                output.Write(raw);
                produced += raw.Length;
                at += chunk;
            }
        }

        return output.ToArray();
    }

    private static async Task<string> Tool(byte[] input, string tool, params string[] args)
    {
        RequiredTool(tool);
        var start = new ProcessStartInfo(tool) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in args)
        {
            start.ArgumentList.Add(a);
        }

        using Process p = Process.Start(start)!;
        Task<string> output = p.StandardOutput.ReadToEndAsync();
        await p.StandardInput.BaseStream.WriteAsync(input);
        p.StandardInput.Close();
        await p.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(1));
        Assert.True(p.ExitCode == 0, await p.StandardError.ReadToEndAsync());
        return await output;
    }

    private static async Task<string> Unzip(byte[] stored)
    {
        RequiredTool("unzip");
        string file = Path.Combine(Path.GetTempPath(), $"fh-{Guid.NewGuid():N}.zip");
        await File.WriteAllBytesAsync(file, stored);
        try
        {
            var start = new ProcessStartInfo("unzip", ["-p", file]) { RedirectStandardOutput = true, UseShellExecute = false };
            using Process p = Process.Start(start)!;
            string text = await p.StandardOutput.ReadToEndAsync();
            await p.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(1));
            Assert.Equal(0, p.ExitCode);
            return text;
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static void RequiredTool(string tool)
    {
        if (File.Exists("/usr/bin/" + tool) || File.Exists("/bin/" + tool))
        {
            return;
        }

        if (Environment.GetEnvironmentVariable("CI") == "true")
        {
            Assert.Fail($"{tool} is required (.ci/run's machine has it)");
        }

        Assert.Skip($"{tool} is not installed");
    }

    [Fact]
    public async Task No_delimiter_is_added_by_default_and_AppendDelimiterToRecord_adds_a_newline_after_each_record()
    {
        await using var bed = new FirehoseBed();
        await bed.CreateAsync("plain", FirehoseBed.S3(c => c.Prefix = "plain/"));
        await bed.CreateAsync("lines", FirehoseBed.S3(c =>
        {
            c.Prefix = "lines/";
            c.ProcessingConfiguration = new ProcessingConfiguration { Enabled = true, Processors = [new Processor { Type = ProcessorType.AppendDelimiterToRecord }] };
        }));
        foreach (string name in new[] { "plain", "lines" })
        {
            await bed.PutAsync(name, "{\"a\":1}", "{\"a\":2}");
            await bed.Firehose.FlushAsync(name).WaitAsync(FirehoseBed.Wait);
        }

        Assert.Equal("{\"a\":1}{\"a\":2}", await bed.TextAsync(Assert.Single(await bed.ListAsync(prefix: "plain/")).Key));
        Assert.Equal("{\"a\":1}\n{\"a\":2}\n", await bed.TextAsync(Assert.Single(await bed.ListAsync(prefix: "lines/")).Key));
    }

    [Fact]
    public async Task Dynamic_partitioning_splits_records_by_query_keys_and_sends_the_unparseable_to_the_error_prefix()
    {
        await using var bed = new FirehoseBed();
        await bed.CreateAsync("dp", FirehoseBed.S3(c =>
        {
            c.Prefix = "customer=!{partitionKeyFromQuery:customer}/kind=!{partitionKeyFromQuery:kind}/!{timestamp:yyyy}/";
            c.ErrorOutputPrefix = "errors/!{firehose:error-output-type}/!{timestamp:yyyy/MM/dd}/";
            c.BufferingHints = new BufferingHints { SizeInMBs = 64, IntervalInSeconds = 60 };
            c.DynamicPartitioningConfiguration = new DynamicPartitioningConfiguration { Enabled = true };
            c.ProcessingConfiguration = new ProcessingConfiguration
            {
                Enabled = true,
                Processors =
                [
                    new Processor
                    {
                        Type = ProcessorType.MetadataExtraction,
                        Parameters =
                        [
                            new ProcessorParameter { ParameterName = ProcessorParameterName.MetadataExtractionQuery, ParameterValue = "{customer:.customer, kind:.event.kind}" },
                            new ProcessorParameter { ParameterName = ProcessorParameterName.JsonParsingEngine, ParameterValue = "JQ-1.6" },
                        ],
                    },
                    new Processor { Type = ProcessorType.AppendDelimiterToRecord },
                ],
            };
        }));
        await bed.PutAsync("dp", "{\"customer\":\"c1\",\"event\":{\"kind\":\"click\"}}", "{\"customer\":7,\"event\":{\"kind\":\"view\"}}", "not json", "{\"customer\":\"c1\",\"event\":{\"kind\":\"click\"},\"n\":2}", "{\"customer\":\"c2\"}");
        await bed.AdvanceAsync("dp", TimeSpan.FromSeconds(60));
        List<BucketObject> objects = await bed.ListAsync();
        Assert.Equal(3, objects.Count);
        Assert.Matches($"^customer=7/kind=view/2026/dp-1-2026-03-01-12-00-00-{Uuid}$", objects[0].Key);
        Assert.Matches($"^customer=c1/kind=click/2026/dp-1-2026-03-01-12-00-00-{Uuid}$", objects[1].Key);
        Assert.Equal("{\"customer\":\"c1\",\"event\":{\"kind\":\"click\"}}\n{\"customer\":\"c1\",\"event\":{\"kind\":\"click\"},\"n\":2}\n", await bed.TextAsync(objects[1].Key));
        Assert.Matches($"^errors/processing-failed/2026/03/01/dp-1-2026-03-01-12-00-00-{Uuid}$", objects[2].Key);
        string[] lines = (await bed.TextAsync(objects[2].Key)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        using JsonDocument error = JsonDocument.Parse(lines[0]);
        JsonElement e = error.RootElement;
        Assert.Equal(["attemptsMade", "arrivalTimestamp", "errorCode", "errorMessage", "attemptEndingTimestamp", "rawData"], e.EnumerateObject().Select(p => p.Name));
        Assert.Equal(1, e.GetProperty("attemptsMade").GetInt32());
        Assert.Equal(FirehoseBed.Start.ToUnixTimeMilliseconds(), e.GetProperty("arrivalTimestamp").GetInt64());
        Assert.Equal("DynamicPartitioning.MetadataExtractionFailed", e.GetProperty("errorCode").GetString());
        Assert.Equal("not json", Encoding.UTF8.GetString(e.GetProperty("rawData").GetBytesFromBase64()));
        using JsonDocument missing = JsonDocument.Parse(lines[1]);
        Assert.Contains("has no value at .event.kind", missing.RootElement.GetProperty("errorMessage").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PutRecordBatch_limits_are_enforced_whole_and_results_come_in_request_order()
    {
        await using var bed = new FirehoseBed();
        await bed.CreateAsync("lim", FirehoseBed.S3());
        var tooMany = await Assert.ThrowsAsync<ValidationException>(() => bed.PutAsync("lim", [.. Enumerable.Repeat("x", 501)]));
        Assert.Contains("at 'records' failed to satisfy constraint: Member must have length less than or equal to 500", tooMany.Message, StringComparison.Ordinal);
        var tooBig = await Assert.ThrowsAsync<ValidationException>(() => bed.Firehose.PutRecordAsync(new PutRecordRequest { DeliveryStreamName = "lim", Record = new Record { Data = new MemoryStream(new byte[1_024_001]) } }));
        Assert.Contains("at 'record.data' failed to satisfy constraint: Member must have length less than or equal to 1024000", tooBig.Message, StringComparison.Ordinal);
        var total = await Assert.ThrowsAsync<InvalidArgumentException>(() => bed.Firehose.PutRecordBatchAsync(new PutRecordBatchRequest
        {
            DeliveryStreamName = "lim",
            Records = [.. Enumerable.Range(0, 5).Select(_ => new Record { Data = new MemoryStream(new byte[1_000_000]) })],
        }));
        Assert.Contains("4 MB", total.Message, StringComparison.Ordinal);
        Assert.Equal(0, bed.Firehose.Engine is not null ? await Buffered(bed, "lim") : 0);

        PutRecordBatchResponse ok = await bed.Firehose.PutRecordBatchAsync(new PutRecordBatchRequest { DeliveryStreamName = "lim", Records = [.. Enumerable.Range(0, 500).Select(i => new Record { Data = FirehoseBed.Bytes($"{i};") })] });
        Assert.Equal(0, ok.FailedPutCount);
        Assert.Equal(500, ok.RequestResponses!.Count);
        Assert.Equal(500, ok.RequestResponses.Select(r => r.RecordId).Distinct().Count());
        Assert.All(ok.RequestResponses, r => Assert.Null(r.ErrorCode));
        await bed.Firehose.FlushAsync("lim").WaitAsync(FirehoseBed.Wait);
        Assert.Equal(string.Concat(Enumerable.Range(0, 500).Select(i => $"{i};")), await bed.TextAsync(Assert.Single(await bed.ListAsync()).Key));
    }

    private static async Task<int> Buffered(FirehoseBed bed, string name)
    {
        await bed.Firehose.FlushAsync(name).WaitAsync(FirehoseBed.Wait);
        return (await bed.ListAsync()).Count;
    }

    [Fact]
    public async Task Disposing_with_buffered_records_delivers_every_one()
    {
        var bed = new FirehoseBed();
        await bed.CreateAsync("stop", FirehoseBed.S3(c => c.BufferingHints = new BufferingHints { SizeInMBs = 128, IntervalInSeconds = 900 }));
        await bed.CreateAsync("stop2", FirehoseBed.S3(c => { c.Prefix = "two/"; c.CompressionFormat = CompressionFormat.GZIP; }));
        for (int i = 0; i < 1000; i++)
        {
            await bed.PutAsync(i % 2 == 0 ? "stop" : "stop2", $"{i}\n");
        }

        await bed.DisposeAsync();
        Assert.Empty(await bed.ListAsync(prefix: "two/2027"));
        string one = await bed.TextAsync(Assert.Single(await bed.ListAsync(prefix: "2026/")).Key);
        Assert.Equal(string.Concat(Enumerable.Range(0, 500).Select(i => $"{2 * i}\n")), one);
        byte[] two = (await bed.Store.GetObjectAsync(FirehoseBed.Bucket, Assert.Single(await bed.ListAsync(prefix: "two/")).Key))!;
        using var gzip = new GZipStream(new MemoryStream(two), CompressionMode.Decompress);
        Assert.Equal(string.Concat(Enumerable.Range(0, 500).Select(i => $"{2 * i + 1}\n")), await new StreamReader(gzip).ReadToEndAsync());
        await Assert.ThrowsAsync<StreamCore.Errors.ServiceUnavailableException>(() => bed.PutAsync("stop", "late"));
    }

    [Fact]
    public async Task A_destination_that_is_down_is_retried_on_the_engines_clock_and_each_object_lands_once()
    {
        var store = new FlakyStore(new InMemoryBucketStore());
        await using var bed = new FirehoseBed(store);
        await bed.CreateAsync("retry", FirehoseBed.S3(c => c.BufferingHints = new BufferingHints { SizeInMBs = 1, IntervalInSeconds = 60 }));
        store.Down = true;
        await bed.PutAsync("retry", "one", "two");
        bed.Clock.Advance(TimeSpan.FromSeconds(60));
        await store.Attempted(1).WaitAsync(FirehoseBed.Wait);
        for (int attempt = 2; attempt <= 5; attempt++)
        {
            // The writer's back-off timer is set after the failed attempt returns: advance until the next attempt comes.
            await AdvanceUntil(bed, store.Attempted(attempt));
        }

        Assert.Empty(await bed.ListAsync());
        await bed.PutAsync("retry", "three");
        store.Down = false;
        await AdvanceUntil(bed, store.Attempted(6));
        await bed.AdvanceAsync("retry", TimeSpan.FromSeconds(60));
        List<BucketObject> objects = await bed.ListAsync();
        Assert.Equal(2, objects.Count);
        Assert.Equal(["onetwo", "three"], (await Task.WhenAll(objects.Select(o => bed.TextAsync(o.Key)))).Order());
        Assert.Equal(0, bed.Firehose.GivenUpRecords("retry"));
    }

    [Fact]
    public async Task Deleting_while_an_object_is_being_written_delivers_it_once_refuses_new_records_and_then_forgets_the_stream()
    {
        var store = new FlakyStore(new InMemoryBucketStore()) { Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) };
        await using var bed = new FirehoseBed(store);
        await bed.CreateAsync("del", FirehoseBed.S3(c => c.BufferingHints = new BufferingHints { SizeInMBs = 1, IntervalInSeconds = 60 }));
        await bed.PutAsync("del", "first");
        bed.Clock.Advance(TimeSpan.FromSeconds(60));
        await store.Attempted(1).WaitAsync(FirehoseBed.Wait);
        await bed.PutAsync("del", "second");
        await bed.Firehose.DeleteDeliveryStreamAsync(new DeleteDeliveryStreamRequest { DeliveryStreamName = "del" });
        DeliveryStreamDescription d = (await bed.Firehose.DescribeDeliveryStreamAsync(new DescribeDeliveryStreamRequest { DeliveryStreamName = "del" })).DeliveryStreamDescription!;
        Assert.Equal(DeliveryStreamStatus.DELETING, d.DeliveryStreamStatus);
        await Assert.ThrowsAsync<ResourceNotFoundException>(() => bed.PutAsync("del", "refused"));
        store.Gate.SetResult();
        await WaitUntil(async () =>
        {
            try
            {
                await bed.Firehose.DescribeDeliveryStreamAsync(new DescribeDeliveryStreamRequest { DeliveryStreamName = "del" });
                return false;
            }
            catch (ResourceNotFoundException)
            {
                return true;
            }
        });
        List<BucketObject> objects = await bed.ListAsync();
        Assert.Equal(["first", "second"], (await Task.WhenAll(objects.Select(o => bed.TextAsync(o.Key)))).Order());
    }

    private static async Task AdvanceUntil(FirehoseBed bed, Task done)
    {
        using var timeout = new CancellationTokenSource(FirehoseBed.Wait);
        while (!done.IsCompleted)
        {
            bed.Clock.Advance(TimeSpan.FromSeconds(1));
            await Task.WhenAny(done, Task.Delay(TimeSpan.FromMilliseconds(5), TimeProvider.System, timeout.Token));
        }

        await done;
    }

    private static async Task WaitUntil(Func<Task<bool>> condition)
    {
        using var timeout = new CancellationTokenSource(FirehoseBed.Wait);
        while (!await condition())
        {
            await Task.Yield();
            timeout.Token.ThrowIfCancellationRequested();
        }
    }

    [Fact]
    public async Task Records_put_while_the_destination_is_updated_are_each_delivered_once_under_the_version_they_were_buffered_in()
    {
        await using var bed = new FirehoseBed();
        await bed.CreateAsync("flow", FirehoseBed.S3(c => { c.Prefix = "v/"; c.BufferingHints = new BufferingHints { SizeInMBs = 1, IntervalInSeconds = 60 }; }));
        const int Writers = 4;
        const int PerWriter = 400;
        using var done = new CancellationTokenSource();
        Task[] writers = [.. Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
        {
            for (int i = 0; i < PerWriter; i++)
            {
                await bed.PutAsync("flow", $"{w}:{i}\n");
            }
        }))];
        int version = 1;
        while (!writers.All(t => t.IsCompleted))
        {
            await bed.Firehose.UpdateDestinationAsync(new UpdateDestinationRequest
            {
                DeliveryStreamName = "flow",
                CurrentDeliveryStreamVersionId = version.ToString(System.Globalization.CultureInfo.InvariantCulture),
                DestinationId = "destinationId-000000000001",
                ExtendedS3DestinationUpdate = new ExtendedS3DestinationUpdate { Prefix = $"v/{version + 1}/" },
            });
            version++;
            await Task.Yield();
        }

        await Task.WhenAll(writers);
        await bed.Firehose.FlushAsync("flow").WaitAsync(FirehoseBed.Wait);
        var seen = new List<string>();
        foreach (BucketObject o in await bed.ListAsync(prefix: "v/"))
        {
            Match m = Regex.Match(o.Key, @"^v/(?:(\d+)/)?2026/03/01/12/flow-(\d+)-");
            Assert.True(m.Success, o.Key);
            Assert.Equal(m.Groups[1].Success ? m.Groups[1].Value : "1", m.Groups[2].Value);
            seen.AddRange((await bed.TextAsync(o.Key)).Split('\n', StringSplitOptions.RemoveEmptyEntries));
        }

        Assert.Equal(Writers * PerWriter, seen.Count);
        Assert.Equal(Writers * PerWriter, seen.Distinct().Count());
        Assert.True(version > 1);
    }

    [Fact]
    public async Task PutRecord_is_refused_on_a_KinesisStreamAsSource_delivery_stream_as_Firehose_refuses_it()
    {
        await using var bed = new FirehoseBed();
        await bed.Engine.CreateKinesisClient().CreateStreamAsync(new global::StreamCore.Kinesis.CreateStreamRequest { StreamName = "app-clickstream", ShardCount = 1 });
        await bed.Firehose.CreateDeliveryStreamAsync(new CreateDeliveryStreamRequest
        {
            DeliveryStreamName = "from-stream",
            DeliveryStreamType = DeliveryStreamType.KinesisStreamAsSource,
            KinesisStreamSourceConfiguration = new KinesisStreamSourceConfiguration { KinesisStreamARN = "arn:aws:kinesis:us-east-1:000000000000:stream/app-clickstream", RoleARN = FirehoseBed.Role },
            ExtendedS3DestinationConfiguration = FirehoseBed.S3(c => c.Prefix = "processed/"),
        });
        var ex = await Assert.ThrowsAsync<InvalidArgumentException>(() => bed.PutAsync("from-stream", "x"));
        Assert.Equal("This operation is not permitted on KinesisStreamAsSource delivery stream type.", ex.Message);
    }

    /// <summary>A bucket store that fails while <see cref="Down"/>, or holds writes until <see cref="Gate"/> opens, and counts attempts.</summary>
    private sealed class FlakyStore(BucketStore inner) : BucketStore
    {
        private int _attempts;
        private readonly List<(int Count, TaskCompletionSource Signal)> _waiters = [];

        public volatile bool Down;

        public TaskCompletionSource? Gate { get; set; }

        public Task Attempted(int count)
        {
            lock (_waiters)
            {
                if (_attempts >= count)
                {
                    return Task.CompletedTask;
                }

                var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _waiters.Add((count, signal));
                return signal.Task;
            }
        }

        protected override async ValueTask PutObjectCoreAsync(string bucket, string key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
        {
            lock (_waiters)
            {
                _attempts++;
                foreach ((int count, TaskCompletionSource signal) in _waiters.Where(w => w.Count <= _attempts).ToList())
                {
                    signal.TrySetResult();
                    _waiters.Remove((count, signal));
                }
            }

            if (Gate is { } gate)
            {
                await gate.Task;
            }

            if (Down)
            {
                throw new IOException("The destination is down.");
            }

            await inner.PutObjectAsync(bucket, key, content, cancellationToken);
        }

        protected override ValueTask<byte[]?> GetObjectCoreAsync(string bucket, string key, CancellationToken cancellationToken) => inner.GetObjectAsync(bucket, key, cancellationToken);

        protected override ValueTask<bool> DeleteObjectCoreAsync(string bucket, string key, CancellationToken cancellationToken) => inner.DeleteObjectAsync(bucket, key, cancellationToken);

        protected override IAsyncEnumerable<BucketObject> ListObjectsCoreAsync(string bucket, string prefix, CancellationToken cancellationToken) => inner.ListObjectsAsync(bucket, prefix, cancellationToken);
    }
}
