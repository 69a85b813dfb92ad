using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.Credentials;
using Amazon.Runtime.Endpoints;
using Amazon.Runtime.Internal;
using Amazon.Runtime.Internal.Auth;
using Amazon.Runtime.Internal.Util;

namespace StreamCore.Aws.Kinesis;

/// <summary>
/// Regions, credentials and SigV4 from AWSSDK.Core, nothing of them written here: the region chain
/// (<see cref="FallbackRegionFactory"/>), the default credential chain (<see cref="DefaultAWSCredentialsIdentityResolver"/>),
/// and the SDK's <see cref="AWS4Signer"/>, which signs a request in the SDK's own <see cref="IRequest"/> shape.
/// </summary>
internal sealed class AwsSigning
{
    private const string ServiceName = "kinesis";

    private readonly AWS4Signer _signer = new();
    private readonly KinesisClientConfig _config;
    private readonly AWSCredentials? _explicitCredentials;
    private Task<AWSCredentials>? _resolution;

    public AwsSigning(RemoteKinesisClientOptions options)
    {
        RegionEndpoint? region = options.Region is { } name
            ? RegionEndpoint.GetBySystemName(name)
            : FallbackRegionFactory.GetRegionEndpoint(includeInstanceMetadata: options.ServiceUrl is null);
        if (region is null)
        {
            region = options.ServiceUrl is not null
                ? RegionEndpoint.USEast1
                : throw new InvalidOperationException("No AWS region: set RemoteKinesisClientOptions.Region, AWS_REGION or a profile's region, or give a ServiceUrl.");
        }

        Region = region;
        ServiceUrl = options.ServiceUrl ?? new Uri($"https://kinesis.{region.SystemName}.{region.PartitionDnsSuffix}/");
        _config = new KinesisClientConfig { ServiceURL = ServiceUrl.ToString(), AuthenticationRegion = region.SystemName, AuthenticationServiceName = ServiceName };
        _explicitCredentials = options.Credentials;
    }

    public RegionEndpoint Region { get; }

    public Uri ServiceUrl { get; }

    /// <summary>Signs a POST of <paramref name="body"/> and returns the headers to send (Host and Content-Type excepted).</summary>
    public async ValueTask<IDictionary<string, string>?> SignAsync(string target, string contentType, byte[] body, CancellationToken cancellationToken)
    {
        AWSCredentials credentials = _explicitCredentials ?? await ResolveAsync(cancellationToken).ConfigureAwait(false);
        if (credentials is AnonymousAWSCredentials)
        {
            return null;
        }

        ImmutableCredentials current = await credentials.GetCredentialsAsync().ConfigureAwait(false);
        AWSCredentials identity = current.UseToken
            ? new SessionAWSCredentials(current.AccessKey, current.SecretKey, current.Token)
            : new BasicAWSCredentials(current.AccessKey, current.SecretKey);
        var request = new DefaultRequest(Placeholder.Instance, "Kinesis")
        {
            HttpMethod = "POST",
            Endpoint = ServiceUrl,
            ResourcePath = "/",
            Content = body,
            AuthenticationRegion = Region.SystemName,
        };
        request.Headers["Content-Type"] = contentType;
        request.Headers[StreamCore.Kinesis.Wire.KinesisWire.TargetHeader] = target;
        _signer.Sign(request, _config, new RequestMetrics(), identity);
        return request.Headers;
    }

    /// <summary>The default chain, resolved once (the credentials it finds refresh themselves).</summary>
    private Task<AWSCredentials> ResolveAsync(CancellationToken cancellationToken)
    {
        Task<AWSCredentials>? resolution = Volatile.Read(ref _resolution);
        if (resolution is null || resolution.IsFaulted)
        {
            Task<AWSCredentials> fresh = ResolveDefaultChainAsync(_config);
            resolution = Interlocked.CompareExchange(ref _resolution, fresh, resolution) == resolution ? fresh : _resolution!;
        }

        return resolution.WaitAsync(cancellationToken);
    }

    private static async Task<AWSCredentials> ResolveDefaultChainAsync(ClientConfig config)
    {
        using var resolver = new DefaultAWSCredentialsIdentityResolver();
        return await resolver.ResolveIdentityAsync(config, CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>The SDK's request shape wants an originating request object; the wire body is already built.</summary>
    private sealed class Placeholder : AmazonWebServiceRequest
    {
        public static readonly Placeholder Instance = new();
    }

    /// <summary>The SDK's client configuration for Kinesis: what the signer reads (service, region, endpoint).</summary>
    private sealed class KinesisClientConfig : ClientConfig
    {
        public KinesisClientConfig()
            : base(new DefaultConfigurationProvider([new DefaultConfiguration { Name = DefaultConfigurationMode.Standard, RetryMode = RequestRetryMode.Standard }]))
        {
        }

        public override string ServiceVersion => "2013-12-02";

        public override string UserAgent => "StreamCore.Aws";

        public override string RegionEndpointServiceName => ServiceName;

        public override Endpoint DetermineServiceOperationEndpoint(ServiceOperationEndpointParameters parameters) => new(ServiceURL);
    }
}
