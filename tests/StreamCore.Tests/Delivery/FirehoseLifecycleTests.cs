using System.Text;
using System.Text.Json;
using StreamCore.Delivery;
using StreamCore.Functions;

namespace StreamCore.Tests.Delivery;

/// <summary>
/// A Firehose stopped more than once: StopAsync, again, then DisposeAsync (what a host does when it stops the engine
/// and then disposes it) delivers everything once and throws nothing, whichever destination and processing it has.
/// </summary>
public sealed class FirehoseLifecycleTests
{
    private const string DomainArn = "arn:aws:es:us-east-1:123456789012:domain/my-domain";

    public static TheoryData<string> Destinations => new() { "s3", "s3-transformed", "opensearch" };

    [Theory]
    [MemberData(nameof(Destinations))]
    public async Task Stop_then_stop_again_then_dispose_delivers_everything_once_and_throws_nothing(string destination)
    {
        var bed = new FirehoseBed();
        try
        {
            await CreateAsync(bed, destination);
            string end = destination == "s3" ? "\n" : string.Empty; // the transformation adds the delimiter; a document has none
            await bed.PutAsync("d", "{\"n\":1}" + end, "{\"n\":2}" + end, "{\"n\":3}" + end);

            await bed.Firehose.StopAsync();
            await bed.Firehose.StopAsync();
        }
        finally
        {
            await bed.DisposeAsync();
        }

        List<string> delivered = destination == "opensearch"
            ? [.. bed.Firehose.SearchDomains.Documents("my-domain", "logs").Select(d => d.Source)]
            : [.. (await Task.WhenAll((await bed.ListAsync()).Select(o => bed.TextAsync(o.Key)))).SelectMany(t => t.Split('\n', StringSplitOptions.RemoveEmptyEntries))];
        Assert.Equal(["{\"n\":1}", "{\"n\":2}", "{\"n\":3}"], delivered.Order());
    }

    private static Task CreateAsync(FirehoseBed bed, string destination)
    {
        switch (destination)
        {
            case "opensearch":
                return bed.Firehose.CreateDeliveryStreamAsync(new CreateDeliveryStreamRequest
                {
                    DeliveryStreamName = "d",
                    AmazonopensearchserviceDestinationConfiguration = new ElasticsearchDestinationConfiguration
                    {
                        RoleARN = FirehoseBed.Role,
                        DomainARN = DomainArn,
                        IndexName = "logs",
                        IndexRotationPeriod = ElasticsearchIndexRotationPeriod.NoRotation,
                        S3Configuration = new S3DestinationConfiguration { RoleARN = FirehoseBed.Role, BucketARN = FirehoseBed.BucketArn },
                    },
                });
            case "s3-transformed":
                FunctionRegistry registry = bed.Engine.GetFunctionRegistry();
                registry.Register("same", (payload, _) =>
                {
                    // The identity transformation: every record Ok with its own data.
                    using JsonDocument e = JsonDocument.Parse(payload);
                    var output = new System.Buffers.ArrayBufferWriter<byte>();
                    using (var json = new Utf8JsonWriter(output))
                    {
                        json.WriteStartObject();
                        json.WriteStartArray("records");
                        foreach (JsonElement r in e.RootElement.GetProperty("records").EnumerateArray())
                        {
                            json.WriteStartObject();
                            json.WriteString("recordId", r.GetProperty("recordId").GetString());
                            json.WriteString("result", "Ok");
                            json.WriteBase64String("data", Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(r.GetProperty("data").GetBytesFromBase64()) + "\n"));
                            json.WriteEndObject();
                        }

                        json.WriteEndArray();
                        json.WriteEndObject();
                    }

                    return ValueTask.FromResult(output.WrittenMemory);
                });
                return bed.CreateAsync("d", FirehoseBed.S3(c => c.ProcessingConfiguration = new ProcessingConfiguration
                {
                    Enabled = true,
                    Processors =
                    [
                        new Processor
                        {
                            Type = ProcessorType.Lambda,
                            Parameters = [new ProcessorParameter { ParameterName = ProcessorParameterName.LambdaArn, ParameterValue = registry.FunctionArn("same") }],
                        },
                    ],
                }));
            default:
                return bed.CreateAsync("d", FirehoseBed.S3(c => c.BufferingHints = new BufferingHints { SizeInMBs = 64, IntervalInSeconds = 900 }));
        }
    }
}
