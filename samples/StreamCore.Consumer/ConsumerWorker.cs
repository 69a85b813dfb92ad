using System.Globalization;
using System.Text;
using Amazon.Runtime;
using StreamCore.Aws.Kinesis;
using StreamCore.Consuming;

namespace StreamCore.Samples.Consumer;

/// <summary>What one worker process is told on its command line.</summary>
/// <param name="ServiceUrl">The Kinesis endpoint (the StreamCore server, or any Kinesis).</param>
/// <param name="LeaseDirectory">The folder of the lease table the workers share (<see cref="FileSystemLeaseStore"/>).</param>
/// <param name="StreamName">The stream to consume.</param>
/// <param name="WorkerId">This worker's id (the owner its leases name).</param>
/// <param name="FailoverTime">How long a lease lives without renewal before another worker takes it.</param>
/// <param name="CheckpointLag">How many of each batch's last records are left uncheckpointed (0: checkpoint the whole batch).</param>
/// <param name="MaxRecords">The most records per read.</param>
public sealed record WorkerSettings(Uri ServiceUrl, string LeaseDirectory, string StreamName, string WorkerId, TimeSpan FailoverTime, int CheckpointLag, int MaxRecords)
{
    /// <summary>The command line of a worker process with these settings (after the program's path).</summary>
    /// <returns>The arguments.</returns>
    public IReadOnlyList<string> ToArguments() =>
    [
        "worker", ServiceUrl.ToString(), LeaseDirectory, StreamName, WorkerId,
        ((long)FailoverTime.TotalMilliseconds).ToString(CultureInfo.InvariantCulture),
        CheckpointLag.ToString(CultureInfo.InvariantCulture),
        MaxRecords.ToString(CultureInfo.InvariantCulture),
    ];

    /// <summary>Reads the arguments <see cref="ToArguments"/> wrote.</summary>
    /// <param name="args">The command line, starting with "worker".</param>
    /// <returns>The settings.</returns>
    /// <exception cref="ArgumentException">The command line is not a worker's.</exception>
    public static WorkerSettings Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args.Count != 8 || args[0] != "worker")
        {
            throw new ArgumentException("expected: worker <service-url> <lease-directory> <stream> <worker-id> <failover-ms> <checkpoint-lag> <max-records>", nameof(args));
        }

        return new WorkerSettings(new Uri(args[1]), args[2], args[3], args[4],
            TimeSpan.FromMilliseconds(int.Parse(args[5], CultureInfo.InvariantCulture)),
            int.Parse(args[6], CultureInfo.InvariantCulture), int.Parse(args[7], CultureInfo.InvariantCulture));
    }
}

/// <summary>
/// One worker process: a <see cref="KinesisConsumer"/> reading through the remote client, its leases in a folder
/// shared with the other worker processes. It reports on standard output, one line each (what the demo prints and the
/// multi-process test counts): <c>ready</c>; <c>init SHARD CHECKPOINT</c>; <c>rec SHARD SEQUENCE SUBSEQUENCE DATA</c>
/// for every record processed; <c>ckpt SHARD SEQUENCE SUBSEQUENCE</c> once a checkpoint is stored; <c>ckpt-lost SHARD</c>
/// when a checkpoint finds the lease gone; <c>lost</c>, <c>end</c>, <c>shutdown SHARD</c>; <c>stopped</c>. A line
/// <c>stop</c> (or the end) of standard input stops it gracefully.
/// </summary>
public static class ConsumerWorker
{
    /// <summary>The application name: the lease table the workers share.</summary>
    public const string ApplicationName = "orders-app";

