using System.Text;
using System.Text.Json;
using StreamCore.Buckets;
using StreamCore.Delivery;
using StreamCore.Delivery.Search;
using StreamCore.Functions;
using Record = StreamCore.Delivery.Record;

namespace StreamCore.Tests.Delivery;

/// <summary>
/// The OpenSearch / Elasticsearch destination on a fake clock: rotated index names, ids, TypeName, rejected documents
/// and their failed-output shape, retries of a refusing domain for RetryOptions.DurationInSeconds, AllDocuments backup,
/// transformation, updates while records flow, and a stop that loses nothing.
/// </summary>
public sealed class SearchDeliveryTests
{
    private const string Domain = "my-domain";
    private const string DomainArn = "arn:aws:es:us-east-1:123456789012:domain/my-domain";

    private static ElasticsearchDestinationConfiguration Search(Action<ElasticsearchDestinationConfiguration>? configure = null)
    {
        var c = new ElasticsearchDestinationConfiguration
        {
            RoleARN = FirehoseBed.Role,
            DomainARN = DomainArn,
            IndexName = "logs",
            BufferingHints = new ElasticsearchBufferingHints { IntervalInSeconds = 60, SizeInMBs = 1 },
            S3Configuration = new S3DestinationConfiguration { RoleARN = FirehoseBed.Role, BucketARN = FirehoseBed.BucketArn },
        };
        configure?.Invoke(c);
        return c;
    }

    private static Task<CreateDeliveryStreamResponse> CreateAsync(FirehoseBed bed, string name, ElasticsearchDestinationConfiguration destination, bool elasticsearch = false) =>
        bed.Firehose.CreateDeliveryStreamAsync(elasticsearch
            ? new CreateDeliveryStreamRequest { DeliveryStreamName = name, ElasticsearchDestinationConfiguration = destination }
            : new CreateDeliveryStreamRequest { DeliveryStreamName = name, AmazonopensearchserviceDestinationConfiguration = destination });

    private static List<string> Sources(FirehoseBed bed, string index) => [.. bed.Firehose.SearchDomains.Documents(Domain, index).Select(d => d.Source)];

    private static async Task<List<JsonElement>> FailedAsync(FirehoseBed bed, string prefix = "AmazonOpenSearchService-failed/")
    {
        var lines = new List<JsonElement>();
        foreach (BucketObject o in await bed.ListAsync(prefix: prefix))
        {
            foreach (string line in (await bed.TextAsync(o.Key)).Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                lines.Add(JsonDocument.Parse(line).RootElement.Clone());
            }
        }

        return lines;
    }

