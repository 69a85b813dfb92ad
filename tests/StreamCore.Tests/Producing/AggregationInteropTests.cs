using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using StreamCore.Aggregation;
using StreamCore.Connectors;
using StreamCore.Producing;

namespace StreamCore.Tests.Producing;

/// <summary>
/// Interop with AWS's own aggregation library, npm <c>aws-kinesis-agg</c> (tests/js-agg; <c>.ci/run</c> installs it):
/// what StreamCore aggregates it de-aggregates to the same user records, and what it aggregates StreamCore
/// de-aggregates. Without node or the package the tests are skipped locally and fail under CI=true.
/// </summary>
public class AggregationInteropTests
{
    private static readonly (string Key, string? HashKey, byte[] Data)[] Records = BuildRecords();

    private static (string, string?, byte[])[] BuildRecords()
    {
        var random = new Random(12);
        string[] keys = ["a", "b", "key-with-dashes", "ключ", "日本語", new string('z', 256)];
        return [.. Enumerable.Range(0, 300).Select(i =>
        {
            var data = new byte[random.Next(0, 400)];
            random.NextBytes(data);
            string? hashKey = i % 7 == 0 ? ((UInt128)(ulong)random.NextInt64() * 12345).ToString() : null;
            return (keys[i % keys.Length], hashKey, data);
        })];
    }

    private static string Scripts()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "tests", "js-agg");
            if (File.Exists(Path.Combine(candidate, "agg-check.mjs")))
            {
                if (!Directory.Exists(Path.Combine(candidate, "node_modules", "aws-kinesis-agg")))
                {
                    Missing("tests/js-agg packages are not installed; .ci/run runs npm ci there.");
                }

                return candidate;
            }
        }

        Missing("tests/js-agg is not found.");
        return null!;
    }

    private static void Missing(string why)
    {
        if (Environment.GetEnvironmentVariable("CI") == "true")
        {
            Assert.Fail(why + " Under CI the interop tests must run.");
        }

        Assert.Skip(why);
    }

    private static async Task<JsonArray> RunNodeAsync(object input)
    {
        string scripts = Scripts();
        var start = new ProcessStartInfo("node", "agg-check.mjs") { WorkingDirectory = scripts, RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            Missing("node is not installed.");
            throw;
        }

        using (process)
        {
            await process.StandardInput.WriteAsync(JsonSerializer.Serialize(input));
            process.StandardInput.Close();
            Task<string> output = process.StandardOutput.ReadToEndAsync();
            Task<string> error = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await process.WaitForExitAsync(timeout.Token);
            Assert.True(process.ExitCode == 0, "aws-kinesis-agg failed: " + await error);
            return JsonNode.Parse(await output)!.AsArray();
        }
    }

    [Fact]
    public async Task Aws_kinesis_agg_deaggregates_what_StreamCore_aggregates()
    {
        List<SinkRecord> sent = await AggregationFormatTests.AggregateAsync(Records, new KinesisProducerOptions { AggregationMaxSize = 8192 });
        Assert.Contains(sent, s => RecordDeaggregator.IsAggregate(s.Data.Span));
        JsonArray users = await RunNodeAsync(new
        {
            mode = "deaggregate",
            records = sent.Select(s => new { partitionKey = s.PartitionKey, data = Convert.ToBase64String(s.Data.Span) }).ToArray(),
        });

        Assert.Equal(Records.Length, users.Count);
        for (int i = 0; i < Records.Length; i++)
        {
            JsonNode user = users[i]!;
            Assert.Equal(Records[i].Key, (string)user["partitionKey"]!);
            Assert.Equal(Convert.ToBase64String(Records[i].Data), (string)user["data"]!);
            // aws-kinesis-agg reads an absent explicit_hash_key_index as 0 (protobufjs's default), so only records that
            // have one are compared.
            if (Records[i].HashKey is not null && RecordDeaggregator.IsAggregate(sent[(int)user["record"]!].Data.Span))
            {
                Assert.Equal(Records[i].HashKey, (string?)user["explicitHashKey"]);
            }
        }

        // Subsequence numbers count 0, 1, 2... within each Kinesis record, as StreamCore's own de-aggregation gives them.
        Assert.Equal(
            sent.SelectMany(s => Deaggregate(s).Select(u => u.SubSequenceNumber)),
            users.Select(u => (long)u!["subSequenceNumber"]!));
    }

    [Fact]
    public async Task StreamCore_deaggregates_what_aws_kinesis_agg_aggregates()
    {
        JsonArray encoded = await RunNodeAsync(new
        {
            mode = "aggregate",
            records = Records.Select(r => new { partitionKey = r.Key, explicitHashKey = r.HashKey, data = Convert.ToBase64String(r.Data) }).ToArray(),
        });

        var users = new List<DeaggregatedRecord>();
        var deaggregator = new RecordDeaggregator();
        foreach (JsonNode? record in encoded)
        {
            byte[] data = Convert.FromBase64String((string)record!["data"]!);
            Assert.True(RecordDeaggregator.IsAggregate(data));
            deaggregator.Deaggregate(data, (string)record["partitionKey"]!, (string?)record["explicitHashKey"], null, users);
        }

        Assert.Equal(
            Records.Select(r => (r.Key, r.HashKey, Convert.ToBase64String(r.Data))),
            users.Select(u => (u.PartitionKey, u.ExplicitHashKey, Convert.ToBase64String(u.Data.Span))));
    }

    [Fact]
    public async Task Aws_kinesis_agg_writes_the_reference_vector_byte_for_byte_as_StreamCore_does()
    {
        JsonArray encoded = await RunNodeAsync(new
        {
            mode = "aggregate",
            records = new[] { new { partitionKey = "a", data = "eA==" }, new { partitionKey = "b", data = "eQ==" } },
        });
        List<SinkRecord> ours = await AggregationFormatTests.AggregateAsync([("a", null, "x"u8.ToArray()), ("b", null, "y"u8.ToArray())]);
        Assert.Equal((string)encoded.Single()!["data"]!, Convert.ToBase64String(ours.Single().Data.Span));
    }

    private static List<DeaggregatedRecord> Deaggregate(SinkRecord record)
    {
        var users = new List<DeaggregatedRecord>();
        new RecordDeaggregator().Deaggregate(record.Data, record.PartitionKey, record.ExplicitHashKeyText, null, users);
        return users;
    }
}
