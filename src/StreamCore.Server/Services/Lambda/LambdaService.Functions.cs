using System.Globalization;
using Microsoft.AspNetCore.Http;
using StreamCore.Functions;

namespace StreamCore.Server.Services.Lambda;

/// <summary>GetFunction: a registered function's configuration (an in-process function, or one declared with <c>--function</c>).</summary>
internal sealed partial class LambdaService
{
    private static Task GetFunctionAsync(HttpContext context, ServiceRequest request, string functionName)
    {
        // The path segment arrives decoded (%3A is ':'), so a full or partial ARN works as Lambda accepts it.
        string? qualifier = context.Request.Query["Qualifier"];
        string name = qualifier is { Length: > 0 } && !functionName.Contains(':', StringComparison.Ordinal) ? functionName + ":" + qualifier : functionName;
        RegisteredFunction function = request.Account.GetFunctionRegistry().GetFunction(name);
        string description = function.Function is HttpFunction http ? $"Invoked by POST {http.Url}" : "In-process function";
        var configuration = new FunctionConfiguration
        {
            FunctionName = function.FunctionName,
            FunctionArn = function.FunctionArn,
            Description = description,
            Timeout = (int)Math.Ceiling(function.Timeout.TotalSeconds),
            MemorySize = 128,
            Version = InvokeResponse.LatestVersion,
            State = "Active",
            LastUpdateStatus = "Successful",
            PackageType = "Zip",
            Architectures = ["x86_64"],
        };
        return WriteAsync(context, StatusCodes.Status200OK, new GetFunctionResponse { Configuration = configuration }, LambdaJsonContext.Default.GetFunctionResponse);
    }
}
