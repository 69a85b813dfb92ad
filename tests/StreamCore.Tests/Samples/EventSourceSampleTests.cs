using System.Text;
using System.Text.Json;
using StreamCore.EventSources;
using StreamCore.Samples.EventSources;
using StreamCore.Tests.EventSources;

namespace StreamCore.Tests.Samples;

/// <summary>The event source mapping sample's function, driven by a mapping on a fake clock: good orders processed, the unreadable one retried and then sent to the queue.</summary>
public class EventSourceSampleTests
{
    [Fact]
    public async Task The_sample_function_processes_orders_and_reports_the_unreadable_record()
    {
        await using var h = new MappingHarness(shards: 2);
        var function = new OrderFunction();
        h.Lambda.Functions.RegisterKinesisHandler("process-orders", function.FunctionHandler);
        await h.MapAsync(
            r =>
            {
                r.FunctionResponseTypes = ["ReportBatchItemFailures"];
                r.MaximumRetryAttempts = 1;
                r.DestinationConfig = new DestinationConfig { OnFailure = new OnFailure { Destination = "arn:aws:sqs:us-east-1:000000000000:orders-dlq" } };
            },
            "process-orders");
        for (int i = 1; i <= 5; i++)
        {
            h.Stream.Append("customer-" + i, Encoding.UTF8.GetBytes($"{{\"Id\":\"o-{i}\",\"Total\":{i * 10}}}"));
        }

        AppendResult bad = h.Stream.Append("customer-x", "not an order"u8);

        await h.AdvanceUntilAsync(() => h.Lambda.Queues.ApproximateNumberOfMessages("orders-dlq") == 1, TimeSpan.FromSeconds(1));

        Assert.Equal(["o-1", "o-2", "o-3", "o-4", "o-5"], function.Orders.Select(o => o.Id).Order());
        Assert.True(h.Lambda.Queues.TryReceiveMessage("orders-dlq", out string? body));
        using JsonDocument failure = JsonDocument.Parse(body);
        Assert.Equal(bad.SequenceNumber.ToString(), failure.RootElement.GetProperty("KinesisBatchInfo").GetProperty("startSequenceNumber").GetString());
        Assert.Equal(2, failure.RootElement.GetProperty("requestContext").GetProperty("approximateInvokeCount").GetInt32());
    }
}
