using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;
using StreamCore.Analytics.Applications;

namespace StreamCore.Server.Services.KinesisAnalytics;

/// <summary>
/// Kinesis Analytics v2 (json 1.1, <c>X-Amz-Target: KinesisAnalytics_20180523.&lt;Op&gt;</c>; its error shapes spell
/// the member <c>Message</c>) over each account's <see cref="AnalyticsApplications"/>: the application lifecycle and
/// snapshots. An application's code is a .NET pipeline registered in the hosting process, so in the standalone server
/// (nothing registered) StartApplication fails with the error that says how to register one. The service's other
/// operations answer UnsupportedOperationException.
/// </summary>
internal sealed class KinesisAnalyticsService : WireService
{
    public const string TargetPrefix = "KinesisAnalytics_20180523";

    private static readonly KinesisAnalyticsJsonContext Json = KinesisAnalyticsJsonContext.Default;

    private static readonly string[] Unsupported =
    [
        "RollbackApplication", "DescribeApplicationVersion", "ListApplicationVersions", "AddApplicationInput",
        "AddApplicationInputProcessingConfiguration", "DeleteApplicationInputProcessingConfiguration", "AddApplicationOutput",
        "DeleteApplicationOutput", "AddApplicationReferenceDataSource", "DeleteApplicationReferenceDataSource",
        "AddApplicationCloudWatchLoggingOption", "DeleteApplicationCloudWatchLoggingOption", "AddApplicationVpcConfiguration",
        "DeleteApplicationVpcConfiguration", "CreateApplicationPresignedUrl", "DiscoverInputSchema", "DescribeApplicationOperation",
        "ListApplicationOperations", "UpdateApplicationMaintenanceConfiguration", "TagResource", "UntagResource", "ListTagsForResource",
    ];

    public override async Task HandleAsync(HttpContext context, ServiceRequest request)
    {
        string? target = context.Request.Headers["X-Amz-Target"];
        string? operation = request.Operation;
        if (!HttpMethods.IsPost(context.Request.Method) || operation is null)
        {
            await JsonErrors.UnknownOperationAsync(context, target, "Message").ConfigureAwait(false);
            return;
        }

        AnalyticsApplications applications = AnalyticsApplications.For(request.Account);
        CancellationToken cancellationToken = context.RequestAborted;
        try
        {
            switch (operation)
            {
                case "CreateApplication":
                    await WriteAsync(context, applications.CreateApplication(Read(request, Json.CreateApplicationRequest)), Json.CreateApplicationResponse).ConfigureAwait(false);
                    break;
                case "DescribeApplication":
                    await WriteAsync(context, applications.DescribeApplication(Read(request, Json.DescribeApplicationRequest)), Json.DescribeApplicationResponse).ConfigureAwait(false);
                    break;
                case "ListApplications":
                    await WriteAsync(context, applications.ListApplications(Read(request, Json.ListApplicationsRequest)), Json.ListApplicationsResponse).ConfigureAwait(false);
                    break;
                case "UpdateApplication":
                    await WriteAsync(context, await applications.UpdateApplicationAsync(Read(request, Json.UpdateApplicationRequest), cancellationToken).ConfigureAwait(false), Json.UpdateApplicationResponse).ConfigureAwait(false);
                    break;
                case "DeleteApplication":
                    await applications.DeleteApplicationAsync(Read(request, Json.DeleteApplicationRequest)).ConfigureAwait(false);
                    await WriteAsync(context, new EmptyResponse(), Json.EmptyResponse).ConfigureAwait(false);
                    break;
                case "StartApplication":
                    await WriteAsync(context, applications.StartApplication(Read(request, Json.StartApplicationRequest)), Json.OperationResponse).ConfigureAwait(false);
                    break;
                case "StopApplication":
                    await WriteAsync(context, await applications.StopApplicationAsync(Read(request, Json.StopApplicationRequest), cancellationToken).ConfigureAwait(false), Json.OperationResponse).ConfigureAwait(false);
                    break;
                case "CreateApplicationSnapshot":
                    await applications.CreateApplicationSnapshotAsync(Read(request, Json.CreateApplicationSnapshotRequest), cancellationToken).ConfigureAwait(false);
                    await WriteAsync(context, new EmptyResponse(), Json.EmptyResponse).ConfigureAwait(false);
                    break;
                case "ListApplicationSnapshots":
                    await WriteAsync(context, applications.ListApplicationSnapshots(Read(request, Json.ListApplicationSnapshotsRequest)), Json.ListApplicationSnapshotsResponse).ConfigureAwait(false);
                    break;
                case "DescribeApplicationSnapshot":
                    await WriteAsync(context, applications.DescribeApplicationSnapshot(Read(request, Json.DescribeApplicationSnapshotRequest)), Json.DescribeApplicationSnapshotResponse).ConfigureAwait(false);
                    break;
                case "DeleteApplicationSnapshot":
                    applications.DeleteApplicationSnapshot(Read(request, Json.DeleteApplicationSnapshotRequest));
                    await WriteAsync(context, new EmptyResponse(), Json.EmptyResponse).ConfigureAwait(false);
                    break;
                default:
                    if (Array.IndexOf(Unsupported, operation) >= 0)
                    {
                        await WriteErrorAsync(context, StatusCodes.Status400BadRequest, "UnsupportedOperationException", $"{operation} is not supported by StreamCore's Kinesis Analytics: applications run .NET pipelines registered in the hosting process.").ConfigureAwait(false);
                    }
                    else
                    {
                        await JsonErrors.UnknownOperationAsync(context, target, "Message").ConfigureAwait(false);
                    }

                    break;
            }
        }
        catch (AnalyticsException ex)
        {
            await WriteErrorAsync(context, StatusCodes.Status400BadRequest, ex.ErrorCode, ex.Message).ConfigureAwait(false);
        }
    }

    public override Task WriteErrorAsync(HttpContext context, int status, string type, string message) => JsonErrors.WriteAsync(context, status, type, message, "Message");

    private static T Read<T>(ServiceRequest request, JsonTypeInfo<T> contract)
        where T : class, new()
    {
        if (request.Body.Length == 0)
        {
            return new T();
        }

        try
        {
            return JsonSerializer.Deserialize(request.Body.Span, contract) ?? new T();
        }
        catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException or NotSupportedException or ArgumentException or OverflowException)
        {
            throw new AnalyticsException("SerializationException", $"The body is not a valid {typeof(T).Name[..^"Request".Length]} request: {ex.Message}");
        }
    }

    private static async Task WriteAsync<T>(HttpContext context, T response, JsonTypeInfo<T> contract)
    {
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = JsonErrors.ContentType;
        await JsonSerializer.SerializeAsync(context.Response.Body, response, contract, context.RequestAborted).ConfigureAwait(false);
    }
}
