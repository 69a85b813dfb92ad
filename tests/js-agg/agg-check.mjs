// Runs AWS's aws-kinesis-agg on records given as JSON on stdin, for StreamCore's producer interop tests.
//   {"mode":"deaggregate","records":[{"partitionKey":"a","data":"<base64>"}]}
//     -> [{"record":0,"partitionKey":..,"explicitHashKey":..,"subSequenceNumber":..,"data":"<base64>"}]
//   {"mode":"aggregate","records":[{"partitionKey":..,"explicitHashKey":..,"data":"<base64>"}]}
//     -> [{"partitionKey":..,"explicitHashKey":..,"data":"<base64>"}]
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const agg = require('aws-kinesis-agg');

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const input = JSON.parse(Buffer.concat(chunks).toString('utf8'));

if (input.mode === 'deaggregate') {
  const out = [];
  input.records.forEach((record, index) => {
    agg.deaggregateSync({ partitionKey: record.partitionKey, data: record.data, sequenceNumber: '1' }, true, (err, users) => {
      if (err) { console.error(String(err)); process.exit(2); }
      for (const u of users) {
        out.push({ record: index, partitionKey: u.partitionKey, explicitHashKey: u.explicitPartitionKey ?? null, subSequenceNumber: u.subSequenceNumber ?? 0, data: u.data });
      }
    });
  });
  process.stdout.write(JSON.stringify(out));
} else if (input.mode === 'aggregate') {
  const records = input.records.map(r => {
    const rec = { partitionKey: r.partitionKey, data: Buffer.from(r.data, 'base64') };
    if (r.explicitHashKey) rec.explicitHashKey = r.explicitHashKey;
    return rec;
  });
  const out = [];
  agg.aggregate(records, (encoded, callback) => {
    out.push({ partitionKey: encoded.partitionKey, explicitHashKey: encoded.ExplicitHashKey ?? null, data: Buffer.from(encoded.data).toString('base64') });
    callback();
  }, () => process.stdout.write(JSON.stringify(out)), (err) => { console.error(String(err)); process.exit(2); });
} else {
  console.error('unknown mode'); process.exit(2);
}