    [Theory]
    [InlineData("NoRotation", "2016-02-25T13:00:00Z", "myindex")]
    [InlineData("OneHour", "2016-02-25T13:00:00Z", "myindex-2016-02-25-13")]
    [InlineData("OneDay", "2016-02-25T13:00:00Z", "myindex-2016-02-25")]
    [InlineData("OneWeek", "2016-02-25T13:00:00Z", "myindex-2016-w08")]
    [InlineData("OneMonth", "2016-02-25T13:00:00Z", "myindex-2016-02")]
    [InlineData("OneHour", "2016-12-31T23:59:59.999Z", "myindex-2016-12-31-23")]
    [InlineData("OneHour", "2017-01-01T00:00:00Z", "myindex-2017-01-01-00")]
    [InlineData("OneDay", "2016-12-31T23:59:59.999Z", "myindex-2016-12-31")]
    [InlineData("OneMonth", "2017-01-01T00:00:00Z", "myindex-2017-01")]
    [InlineData("OneWeek", "2016-01-01T00:00:00Z", "myindex-2015-w53")] // a Friday: ISO week 53 of 2015
    [InlineData("OneWeek", "2016-01-04T00:00:00Z", "myindex-2016-w01")] // the Monday of ISO week 1
    [InlineData("OneWeek", "2016-01-03T23:59:59.999Z", "myindex-2015-w53")] // the Sunday before it
    [InlineData("OneWeek", "2019-12-30T00:00:00Z", "myindex-2020-w01")] // a Monday in December that starts 2020's week 1
    [InlineData("OneWeek", "2020-12-31T12:00:00Z", "myindex-2020-w53")]
    [InlineData("OneWeek", "2021-01-03T23:59:59Z", "myindex-2020-w53")]
    [InlineData("OneWeek", "2021-01-04T00:00:00Z", "myindex-2021-w01")]
    [InlineData("OneWeek", "2018-01-01T00:00:00Z", "myindex-2018-w01")] // January 1st on a Monday
    [InlineData("OneWeek", "2018-12-31T00:00:00Z", "myindex-2019-w01")]
    public void Index_rotation_appends_the_utc_arrival_time_as_firehose_documents_it(string period, string arrival, string expected) =>
        Assert.Equal(expected, IndexRotation.IndexName("myindex", period, DateTimeOffset.Parse(arrival, System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeMilliseconds()));

    [Fact]
    public async Task Records_are_indexed_under_the_rotated_index_of_their_arrival_with_firehose_ids_and_the_type_name()
    {
        await using var bed = new FirehoseBed();
        foreach (string period in new[] { "NoRotation", "OneHour", "OneDay", "OneWeek", "OneMonth" })
        {
            await CreateAsync(bed, "p-" + period, Search(c =>
            {
                c.IndexName = "p-" + period.ToLowerInvariant();
                c.IndexRotationPeriod = new ElasticsearchIndexRotationPeriod(period);
                c.TypeName = period == "OneDay" ? "event" : null;
            }));
            await bed.PutAsync("p-" + period, """{"n":1}""", """{"n":2}""");
        }

        // 2026-03-01 is a Sunday (ISO week 9); a day later the week, the day and the hour rotate.
        bed.Clock.Advance(TimeSpan.FromDays(1));
        foreach (string period in new[] { "NoRotation", "OneHour", "OneDay", "OneWeek", "OneMonth" })
        {
            await bed.PutAsync("p-" + period, """{"n":3}""");
            await bed.Firehose.FlushAsync("p-" + period).WaitAsync(FirehoseBed.Wait);
        }

        SearchDomains domains = bed.Firehose.SearchDomains;
        Assert.Equal([Domain], domains.DomainNames());
        Assert.Equal(
            ["p-noration", "p-oneday-2026-03-01", "p-oneday-2026-03-02", "p-onehour-2026-03-01-12", "p-onehour-2026-03-02-12", "p-onemonth-2026-03", "p-oneweek-2026-w09", "p-oneweek-2026-w10"],
            domains.IndexNames(Domain).Select(n => n.Replace("p-norotation", "p-noration", StringComparison.Ordinal)));
        Assert.Equal(["""{"n":1}""", """{"n":2}""", """{"n":3}"""], Sources(bed, "p-norotation"));
        Assert.Equal(["""{"n":1}""", """{"n":2}""", """{"n":3}"""], Sources(bed, "p-onemonth-2026-03"));
        Assert.Equal(["""{"n":1}""", """{"n":2}"""], Sources(bed, "p-oneweek-2026-w09"));
        Assert.Equal(["""{"n":3}"""], Sources(bed, "p-oneweek-2026-w10"));
        Assert.All(domains.Documents(Domain, "p-oneday-2026-03-01"), d => Assert.Equal("event", d.TypeName));
        Assert.All(domains.Documents(Domain, "p-norotation"), d => Assert.Null(d.TypeName));

        // FIREHOSE_DEFAULT: Firehose's id (38 digits and the sub-record ".0"), distinct for every record.
        List<string> ids = [.. domains.IndexNames(Domain).SelectMany(i => domains.Documents(Domain, i)).Select(d => d.Id)];
        Assert.Equal(15, ids.Count);
        Assert.Equal(15, ids.Distinct().Count());
        Assert.All(ids, id => Assert.Matches("^[0-9]{38}\\.0$", id));
    }

    [Fact]
    public async Task With_NO_DOCUMENT_ID_the_index_assigns_the_ids()
    {
        await using var bed = new FirehoseBed();
        await CreateAsync(bed, "auto", Search(c =>
        {
            c.IndexRotationPeriod = ElasticsearchIndexRotationPeriod.NoRotation;
            c.DocumentIdOptions = new DocumentIdOptions { DefaultDocumentIdFormat = DefaultDocumentIdFormat.NO_DOCUMENT_ID };
        }));
        await bed.PutAsync("auto", [.. Enumerable.Range(0, 50).Select(i => $$"""{"i":{{i}}}""")]);
        await bed.Firehose.FlushAsync("auto").WaitAsync(FirehoseBed.Wait);
        IReadOnlyList<SearchDocument> documents = bed.Firehose.SearchDomains.Documents(Domain, "logs");
        Assert.Equal(Enumerable.Range(0, 50).Select(i => $$"""{"i":{{i}}}"""), documents.Select(d => d.Source));
        Assert.All(documents, d => Assert.Matches("^[A-Za-z0-9_-]{20}$", d.Id));
        Assert.Equal(50, documents.Select(d => d.Id).Distinct().Count());
    }

    [Fact]
    public async Task A_record_that_is_not_one_json_object_is_rejected_and_written_to_the_failed_output_with_firehoses_shape()
    {
        await using var bed = new FirehoseBed();
        await CreateAsync(bed, "bad", Search(c => c.TypeName = "event"));
        string[] rejected = ["not json", "[1,2]", """{"a":1}{"b":2}""", "{\"a\":", "\"text\"", " "];
        await bed.PutAsync("bad", ["""{"ok":1}""", .. rejected, """{"ok":2}"""]);
        long arrival = FirehoseBed.Start.ToUnixTimeMilliseconds();
        bed.Clock.Advance(TimeSpan.FromSeconds(60));
        await bed.Firehose.WhenDeliveredAsync("bad").WaitAsync(FirehoseBed.Wait);
        await bed.Firehose.FlushAsync("bad").WaitAsync(FirehoseBed.Wait);

        Assert.Equal(["""{"ok":1}""", """{"ok":2}"""], Sources(bed, "logs-2026-03-01"));
        BucketObject failed = Assert.Single(await bed.ListAsync(prefix: "AmazonOpenSearchService-failed/"));
        Assert.StartsWith("AmazonOpenSearchService-failed/2026/03/01/12/bad-1-2026-03-01-12-00-00-", failed.Key, StringComparison.Ordinal);
        List<JsonElement> lines = await FailedAsync(bed);
        Assert.Equal(rejected, lines.Select(l => Encoding.UTF8.GetString(l.GetProperty("rawData").GetBytesFromBase64())));
        foreach (JsonElement line in lines)
        {
            Assert.Equal(
                ["attemptsMade", "arrivalTimestamp", "errorCode", "errorMessage", "attemptEndingTimestamp", "esDocumentId", "esIndexName", "esTypeName", "rawData"],
                line.EnumerateObject().Select(p => p.Name));
            Assert.Equal(1, line.GetProperty("attemptsMade").GetInt32());
            Assert.Equal(arrival, line.GetProperty("arrivalTimestamp").GetInt64());
            Assert.Equal(arrival + 60_000, line.GetProperty("attemptEndingTimestamp").GetInt64());
            Assert.Equal("400", line.GetProperty("errorCode").GetString());
            using JsonDocument error = JsonDocument.Parse(line.GetProperty("errorMessage").GetString()!);
            Assert.Equal("mapper_parsing_exception", error.RootElement.GetProperty("type").GetString());
            Assert.Matches("^[0-9]{38}\\.0$", line.GetProperty("esDocumentId").GetString());
            Assert.Equal("logs-2026-03-01", line.GetProperty("esIndexName").GetString());
            Assert.Equal("event", line.GetProperty("esTypeName").GetString());
        }

        Assert.Empty(await bed.ListAsync(prefix: "2026/"));
    }

    [Fact]
    public async Task An_elasticsearch_destination_writes_its_failed_documents_under_elasticsearch_failed_after_the_s3_prefix()
    {
        await using var bed = new FirehoseBed();
        await CreateAsync(bed, "es", Search(c => c.S3Configuration!.Prefix = "backup/"), elasticsearch: true);
        await bed.PutAsync("es", "oops", """{"ok":true}""");
        await bed.Firehose.FlushAsync("es").WaitAsync(FirehoseBed.Wait);
        Assert.Equal(["""{"ok":true}"""], Sources(bed, "logs-2026-03-01"));
        BucketObject failed = Assert.Single(await bed.ListAsync());
        Assert.StartsWith("backup/elasticsearch-failed/2026/03/01/12/es-1-", failed.Key, StringComparison.Ordinal);
        Assert.Equal("oops", Encoding.UTF8.GetString(Assert.Single(await FailedAsync(bed, "backup/")).GetProperty("rawData").GetBytesFromBase64()));
    }

    [Fact]
    public async Task A_domain_that_refuses_is_retried_on_the_engines_clock_for_the_retry_duration_then_the_documents_go_to_the_failed_output()
    {
        var index = new FlakyIndex { Down = true };
        await using var bed = new FirehoseBed(firehose: o => { o.SearchDomains = index.Inner; o.SearchIndex = index; });
        await CreateAsync(bed, "down", Search(c => c.RetryOptions = new ElasticsearchRetryOptions { DurationInSeconds = 60 }));
        await bed.PutAsync("down", """{"a":1}""", """{"a":2}""");
        bed.Clock.Advance(TimeSpan.FromSeconds(60));
        await index.Attempted(1).WaitAsync(FirehoseBed.Wait);
        long firstAttempt = bed.Clock.GetUtcNow().ToUnixTimeMilliseconds();

        // Back-off 1, 2, 4, 8, 16 s, then the last attempt at the deadline: 7 attempts when the clock steps exactly, fewer
        // when a step lands before the writer set its timer (the steps here are 1 s, so the attempt times may drift).
        await AdvanceUntil(bed, bed.Firehose.WhenDeliveredAsync("down"));
        Assert.InRange(index.Attempts, 5, 7);
        Assert.Empty(bed.Firehose.SearchDomains.DomainNames());
        await bed.Firehose.FlushAsync("down").WaitAsync(FirehoseBed.Wait);
        List<JsonElement> failed = await FailedAsync(bed);
        Assert.Equal(["""{"a":1}""", """{"a":2}"""], failed.Select(l => Encoding.UTF8.GetString(l.GetProperty("rawData").GetBytesFromBase64())));
        Assert.All(failed, l =>
        {
            Assert.Equal(index.Attempts, l.GetProperty("attemptsMade").GetInt32());
            Assert.Equal("503", l.GetProperty("errorCode").GetString());
            Assert.Equal("The domain is down.", l.GetProperty("errorMessage").GetString());
            Assert.InRange(l.GetProperty("attemptEndingTimestamp").GetInt64(), firstAttempt + 60_000, firstAttempt + 65_000);
        });
        Assert.Equal(0, bed.Firehose.GivenUpRecords("down"));
    }

    [Fact]
    public async Task A_retry_duration_of_zero_makes_one_attempt()
    {
        var index = new FlakyIndex { Down = true };
        await using var bed = new FirehoseBed(firehose: o => { o.SearchDomains = index.Inner; o.SearchIndex = index; });
        await CreateAsync(bed, "once", Search(c => c.RetryOptions = new ElasticsearchRetryOptions { DurationInSeconds = 0 }));
        await bed.PutAsync("once", """{"a":1}""");
        await bed.Firehose.FlushAsync("once").WaitAsync(FirehoseBed.Wait);
        Assert.Equal(1, index.Attempts);
        Assert.Equal(1, Assert.Single(await FailedAsync(bed)).GetProperty("attemptsMade").GetInt32());
    }

    [Fact]
    public async Task A_domain_that_recovers_before_the_deadline_gets_every_document_exactly_once()
    {
        var index = new FlakyIndex { Down = true };
        await using var bed = new FirehoseBed(firehose: o => { o.SearchDomains = index.Inner; o.SearchIndex = index; });
        await CreateAsync(bed, "recover", Search());
        await bed.PutAsync("recover", [.. Enumerable.Range(0, 100).Select(i => $$"""{"i":{{i}}}""")]);
        bed.Clock.Advance(TimeSpan.FromSeconds(60));
        await index.Attempted(1).WaitAsync(FirehoseBed.Wait);
        for (int attempt = 2; attempt <= 4; attempt++)
        {
            await AdvanceUntil(bed, index.Attempted(attempt));
        }

        await bed.PutAsync("recover", """{"i":100}""");
        index.Down = false;
        await AdvanceUntil(bed, index.Attempted(5));
        await bed.Firehose.FlushAsync("recover").WaitAsync(FirehoseBed.Wait);
        Assert.Equal(Enumerable.Range(0, 101).Select(i => $$"""{"i":{{i}}}"""), Sources(bed, "logs-2026-03-01"));
        Assert.Empty(await bed.ListAsync());
    }

    [Fact]
    public async Task AllDocuments_backs_up_every_source_record_under_the_s3_prefix_and_the_rejected_ones_also_under_the_failed_prefix()
    {
        await using var bed = new FirehoseBed();
        await CreateAsync(bed, "all", Search(c =>
        {
            c.S3BackupMode = ElasticsearchS3BackupMode.AllDocuments;
            c.S3Configuration!.Prefix = "all/";
        }));
        await bed.PutAsync("all", """{"a":1}""", "bad", """{"a":2}""");
        await bed.Firehose.FlushAsync("all").WaitAsync(FirehoseBed.Wait);
        Assert.Equal(["""{"a":1}""", """{"a":2}"""], Sources(bed, "logs-2026-03-01"));
        BucketObject backup = Assert.Single(await bed.ListAsync(prefix: "all/2026/03/01/12/"));
        Assert.StartsWith("all/2026/03/01/12/all-1-2026-03-01-12-00-00-", backup.Key, StringComparison.Ordinal);
        Assert.Equal("""{"a":1}bad{"a":2}""", await bed.TextAsync(backup.Key));
        Assert.Equal("bad", Encoding.UTF8.GetString(Assert.Single(await FailedAsync(bed, "all/AmazonOpenSearchService-failed/")).GetProperty("rawData").GetBytesFromBase64()));
    }

    [Fact]
    public async Task FailedDocumentsOnly_writes_nothing_to_s3_when_every_document_is_indexed()
    {
        await using var bed = new FirehoseBed();
        await CreateAsync(bed, "quiet", Search());
        await bed.PutAsync("quiet", """{"a":1}""");
        await bed.Firehose.FlushAsync("quiet").WaitAsync(FirehoseBed.Wait);
        Assert.Single(Sources(bed, "logs-2026-03-01"));
        Assert.Empty(await bed.ListAsync());
    }

    [Fact]
    public async Task The_transformation_feeds_the_index_and_its_failures_go_to_processing_failed()
    {
        await using var bed = new FirehoseBed();
        FunctionRegistry functions = bed.Engine.GetFunctionRegistry();
        functions.Register("wrap", static (payload, _) =>
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
                    json.WriteStartObject();
                    json.WriteString("recordId", r.GetProperty("recordId").GetString());
                    json.WriteString("result", text == "fail" ? "ProcessingFailed" : text == "drop" ? "Dropped" : "Ok");
                    json.WriteBase64String("data", Encoding.UTF8.GetBytes($$"""{"message":"{{text}}"}"""));
                    json.WriteEndObject();
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }

            return ValueTask.FromResult(output.WrittenMemory);
        });
        await CreateAsync(bed, "t", Search(c =>
        {
            c.S3BackupMode = ElasticsearchS3BackupMode.AllDocuments;
            c.ProcessingConfiguration = new ProcessingConfiguration
            {
                Enabled = true,
                Processors = [new Processor { Type = ProcessorType.Lambda, Parameters = [new ProcessorParameter { ParameterName = ProcessorParameterName.LambdaArn, ParameterValue = functions.FunctionArn("wrap") }] }],
            };
        }));
        await bed.PutAsync("t", "one", "drop", "fail", "two");
        await bed.Firehose.FlushAsync("t").WaitAsync(FirehoseBed.Wait);
        Assert.Equal(["""{"message":"one"}""", """{"message":"two"}"""], Sources(bed, "logs-2026-03-01"));
        Assert.Equal("onedropfailtwo", await bed.TextAsync(Assert.Single(await bed.ListAsync(prefix: "2026/")).Key));
        JsonElement failure = Assert.Single(await FailedAsync(bed, "processing-failed/"));
        Assert.Equal("fail", Encoding.UTF8.GetString(failure.GetProperty("rawData").GetBytesFromBase64()));
    }

    [Fact]
    public async Task Disposing_delivers_every_buffered_document_and_with_the_domain_down_writes_them_to_the_failed_output()
    {
        var index = new FlakyIndex();
        var bed = new FirehoseBed(firehose: o => { o.SearchDomains = index.Inner; o.SearchIndex = index; });
        await CreateAsync(bed, "up", Search(c => c.IndexRotationPeriod = ElasticsearchIndexRotationPeriod.NoRotation));
        await CreateAsync(bed, "down", Search(c =>
        {
            c.DomainARN = "arn:aws:es:us-east-1:123456789012:domain/down-domain";
            c.S3Configuration!.Prefix = "down/";
        }));
        index.DownDomain = "down-domain";
        for (int i = 0; i < 1000; i++)
        {
            await bed.PutAsync(i % 2 == 0 ? "up" : "down", $$"""{"i":{{i}}}""");
        }

        Assert.Equal(500, bed.Firehose.BufferedRecords("up"));
        await bed.DisposeAsync();
        Assert.Equal(Enumerable.Range(0, 500).Select(i => $$"""{"i":{{2 * i}}}"""), Sources(bed, "logs"));
        List<JsonElement> failed = await FailedAsync(bed, "down/AmazonOpenSearchService-failed/");
        Assert.Equal(Enumerable.Range(0, 500).Select(i => $$"""{"i":{{2 * i + 1}}}"""), failed.Select(l => Encoding.UTF8.GetString(l.GetProperty("rawData").GetBytesFromBase64())));
        await Assert.ThrowsAsync<StreamCore.Errors.ServiceUnavailableException>(() => bed.PutAsync("up", "{}"));
    }

    [Fact]
    public async Task Updating_the_index_name_while_records_flow_indexes_each_record_once_under_the_name_it_arrived_under()
    {
        await using var bed = new FirehoseBed();
        await CreateAsync(bed, "moving", Search(c =>
        {
            c.IndexRotationPeriod = ElasticsearchIndexRotationPeriod.NoRotation;
            c.BufferingHints = new ElasticsearchBufferingHints { IntervalInSeconds = 0, SizeInMBs = 1 };
        }));
        using var stop = new CancellationTokenSource();
        int next = 0;
        Task producer = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                int i = Interlocked.Increment(ref next) - 1;
                await bed.PutAsync("moving", $$"""{"i":{{i}}}""");
            }
        });
        for (int version = 1; version <= 5; version++)
        {
            await Task.Yield();
            await bed.Firehose.UpdateDestinationAsync(new UpdateDestinationRequest
            {
                DeliveryStreamName = "moving",
                CurrentDeliveryStreamVersionId = version.ToString(System.Globalization.CultureInfo.InvariantCulture),
                DestinationId = "destinationId-000000000001",
                AmazonopensearchserviceDestinationUpdate = new ElasticsearchDestinationUpdate { IndexName = $"logs-v{version + 1}" },
            });
        }

        await stop.CancelAsync();
        await producer.WaitAsync(FirehoseBed.Wait);
        await bed.PutAsync("moving", $$"""{"i":{{next++}}}""");
        await bed.Firehose.FlushAsync("moving").WaitAsync(FirehoseBed.Wait);
        SearchDomains domains = bed.Firehose.SearchDomains;
        List<int> all = [.. domains.IndexNames(Domain).SelectMany(i => domains.Documents(Domain, i)).Select(d => JsonDocument.Parse(d.Source).RootElement.GetProperty("i").GetInt32())];
        Assert.Equal(Enumerable.Range(0, next), all.Order());
        Assert.Contains("logs-v6", domains.IndexNames(Domain));
        Assert.All(domains.IndexNames(Domain), name => Assert.Matches("^logs(-v[2-6])?$", name));

        // Within each index the documents are in put order, and every later index holds only later records.
        List<List<int>> perIndex = [.. new[] { "logs", "logs-v2", "logs-v3", "logs-v4", "logs-v5", "logs-v6" }.Select(i => domains.Documents(Domain, i).Select(d => JsonDocument.Parse(d.Source).RootElement.GetProperty("i").GetInt32()).ToList())];
        Assert.All(perIndex, l => Assert.Equal(l.Order(), l));
        Assert.Equal(perIndex.SelectMany(l => l), perIndex.SelectMany(l => l).Order());
    }

    [Fact]
    public async Task Describe_shows_the_search_destination_and_puts_are_accepted()
    {
        await using var bed = new FirehoseBed();
        await CreateAsync(bed, "d", Search());
        PutRecordResponse put = await bed.Firehose.PutRecordAsync(new PutRecordRequest { DeliveryStreamName = "d", Record = new Record { Data = FirehoseBed.Bytes("{}") } });
        Assert.False(string.IsNullOrEmpty(put.RecordId));
        DeliveryStreamDescription d = (await bed.Firehose.DescribeDeliveryStreamAsync(new DescribeDeliveryStreamRequest { DeliveryStreamName = "d" })).DeliveryStreamDescription!;
        Assert.Equal("logs", d.Destinations![0].AmazonopensearchserviceDestinationDescription!.IndexName);
    }

    [Fact]
    public async Task Search_domains_with_a_directory_write_each_bulk_requests_documents_of_an_index_as_one_jsonl_file()
    {
        string directory = Path.Combine(Path.GetTempPath(), $"sd-{Guid.NewGuid():N}");
        try
        {
            ISearchIndex index = new SearchDomains(directory);
            IReadOnlyList<BulkItemResult> results = await index.BulkAsync("d", [
                new BulkItem("a", "1", null, Encoding.UTF8.GetBytes("{\"x\":1}")),
                new BulkItem("b", "2", null, Encoding.UTF8.GetBytes("{\n\"x\":2\r\n}")),
                new BulkItem("a", "3", null, Encoding.UTF8.GetBytes("nope")),
                new BulkItem("a", "4", null, Encoding.UTF8.GetBytes("{\"x\":4}")),
            ], CancellationToken.None);
            Assert.Equal([null, null, "400", null], results.Select(r => r.ErrorCode));
            await index.BulkAsync("d", [new BulkItem("a", "1", null, Encoding.UTF8.GetBytes("{\"x\":5}"))], CancellationToken.None);
            Assert.Equal(["00000000000000000001.jsonl", "00000000000000000003.jsonl"], Directory.GetFiles(Path.Combine(directory, "d", "a")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
            Assert.Equal("{\"x\":1}\n{\"x\":4}\n", await File.ReadAllTextAsync(Path.Combine(directory, "d", "a", "00000000000000000001.jsonl")));
            Assert.Equal("{ \"x\":2  }\n", await File.ReadAllTextAsync(Path.Combine(directory, "d", "b", "00000000000000000002.jsonl")));

            // The same id again replaces the document in place, as the index operation does.
            Assert.Equal(["{\"x\":5}", "{\"x\":4}"], ((SearchDomains)index).Documents("d", "a").Select(d => d.Source));
        }
        finally
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }

    [Fact]
    public async Task Delivery_metrics_use_firehoses_names_for_each_destination_type()
    {
        string os = "m-os-" + Guid.NewGuid().ToString("N");
        string es = "m-es-" + Guid.NewGuid().ToString("N");
        var seen = new System.Collections.Concurrent.ConcurrentQueue<(string Stream, string Name, long Value)>();
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "StreamCore")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            foreach (KeyValuePair<string, object?> tag in tags)
            {
                if (tag.Key == "DeliveryStreamName" && tag.Value is string stream && (stream == os || stream == es))
                {
                    seen.Enqueue((stream, instrument.Name, value));
                }
            }
        });
        listener.Start();
        await using var bed = new FirehoseBed();
        await CreateAsync(bed, os, Search());
        await CreateAsync(bed, es, Search(), elasticsearch: true);
        await bed.PutAsync(os, """{"a":1}""", """{"a":2}""", "bad");
        await bed.PutAsync(es, """{"b":1}""");
        await bed.Firehose.FlushAsync(os).WaitAsync(FirehoseBed.Wait);
        await bed.Firehose.FlushAsync(es).WaitAsync(FirehoseBed.Wait);
        long Sum(string stream, string name) => seen.Where(m => m.Stream == stream && m.Name == name).Sum(m => m.Value);
        Assert.Equal(2, Sum(os, "DeliveryToAmazonOpenSearchService.Records"));
        Assert.Equal(14, Sum(os, "DeliveryToAmazonOpenSearchService.Bytes"));
        Assert.Equal([1L], seen.Where(m => m.Stream == os && m.Name == "DeliveryToAmazonOpenSearchService.Success").Select(m => m.Value));
        Assert.Single(seen, m => m.Stream == os && m.Name == "DeliveryToAmazonOpenSearchService.DataFreshness");
        Assert.Equal(1, Sum(es, "DeliveryToElasticsearch.Records"));
        Assert.Equal([1L], seen.Where(m => m.Stream == es && m.Name == "DeliveryToElasticsearch.Success").Select(m => m.Value));
        Assert.DoesNotContain(seen, m => m.Stream == es && m.Name.StartsWith("DeliveryToAmazonOpenSearchService", StringComparison.Ordinal));
        Assert.Equal(3, Sum(os, "IncomingRecords"));
    }

    [Fact]
    public async Task Concurrent_producers_with_a_domain_that_refuses_every_other_request_index_every_record_exactly_once()
    {
        var index = new FlakyIndex { RefuseEveryOther = true };
        await using var bed = new FirehoseBed(firehose: o => { o.SearchDomains = index.Inner; o.SearchIndex = index; });
        await CreateAsync(bed, "busy", Search(c =>
        {
            c.IndexRotationPeriod = ElasticsearchIndexRotationPeriod.NoRotation;
            c.BufferingHints = new ElasticsearchBufferingHints { IntervalInSeconds = 0, SizeInMBs = 1 };
        }));
        const int Producers = 4;
        const int PerProducer = 250;
        await Task.WhenAll(Enumerable.Range(0, Producers).Select(p => Task.Run(async () =>
        {
            for (int i = 0; i < PerProducer; i += 5)
            {
                await bed.PutAsync("busy", [.. Enumerable.Range(i, 5).Select(j => $$"""{"p":{{p}},"i":{{j}}}""")]);
            }
        })));
        await AdvanceUntil(bed, bed.Firehose.FlushAsync("busy"));
        List<string> sources = Sources(bed, "logs");
        Assert.Equal(Producers * PerProducer, sources.Count);
        Assert.Equal(Producers * PerProducer, sources.Distinct().Count());
        foreach (int p in Enumerable.Range(0, Producers))
        {
            // Each producer's records in its put order.
            Assert.Equal(Enumerable.Range(0, PerProducer).Select(i => $$"""{"p":{{p}},"i":{{i}}}"""), sources.Where(x => x.StartsWith($$"""{"p":{{p}},""", StringComparison.Ordinal)));
        }

        Assert.True(index.Attempts > 1);
        Assert.Empty(await bed.ListAsync());
    }

    /// <summary>Advances the fake clock a second at a time until <paramref name="done"/> completes (never waits on wall time for time-driven behaviour).</summary>
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

    /// <summary>An index over a real <see cref="SearchDomains"/> that refuses bulk requests while <see cref="Down"/> (or for <see cref="DownDomain"/>) and counts attempts.</summary>
    private sealed class FlakyIndex : ISearchIndex
    {
        private readonly List<(int Count, TaskCompletionSource Signal)> _waiters = [];
        private int _attempts;

        public SearchDomains Inner { get; } = new();

        public volatile bool Down;

        public volatile string? DownDomain;

        public bool RefuseEveryOther { get; init; }

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

        public ValueTask<IReadOnlyList<BulkItemResult>> BulkAsync(string domain, IReadOnlyList<BulkItem> items, CancellationToken cancellationToken)
        {
            bool refuse;
            lock (_waiters)
            {
                _attempts++;
                refuse = RefuseEveryOther && _attempts % 2 == 1;
                foreach ((int count, TaskCompletionSource signal) in _waiters.Where(w => w.Count <= _attempts).ToList())
                {
                    signal.TrySetResult();
                    _waiters.Remove((count, signal));
                }
            }

            if (Down || refuse || domain == DownDomain)
            {
                throw new SearchDomainException("503", "The domain is down.");
            }

            return ((ISearchIndex)Inner).BulkAsync(domain, items, cancellationToken);
        }
    }
}
