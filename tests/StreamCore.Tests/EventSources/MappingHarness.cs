using System.Text;
using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;
using StreamCore.EventSources;
using StreamCore.Functions;

namespace StreamCore.Tests.EventSources;

/// <summary>
/// An engine on a fake clock with one stream, its Lambda service, and a recording Kinesis handler: tests wait on the
/// invocations themselves (with a real-time safety timeout), and advance the fake clock for windows and retries.
/// </summary>
internal sealed class MappingHarness : IAsyncDisposable
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private readonly Channel<KinesisEvent> _invocations = Channel.CreateUnbounded<KinesisEvent>();

    public MappingHarness(int shards = 1, TimeSpan? statusDelay = null)
    {
        Time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 7, 4, 30, TimeSpan.Zero));
        Engine = new StreamEngine(new StreamEngineOptions { TimeProvider = Time, StatusTransitionDelay = statusDelay ?? TimeSpan.Zero });
        Stream = Engine.CreateStream("orders", shards);
        Lambda = Engine.GetLambdaService();
    }

    public FakeTimeProvider Time { get; }

    public StreamEngine Engine { get; }

    public DataStream Stream { get; }

    public LambdaService Lambda { get; }

    public ILambdaClient Client => Lambda;

    /// <summary>Every event the recording handler received, in order.</summary>
    public List<KinesisEvent> Received { get; } = [];

    /// <summary>What the recording handler does with an event: nothing (success) unless a test says otherwise.</summary>
    public Func<KinesisEvent, StreamsEventResponse?> Behaviour { get; set; } = _ => null;

    /// <summary>Registers the recording handler as <paramref name="name"/>.</summary>
    public RegisteredFunction RegisterRecorder(string name = "process-stream") =>
        Lambda.Functions.RegisterKinesisHandler(name, (evnt, _) =>
        {
            lock (Received)
            {
                Received.Add(evnt);
            }

            _invocations.Writer.TryWrite(evnt);
            return Task.FromResult(Behaviour(evnt));
        });

    public async Task<string> MapAsync(Action<CreateEventSourceMappingRequest>? configure = null, string function = "process-stream")
    {
        var request = new CreateEventSourceMappingRequest { FunctionName = function, EventSourceArn = Stream.Arn, StartingPosition = EventSourcePosition.TRIM_HORIZON };
        configure?.Invoke(request);
        CreateEventSourceMappingResponse created = await Client.CreateEventSourceMappingAsync(request);
        await WhenPollingAsync(created.UUID!);
        return created.UUID!;
    }

    /// <summary>Waits until the mapping's poller has opened its readers (LATEST is then fixed).</summary>
    public Task WhenPollingAsync(string uuid) => Lambda.Find(uuid)!.Runner!.Polling.WaitAsync(Patience);

    public void Put(string partitionKey, string data, int count = 1)
    {
        for (int i = 0; i < count; i++)
        {
            Stream.Append(partitionKey, Encoding.UTF8.GetBytes(count == 1 ? data : data + i));
        }
    }

    /// <summary>The next invocation, waiting for it.</summary>
    public async Task<KinesisEvent> NextAsync() => await _invocations.Reader.ReadAsync().AsTask().WaitAsync(Patience);

    /// <summary>True when an invocation arrives within a short real time (for the cases that must not invoke, paired with a positive check).</summary>
    public bool TryNext(out KinesisEvent? evnt) => _invocations.Reader.TryRead(out evnt);

    /// <summary>Advances the fake clock a step at a time until <paramref name="condition"/> holds, letting the poller run between steps.</summary>
    public async Task AdvanceUntilAsync(Func<bool> condition, TimeSpan step, int maxSteps = 400)
    {
        for (int i = 0; i < maxSteps; i++)
        {
            if (condition())
            {
                return;
            }

            Time.Advance(step);
            await Task.Yield();
            await WaitForQuietAsync();
        }

        Assert.True(condition(), "the condition did not hold after advancing the fake clock");
    }

    /// <summary>Gives the poller's continuations a moment of real time (they run on the thread pool).</summary>
    public static Task WaitForQuietAsync() => Task.Delay(TimeSpan.FromMilliseconds(20), TimeProvider.System);

    public static string Data(KinesisEvent.KinesisEventRecord record) => Encoding.UTF8.GetString(record.Kinesis!.Data!.ToArray());

    public async ValueTask DisposeAsync()
    {
        await Lambda.DisposeAsync();
        Engine.Dispose();
    }
}