    /// <summary>Runs the worker until standard input says stop.</summary>
    /// <param name="settings">The worker's settings.</param>
    /// <param name="output">Where the report lines go.</param>
    /// <param name="input">Where "stop" comes from.</param>
    /// <returns>The exit code.</returns>
    public static async Task<int> RunAsync(WorkerSettings settings, TextWriter output, TextReader input)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(input);
        var report = new Report(output);
        using var kinesis = new RemoteKinesisClient(new RemoteKinesisClientOptions
        {
            ServiceUrl = settings.ServiceUrl,
            Region = "us-east-1",
            Credentials = new BasicAWSCredentials("sample", "sample"),
        });
        using var leases = new FileSystemLeaseStore(settings.LeaseDirectory);
        await using var consumer = new KinesisConsumer(kinesis, new KinesisConsumerOptions
        {
            ApplicationName = ApplicationName,
            StreamName = settings.StreamName,
            WorkerId = settings.WorkerId,
            LeaseStore = leases,
            InitialPosition = InitialPosition.TrimHorizon,
            FailoverTime = settings.FailoverTime,
            IdleTimeBetweenReads = TimeSpan.FromMilliseconds(50),
            TaskBackoffTime = TimeSpan.FromMilliseconds(100),
            MaxRecords = settings.MaxRecords,
            ProcessorFactory = () => new ReportingProcessor(report, settings.CheckpointLag),
        });
        await consumer.StartAsync();
        report.Line("ready");
        while (await input.ReadLineAsync() is { } line && line != "stop")
        {
        }

        await consumer.StopAsync();
        report.Line("stopped");
        return 0;
    }

    private sealed class Report(TextWriter output)
    {
        public void Line(string line)
        {
            lock (this)
            {
                output.WriteLine(line);
                output.Flush();
            }
        }
    }

    /// <summary>Reports every record, then checkpoints all but the batch's last <c>lag</c> records.</summary>
    private sealed class ReportingProcessor(Report report, int lag) : IShardRecordProcessor
    {
        private readonly StringBuilder _batch = new();
        private string _shard = "";

        public ValueTask InitializeAsync(InitializationInput input, CancellationToken cancellationToken)
        {
            _shard = input.ShardId;
            report.Line($"init {_shard} {input.ExtendedSequenceNumber.SequenceNumber}");
            return ValueTask.CompletedTask;
        }

        public async ValueTask ProcessRecordsAsync(ProcessRecordsInput input, CancellationToken cancellationToken)
        {
            _batch.Clear();
            foreach (ConsumerRecord record in input.Records)
            {
                _batch.Append(CultureInfo.InvariantCulture, $"rec {_shard} {record.SequenceNumber} {record.SubSequenceNumber} {Encoding.UTF8.GetString(record.Data.Span)}\n");
            }

            if (_batch.Length > 0)
            {
                report.Line(_batch.ToString(0, _batch.Length - 1)); // processed (and reported) before any checkpoint covers it
            }

            int last = input.Records.Count - 1 - lag;
            if (last >= 0)
            {
                await CheckpointAsync(input.Checkpointer, input.Records[last], cancellationToken);
            }
        }

        public ValueTask LeaseLostAsync(LeaseLostInput input, CancellationToken cancellationToken)
        {
            report.Line($"lost {_shard}");
            return ValueTask.CompletedTask;
        }

        public async ValueTask ShardEndedAsync(ShardEndedInput input, CancellationToken cancellationToken)
        {
            report.Line($"end {_shard}");
            await CheckpointAsync(input.Checkpointer, null, cancellationToken);
        }

        public async ValueTask ShutdownRequestedAsync(ShutdownRequestedInput input, CancellationToken cancellationToken)
        {
            report.Line($"shutdown {_shard}");
            await CheckpointAsync(input.Checkpointer, null, cancellationToken);
        }

        private async ValueTask CheckpointAsync(ShardCheckpointer checkpointer, ConsumerRecord? at, CancellationToken cancellationToken)
        {
            try
            {
                if (at is { } record)
                {
                    await checkpointer.CheckpointAsync(record, cancellationToken);
                }
                else
                {
                    await checkpointer.CheckpointAsync(cancellationToken);
                }
            }
            catch (LeaseLostException)
            {
                report.Line($"ckpt-lost {_shard}");
                return;
            }

            ExtendedSequenceNumber stored = checkpointer.LastCheckpoint;
            report.Line($"ckpt {_shard} {stored.SequenceNumber} {stored.SubSequenceNumber}");
        }
    }
}
