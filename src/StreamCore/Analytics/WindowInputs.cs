using System.Threading.Channels;

namespace StreamCore.Analytics;

/// <summary>Any <see cref="IAsyncEnumerable{T}"/> as one partition; its end is the end of input.</summary>
internal sealed class EnumerableInput<TEvent>(IAsyncEnumerable<TEvent> source, long skip) : WindowInput<TEvent>
{
    private const int MaxBatch = 512;

    public override async Task PumpAsync(ChannelWriter<InputItem<TEvent>> inbox, TimeProvider time, CancellationToken cancellationToken)
    {
        const string partition = "0";
        await inbox.WriteAsync(new InputItem<TEvent> { Kind = InputKind.Open, Partition = partition }, cancellationToken).ConfigureAwait(false);
        IAsyncEnumerator<TEvent> events = source.GetAsyncEnumerator(cancellationToken);
        await using (events.ConfigureAwait(false))
        {
            long skipped = 0;
            var batch = new TEvent[MaxBatch];
            int count = 0;
            while (true)
            {
                ValueTask<bool> next = events.MoveNextAsync();
                if (!next.IsCompleted && count > 0)
                {
                    // Nothing more at hand: hand over what there is before waiting.
                    await inbox.WriteAsync(new InputItem<TEvent> { Kind = InputKind.Batch, Partition = partition, Events = batch, Count = count }, cancellationToken).ConfigureAwait(false);
                    batch = new TEvent[MaxBatch];
                    count = 0;
                }

                if (!await next.ConfigureAwait(false))
                {
                    break;
                }

                if (skipped < skip)
                {
                    skipped++;
                    continue;
                }

                batch[count++] = events.Current;
                if (count == MaxBatch)
                {
                    await inbox.WriteAsync(new InputItem<TEvent> { Kind = InputKind.Batch, Partition = partition, Events = batch, Count = count }, cancellationToken).ConfigureAwait(false);
                    batch = new TEvent[MaxBatch];
                    count = 0;
                }
            }

            if (count > 0)
            {
                await inbox.WriteAsync(new InputItem<TEvent> { Kind = InputKind.Batch, Partition = partition, Events = batch, Count = count }, cancellationToken).ConfigureAwait(false);
            }

            await inbox.WriteAsync(new InputItem<TEvent> { Kind = InputKind.EndOfInput }, cancellationToken).ConfigureAwait(false);
        }
    }
}
