using System.Text.Json;
using StreamCore.EventSources; // on AWS: using Amazon.Lambda.KinesisEvents;
using StreamCore.Functions;    // on AWS: using Amazon.Lambda.Core;

namespace StreamCore.Samples.EventSources;

/// <summary>
/// A Kinesis-triggered function written the way it is written for AWS Lambda: it takes the batch, processes each
/// order, and reports the records it could not read (ReportBatchItemFailures), so Lambda retries only those.
/// </summary>
public sealed class OrderFunction
{
    private readonly List<Order> _orders = [];

    /// <summary>The orders processed so far.</summary>
    public IReadOnlyList<Order> Orders
    {
        get
        {
            lock (_orders)
            {
                return [.. _orders];
            }
        }
    }

    /// <summary>The handler (on AWS: the function's handler string names this method).</summary>
    /// <param name="kinesisEvent">The batch.</param>
    /// <param name="context">The invocation's context.</param>
    /// <returns>The records that failed.</returns>
    public Task<StreamsEventResponse?> FunctionHandler(KinesisEvent kinesisEvent, ILambdaContext context)
    {
        var failures = new List<StreamsEventResponse.BatchItemFailure>();
        foreach (KinesisEvent.KinesisEventRecord record in kinesisEvent.Records)
        {
            try
            {
                Order order = JsonSerializer.Deserialize<Order>(record.Kinesis!.Data!.ToArray()) ?? throw new JsonException("null order");
                lock (_orders)
                {
                    _orders.Add(order);
                }
            }
            catch (JsonException)
            {
                failures.Add(new StreamsEventResponse.BatchItemFailure { ItemIdentifier = record.Kinesis!.SequenceNumber });
            }
        }

        return Task.FromResult<StreamsEventResponse?>(new StreamsEventResponse { BatchItemFailures = failures });
    }
}

/// <summary>An order as the producer writes it.</summary>
/// <param name="Id">The order's id.</param>
/// <param name="Total">Its total.</param>
public sealed record Order(string Id, decimal Total);
