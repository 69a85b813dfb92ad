using Microsoft.Extensions.Hosting;

namespace StreamCore.Consuming;

/// <summary>
/// Runs a <see cref="KinesisConsumer"/> as a hosted service: started with the host, stopped gracefully with it (each
/// processor may checkpoint, its leases are released), within the host's shutdown timeout.
/// </summary>
public sealed class KinesisConsumerHostedService : IHostedService
{
    private readonly KinesisConsumer _consumer;

    /// <summary>Wraps <paramref name="consumer"/>.</summary>
    /// <param name="consumer">The consumer to run.</param>
    public KinesisConsumerHostedService(KinesisConsumer consumer)
    {
        ArgumentNullException.ThrowIfNull(consumer);
        _consumer = consumer;
    }

    /// <summary>The consumer run.</summary>
    public KinesisConsumer Consumer => _consumer;

    /// <inheritdoc/>
    public Task StartAsync(CancellationToken cancellationToken) => _consumer.StartAsync(cancellationToken);

    /// <inheritdoc/>
    public Task StopAsync(CancellationToken cancellationToken) => _consumer.StopAsync(cancellationToken);
}
