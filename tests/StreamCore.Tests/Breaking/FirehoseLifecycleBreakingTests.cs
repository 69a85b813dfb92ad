using System.Text;
using System.Text.Json;
using StreamCore.Buckets;
using StreamCore.Delivery;
using StreamCore.Delivery.Search;
using StreamCore.Functions;
using StreamCore.Tests.Delivery;
using Record = StreamCore.Delivery.Record;
using ResourceInUseException = StreamCore.Errors.ResourceInUseException;
using ResourceNotFoundException = StreamCore.Errors.ResourceNotFoundException;
using ServiceUnavailableException = StreamCore.Errors.ServiceUnavailableException;

namespace StreamCore.Tests.Breaking;

/// <summary>
/// Breaking tests for the Firehose delivery lifecycle: the stop run once (DeliveryStreamState), the flush that writes on
/// the caller's thread (DeliveryPipeline), and the search destination feeding the S3 pipeline, at their edges (delete,
/// dispose, stop with a token cancelled later, updates, puts after the stop). Every record is counted.
/// </summary>
public sealed class FirehoseLifecycleBreakingTests
{
    private const string Domain = "my-domain";
    private const string DomainArn = "arn:aws:es:us-east-1:123456789012:domain/my-domain";
    private static readonly TimeSpan Wait = FirehoseBed.Wait;

    private static ElasticsearchDestinationConfiguration Search(Action<ElasticsearchDestinationConfiguration>? configure = null)
    {
        var c = new ElasticsearchDestinationConfiguration
        {
            RoleARN = FirehoseBed.Role,
            DomainARN = DomainArn,
            IndexName = "logs",
            IndexRotationPeriod = ElasticsearchIndexRotationPeriod.NoRotation,
            BufferingHints = new ElasticsearchBufferingHints { IntervalInSeconds = 60, SizeInMBs = 1 },
            RetryOptions = new ElasticsearchRetryOptions { DurationInSeconds = 300 },
            S3Configuration = new S3DestinationConfiguration { RoleARN = FirehoseBed.Role, BucketARN = FirehoseBed.BucketArn },
        };
        configure?.Invoke(c);
        return c;
    }

    private static Task<CreateDeliveryStreamResponse> CreateSearchAsync(FirehoseBed bed, string name, ElasticsearchDestinationConfiguration destination) =>
        bed.Firehose.CreateDeliveryStreamAsync(new CreateDeliveryStreamRequest { DeliveryStreamName = name, AmazonopensearchserviceDestinationConfiguration = destination });

    private static async Task<List<string>> LinesAsync(FirehoseBed bed, string? prefix = null)
    {
        var lines = new List<string>();
        foreach (BucketObject o in await bed.ListAsync(prefix: prefix))
        {
            lines.AddRange((await bed.TextAsync(o.Key)).Split('\n', StringSplitOptions.RemoveEmptyEntries));
        }

        return lines;
    }

    private static async Task<List<string>> FailedSourcesAsync(FirehoseBed bed)
    {
        var sources = new List<string>();
        foreach (string line in await LinesAsync(bed, "AmazonOpenSearchService-failed/"))
        {
            using var json = JsonDocument.Parse(line);
            sources.Add(Encoding.UTF8.GetString(json.RootElement.GetProperty("rawData").GetBytesFromBase64()));
        }

        return sources;
    }

    /// <summary>Advances the fake clock a second at a time until <paramref name="done"/> completes (the short wall-time delay only yields; the retry's back-off may not be scheduled yet when the clock first moves).</summary>
    private static async Task AdvanceUntil(FirehoseBed bed, Task done)
    {
        using var timeout = new CancellationTokenSource(Wait);
        while (!done.IsCompleted)
        {
            bed.Clock.Advance(TimeSpan.FromSeconds(1));
            await Task.WhenAny(done, Task.Delay(TimeSpan.FromMilliseconds(5), TimeProvider.System, timeout.Token));
        }

        await done;
    }

