namespace StreamCore.Functions;

/// <summary>
/// What a function learns about its invocation, as <c>Amazon.Lambda.Core.ILambdaContext</c> has it, so a handler written
/// for Lambda ports by changing a <c>using</c>. <see cref="CancellationToken"/> is StreamCore's addition: it is cancelled
/// when the invocation times out or its caller gives up.
/// </summary>
public interface ILambdaContext
{
    /// <summary>The invocation's request id (a UUID), as in Lambda's logs and on-failure records.</summary>
    string AwsRequestId { get; }

    /// <summary>The function's name.</summary>
    string FunctionName { get; }

    /// <summary>The version that runs: <c>$LATEST</c>.</summary>
    string FunctionVersion { get; }

    /// <summary>The function's ARN, <c>arn:aws:lambda:{region}:{account}:function:{name}</c>.</summary>
    string InvokedFunctionArn { get; }

    /// <summary>How long until the invocation times out, on the registry's clock.</summary>
    TimeSpan RemainingTime { get; }

    /// <summary>Cancelled when the invocation times out or its caller gives up (StreamCore's addition).</summary>
    CancellationToken CancellationToken { get; }
}
