using System.Text;
using StreamCore;
using StreamCore.EventSources;
using StreamCore.Samples.EventSources;

// A Lambda function driven by an event source mapping on the embedded engine, exactly as Lambda drives it on AWS.
using var engine = new StreamEngine();
DataStream orders = engine.CreateStream("orders", 2);
LambdaService lambda = engine.GetLambdaService();
var function = new OrderFunction();
lambda.Functions.RegisterKinesisHandler("process-orders", function.FunctionHandler);

CreateEventSourceMappingResponse mapping = await lambda.CreateEventSourceMappingAsync(new CreateEventSourceMappingRequest
{
    FunctionName = "process-orders",
    EventSourceArn = orders.Arn,
    StartingPosition = EventSourcePosition.TRIM_HORIZON,
    BatchSize = 100,
    FunctionResponseTypes = ["ReportBatchItemFailures"],
    MaximumRetryAttempts = 0,
    DestinationConfig = new DestinationConfig { OnFailure = new OnFailure { Destination = "arn:aws:sqs:us-east-1:000000000000:orders-dlq" } },
});
Console.WriteLine($"mapping {mapping.UUID} is {mapping.State}");

for (int i = 1; i <= 5; i++)
{
    orders.Append("customer-" + i, Encoding.UTF8.GetBytes($"{{\"Id\":\"o-{i}\",\"Total\":{i * 10}}}"));
}

orders.Append("customer-x", "not an order"u8);

string failure = await lambda.Queues.ReceiveMessageAsync("orders-dlq").AsTask().WaitAsync(TimeSpan.FromSeconds(30));
while (function.Orders.Count < 5)
{
    await Task.Yield();
}

Console.WriteLine($"processed {function.Orders.Count} orders, total {function.Orders.Sum(o => o.Total)}");
Console.WriteLine($"the unreadable record went to the on-failure queue: {failure}");
await lambda.DisposeAsync();