    [Fact]
    public async Task Search_stop_with_a_token_cancelled_later_while_the_domain_refuses_puts_every_document_in_the_failed_output()
    {
        var index = new FlakyIndex { Down = true };
        await using var bed = new FirehoseBed(firehose: o => { o.SearchDomains = index.Inner; o.SearchIndex = index; });
        await CreateSearchAsync(bed, "os", Search());
        string[] records = [.. Enumerable.Range(0, 10).Select(i => $$"""{"i":{{i}}}""")];
        await bed.PutAsync("os", records);
        using var cts = new CancellationTokenSource();
        Task stop = bed.Firehose.StopAsync(cts.Token);
        await index.Attempted(1).WaitAsync(Wait);
        await AdvanceUntil(bed, index.Attempted(2));
        Assert.False(stop.IsCompleted);
        cts.Cancel();
        await stop.WaitAsync(Wait);
        List<string> failed = await FailedSourcesAsync(bed);
        Assert.Equal(records.Order(StringComparer.Ordinal), failed.Order(StringComparer.Ordinal));
        await bed.DisposeAsync().AsTask().WaitAsync(Wait);
    }

    [Fact]
    public async Task Dispose_concurrent_with_a_flush_on_a_failing_bucket_ends_the_flush_and_writes_each_record_once()
    {
        var store = new FlakyStore(new InMemoryBucketStore(TimeProvider.System)) { Down = true };
        var bed = new FirehoseBed(store: store);
        await bed.CreateAsync("s3", FirehoseBed.S3());
        string[] records = [.. Enumerable.Range(0, 10).Select(i => $"r{i}\n")];
        await bed.PutAsync("s3", records);
        Task flush = bed.Firehose.FlushAsync("s3");
        await store.Attempted(1).WaitAsync(Wait);
        store.Down = false;
        Task dispose = bed.DisposeAsync().AsTask();
        await dispose.WaitAsync(Wait);
        await flush.WaitAsync(Wait);
        List<string> lines = await LinesAsync(bed);
        Assert.Equal(records.Select(r => r.TrimEnd('\n')).Order(StringComparer.Ordinal), lines.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Dispose_concurrent_with_a_flush_on_a_bucket_that_stays_down_ends_both()
    {
        var store = new FlakyStore(new InMemoryBucketStore(TimeProvider.System)) { Down = true };
        var bed = new FirehoseBed(store: store);
        await bed.CreateAsync("s3", FirehoseBed.S3());
        await bed.PutAsync("s3", "a\n", "b\n");
        Task flush = bed.Firehose.FlushAsync("s3");
        await store.Attempted(1).WaitAsync(Wait);
        await bed.DisposeAsync().AsTask().WaitAsync(Wait);
        await flush.WaitAsync(Wait);
        Assert.Empty(await bed.ListAsync());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Delete_while_puts_and_flushes_run_delivers_every_accepted_record_once(bool search)
    {
        var index = new FlakyIndex();
        await using var bed = new FirehoseBed(firehose: o => { o.SearchDomains = index.Inner; o.SearchIndex = index; });
        if (search)
        {
            await CreateSearchAsync(bed, "d", Search(c => c.S3BackupMode = ElasticsearchS3BackupMode.AllDocuments));
        }
        else
        {
            await bed.CreateAsync("d", FirehoseBed.S3());
        }

        var accepted = new System.Collections.Concurrent.ConcurrentBag<string>();
        var unexpected = new System.Collections.Concurrent.ConcurrentBag<Exception>();
        using var started = new CountdownEvent(4);
        Task[] producers = [.. Enumerable.Range(0, 3).Select(p => Task.Run(async () =>
        {
            started.Signal();
            for (int i = 0; ; i++)
            {
                string r = $$"""{"p":{{p}},"i":{{i}}}""";
                try
                {
                    await bed.PutAsync("d", search ? r : r + "\n");
                    accepted.Add(r);
                }
                catch (ResourceNotFoundException)
                {
                    return;
                }
            }
        }))];
        Task flusher = Task.Run(async () =>
        {
            started.Signal();
            while (true)
            {
                try
                {
                    await bed.Firehose.FlushAsync("d").WaitAsync(Wait);
                }
                catch (ResourceNotFoundException)
                {
                    return;
                }
                catch (Exception ex)
                {
                    unexpected.Add(ex);
                    return;
                }

                await Task.Yield();
            }
        });
        started.Wait(Wait);
        while (accepted.Count < 300)
        {
            await Task.Yield();
        }

        await bed.Firehose.DeleteDeliveryStreamAsync(new DeleteDeliveryStreamRequest { DeliveryStreamName = "d" });
        await Task.WhenAll(producers).WaitAsync(Wait);

        // The delete's stop runs once; the dispose waits for the same one.
        await bed.Firehose.DisposeAsync().AsTask().WaitAsync(Wait);
        await flusher.WaitAsync(Wait);
        Assert.Empty(unexpected);
        IEnumerable<string> expected = accepted.Order(StringComparer.Ordinal);
        if (search)
        {
            Assert.Equal(expected, index.Inner.Documents(Domain, "logs").Select(d => d.Source).Order(StringComparer.Ordinal));
        }

        List<string> s3 = search
            ? [.. System.Text.RegularExpressions.Regex.Matches(string.Concat(await LinesAsync(bed)), "\\{[^}]*\\}").Select(m => m.Value)]
            : await LinesAsync(bed);
        Assert.Equal(expected, s3.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Update_destination_while_a_flush_writes_on_the_callers_thread_writes_every_record_once_under_its_settings()
    {
        var store = new FlakyStore(new InMemoryBucketStore(TimeProvider.System)) { Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) };
        await using var bed = new FirehoseBed(store: store);
        await bed.CreateAsync("u", FirehoseBed.S3(c => c.Prefix = "old/"));
        await bed.PutAsync("u", "a\n", "b\n");
        Task flush = bed.Firehose.FlushAsync("u");
        await store.Attempted(1).WaitAsync(Wait);
        await bed.PutAsync("u", "c\n");
        await bed.Firehose.UpdateDestinationAsync(new UpdateDestinationRequest
        {
            DeliveryStreamName = "u",
            CurrentDeliveryStreamVersionId = "1",
            DestinationId = DeliveryStreamState.DestinationId,
            ExtendedS3DestinationUpdate = new ExtendedS3DestinationUpdate { Prefix = "new/" },
        });
        await bed.PutAsync("u", "d\n");
        Task second = bed.Firehose.FlushAsync("u");
        store.Gate.SetResult();
        await flush.WaitAsync(Wait);
        await second.WaitAsync(Wait);
        Assert.Equal(["a", "b", "c"], (await LinesAsync(bed, "old/")).Order(StringComparer.Ordinal));
        Assert.Equal(["d"], await LinesAsync(bed, "new/"));
        Assert.Equal(3, store.Attempts);
    }

    [Fact]
    public async Task A_flush_racing_the_stop_writes_each_record_once_and_ends()
    {
        for (int round = 0; round < 40; round++)
        {
            var bed = new FirehoseBed();
            await bed.CreateAsync("race", FirehoseBed.S3());
            string[] records = [.. Enumerable.Range(0, 20).Select(i => $"{round}:{i}\n")];
            await bed.PutAsync("race", records);
            Task flush = Task.Run(() => bed.Firehose.FlushAsync("race"));
            Task stop = Task.Run(() => bed.Firehose.StopAsync());
            await Task.WhenAll(flush, stop).WaitAsync(Wait);
            Assert.Equal(records.Select(r => r.TrimEnd('\n')).Order(StringComparer.Ordinal), (await LinesAsync(bed)).Order(StringComparer.Ordinal));
            await bed.DisposeAsync().AsTask().WaitAsync(Wait);
        }
    }

    [Fact]
    public async Task A_put_after_stop_is_refused_with_an_error_that_says_the_stream_is_stopped()
    {
        await using var bed = new FirehoseBed();
        await bed.CreateAsync("stopped", FirehoseBed.S3());
        await bed.Firehose.StopAsync().WaitAsync(Wait);
        ServiceUnavailableException ex = await Assert.ThrowsAsync<ServiceUnavailableException>(() => bed.PutAsync("stopped", "x\n"));
        Assert.Contains("is stopped (its Firehose was stopped or disposed)", ex.Message, StringComparison.Ordinal);
        DescribeDeliveryStreamResponse describe = await bed.Firehose.DescribeDeliveryStreamAsync(new DescribeDeliveryStreamRequest { DeliveryStreamName = "stopped" });
        Assert.Equal("ACTIVE", describe.DeliveryStreamDescription!.DeliveryStreamStatus);
        Assert.Empty(await bed.ListAsync());
    }

    [Fact]
    public async Task Update_destination_after_stop_is_refused_and_changes_nothing()
    {
        await using var bed = new FirehoseBed();
        await bed.CreateAsync("upd", FirehoseBed.S3());
        await bed.Firehose.StopAsync().WaitAsync(Wait);
        ResourceInUseException ex = await Assert.ThrowsAsync<ResourceInUseException>(() => bed.Firehose.UpdateDestinationAsync(new UpdateDestinationRequest
        {
            DeliveryStreamName = "upd",
            CurrentDeliveryStreamVersionId = "1",
            DestinationId = DeliveryStreamState.DestinationId,
            ExtendedS3DestinationUpdate = new ExtendedS3DestinationUpdate { Prefix = "new/" },
        }));
        Assert.Contains("is stopped", ex.Message, StringComparison.Ordinal);
        DescribeDeliveryStreamResponse describe = await bed.Firehose.DescribeDeliveryStreamAsync(new DescribeDeliveryStreamRequest { DeliveryStreamName = "upd" });
        Assert.Equal("1", describe.DeliveryStreamDescription!.VersionId);
    }

    [Fact]
    public async Task Search_flush_after_delete_finished_and_dispose_does_not_throw_object_disposed()
    {
        var index = new FlakyIndex();
        var bed = new FirehoseBed(firehose: o => { o.SearchDomains = index.Inner; o.SearchIndex = index; });
        await CreateSearchAsync(bed, "gone", Search());
        await bed.PutAsync("gone", """{"a":1}""");
        await bed.Firehose.StopAsync().WaitAsync(Wait);
        await bed.Firehose.FlushAsync("gone").WaitAsync(Wait);
        await bed.Firehose.WhenDeliveredAsync("gone").WaitAsync(Wait);
        Assert.Single(index.Inner.Documents(Domain, "logs"));
        await bed.DisposeAsync().AsTask().WaitAsync(Wait);
    }

    [Fact]
    public async Task After_stop_an_update_adding_a_Lambda_processor_is_refused_and_a_put_is_refused_so_no_record_is_lost()
    {
        // Before the fix the update made a new transformation on the stopped stream; it accepted the put, and its
        // hand-off to the stopped pipeline dropped the record.
        var bed = new FirehoseBed();
        FunctionRegistry functions = bed.Engine.GetFunctionRegistry();
        functions.Register("identity", (payload, _) => ValueTask.FromResult<ReadOnlyMemory<byte>>(Identity(payload)));
        await bed.CreateAsync("lam", FirehoseBed.S3(c => c.Prefix = "data/"));
        await bed.Firehose.StopAsync().WaitAsync(Wait);
        await Assert.ThrowsAsync<ResourceInUseException>(() => bed.Firehose.UpdateDestinationAsync(new UpdateDestinationRequest
        {
            DeliveryStreamName = "lam",
            CurrentDeliveryStreamVersionId = "1",
            DestinationId = DeliveryStreamState.DestinationId,
            ExtendedS3DestinationUpdate = new ExtendedS3DestinationUpdate
            {
                ProcessingConfiguration = new ProcessingConfiguration
                {
                    Enabled = true,
                    Processors = [new Processor { Type = ProcessorType.Lambda, Parameters = [new ProcessorParameter { ParameterName = ProcessorParameterName.LambdaArn, ParameterValue = functions.FunctionArn("identity") }] }],
                },
            },
        }));
        await Assert.ThrowsAsync<ServiceUnavailableException>(() => bed.PutAsync("lam", "x\n"));
        await bed.DisposeAsync().AsTask().WaitAsync(Wait);
        Assert.Empty(await LinesAsync(bed));
    }

    [Fact]
    public async Task A_delete_while_the_domain_refuses_then_dispose_puts_the_documents_in_the_failed_output()
    {
        var index = new FlakyIndex { Down = true };
        var bed = new FirehoseBed(firehose: o => { o.SearchDomains = index.Inner; o.SearchIndex = index; });
        await CreateSearchAsync(bed, "os", Search());
        string[] records = [.. Enumerable.Range(0, 5).Select(i => $$"""{"i":{{i}}}""")];
        await bed.PutAsync("os", records);
        await bed.Firehose.DeleteDeliveryStreamAsync(new DeleteDeliveryStreamRequest { DeliveryStreamName = "os" });
        await index.Attempted(1).WaitAsync(Wait);
        await AdvanceUntil(bed, index.Attempted(2));

        // The delete's stop retries (its token is never cancelled); the dispose's cancelled token ends those retries.
        await bed.DisposeAsync().AsTask().WaitAsync(Wait);
        Assert.Equal(records.Order(StringComparer.Ordinal), (await FailedSourcesAsync(bed)).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_flush_writing_on_its_thread_when_a_delete_closes_the_queue_retries_there_and_the_dispose_ends_it()
    {
        var store = new FlakyStore(new InMemoryBucketStore(TimeProvider.System)) { Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), Down = true };
        var bed = new FirehoseBed(store: store);
        await bed.CreateAsync("s3", FirehoseBed.S3());
        await bed.PutAsync("s3", "a\n", "b\n");
        Task flush = bed.Firehose.FlushAsync("s3");
        await store.Attempted(1).WaitAsync(Wait);
        await bed.Firehose.DeleteDeliveryStreamAsync(new DeleteDeliveryStreamRequest { DeliveryStreamName = "s3" });
        store.Gate.SetResult();
        await AdvanceUntil(bed, store.Attempted(2));
        Assert.False(flush.IsCompleted);
        store.Down = false;
        await bed.DisposeAsync().AsTask().WaitAsync(Wait);
        await flush.WaitAsync(Wait);
        Assert.Equal(["a", "b"], (await LinesAsync(bed)).Order(StringComparer.Ordinal));
    }

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

    /// <summary>An index over a real <see cref="SearchDomains"/> that refuses bulk requests while <see cref="Down"/> and counts attempts.</summary>
    private sealed class FlakyIndex : ISearchIndex
    {
        private readonly List<(int Count, TaskCompletionSource Signal)> _waiters = [];
        private int _attempts;

        public SearchDomains Inner { get; } = new();

        public volatile bool Down;

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

        public ValueTask<IReadOnlyList<BulkItemResult>> BulkAsync(string domain, IReadOnlyList<BulkItem> items, CancellationToken cancellationToken)
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

            if (Down)
            {
                throw new SearchDomainException("503", "The domain is down.");
            }

            return ((ISearchIndex)Inner).BulkAsync(domain, items, cancellationToken);
        }
    }

    /// <summary>A bucket store that fails while <see cref="Down"/>, or holds writes until <see cref="Gate"/> opens, and counts attempts.</summary>
    private sealed class FlakyStore(BucketStore inner) : BucketStore
    {
        private int _attempts;
        private readonly List<(int Count, TaskCompletionSource Signal)> _waiters = [];

        public volatile bool Down;

        public TaskCompletionSource? Gate { get; set; }

        public int Attempts => Volatile.Read(ref _attempts);

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
