// Drives a StreamCore Kinesis endpoint with the AWS SDK for JavaScript v3, using the client's defaults (its HTTP/2
// handler included). Usage: node sdk-check.mjs http://127.0.0.1:PORT   Exits 0 when every step checks out.
import {
  KinesisClient, CreateStreamCommand, DescribeStreamSummaryCommand, PutRecordCommand, PutRecordsCommand,
  ListShardsCommand, GetShardIteratorCommand, GetRecordsCommand, RegisterStreamConsumerCommand, SubscribeToShardCommand,
  DescribeStreamCommand,
} from "@aws-sdk/client-kinesis";
import assert from "node:assert/strict";

const endpoint = process.argv[2];
const client = new KinesisClient({
  endpoint,
  region: "us-east-1",
  credentials: { accessKeyId: "test", secretAccessKey: "test" },
});
const text = (bytes) => Buffer.from(bytes).toString("utf8");
const handler = (await client.config.requestHandler)?.constructor?.name ?? String(client.config.requestHandler);
assert.match(handler, /Http2/, `expected the default HTTP/2 handler, got ${handler}`);

await client.send(new CreateStreamCommand({ StreamName: "js", ShardCount: 2 }));
const summary = await client.send(new DescribeStreamSummaryCommand({ StreamName: "js" }));
assert.equal(summary.StreamDescriptionSummary.StreamStatus, "ACTIVE");
assert.ok(summary.StreamDescriptionSummary.StreamCreationTimestamp instanceof Date);

const put = await client.send(new PutRecordCommand({ StreamName: "js", PartitionKey: "user-123", Data: Buffer.from("hello from js") }));
assert.equal(put.ShardId, "shardId-000000000001");
const batch = await client.send(new PutRecordsCommand({
  StreamName: "js",
  Records: [{ PartitionKey: "a", Data: Buffer.from("one") }, { PartitionKey: "b", ExplicitHashKey: "0", Data: Buffer.from("two") }],
}));
assert.equal(batch.FailedRecordCount, 0);
assert.equal((await client.send(new ListShardsCommand({ StreamName: "js" }))).Shards.length, 2);

const iterator = await client.send(new GetShardIteratorCommand({ StreamName: "js", ShardId: put.ShardId, ShardIteratorType: "TRIM_HORIZON" }));
const records = await client.send(new GetRecordsCommand({ ShardIterator: iterator.ShardIterator }));
assert.equal(text(records.Records[0].Data), "hello from js");
assert.ok(records.Records[0].ApproximateArrivalTimestamp instanceof Date);

await assert.rejects(client.send(new DescribeStreamCommand({ StreamName: "nope" })), (e) => e.name === "ResourceNotFoundException");

// SubscribeToShard: the event stream over HTTP/2.
const arn = summary.StreamDescriptionSummary.StreamARN;
const consumer = await client.send(new RegisterStreamConsumerCommand({ StreamARN: arn, ConsumerName: "js-consumer" }));
const subscription = await client.send(new SubscribeToShardCommand({
  ConsumerARN: consumer.Consumer.ConsumerARN, ShardId: put.ShardId, StartingPosition: { Type: "TRIM_HORIZON" },
}));
let pushed = null;
for await (const event of subscription.EventStream) {
  if (event.SubscribeToShardEvent && event.SubscribeToShardEvent.Records.length > 0) {
    pushed = event.SubscribeToShardEvent;
    break;
  }
}
assert.equal(text(pushed.Records[0].Data), "hello from js");
assert.ok(pushed.ContinuationSequenceNumber);
client.destroy();
console.log(`AWS SDK for JavaScript v3 (${handler}): all steps passed`);
process.exit(0);
