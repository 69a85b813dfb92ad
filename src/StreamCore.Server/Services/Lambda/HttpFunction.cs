using System.Globalization;
using System.Net.Http.Headers;
using StreamCore.Functions;

namespace StreamCore.Server.Services.Lambda;

/// <summary>
/// A function declared with <c>--function NAME=URL</c>: invoked the way Lambda's Invoke API and the Lambda Runtime
/// Interface Emulator are, by <c>POST URL</c> with <c>Content-Type: application/json</c> and the event JSON as the body.
/// A 2xx answer is a success and its body (possibly empty) the function's result; a non-2xx answer, an answer with an
/// <c>X-Amz-Function-Error</c> header, or a connection failure is a function error. The registry applies the timeout
/// (<c>--function-timeout-ms</c>): the request is cancelled then and the invocation is a function error.
/// </summary>
internal sealed class HttpFunction(Uri url, HttpClient http) : LambdaFunction
{
    public const string FunctionErrorHeader = "X-Amz-Function-Error";

    /// <summary>The URL the function is invoked at.</summary>
    public Uri Url { get; } = url;

    public override async ValueTask<InvokeResponse> InvokeAsync(ReadOnlyMemory<byte> payload, ILambdaContext context, CancellationToken cancellationToken)
    {
        using var content = new ReadOnlyMemoryContent(payload);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, Url) { Content = content };
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            return InvokeResponse.Error("ConnectionError", $"The function {context.FunctionName} could not be reached at {Url}: {ex.Message}");
        }

        using (response)
        {
            byte[] body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            if (response.Headers.TryGetValues(FunctionErrorHeader, out IEnumerable<string>? errors))
            {
                // The function reported its own error (as a Lambda runtime does): its body is the error document.
                string kind = errors.FirstOrDefault() is { Length: > 0 } value ? value : InvokeResponse.Unhandled;
                return new InvokeResponse(body, kind);
            }

            if (!response.IsSuccessStatusCode)
            {
                string status = ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture);
                string text = System.Text.Encoding.UTF8.GetString(body.AsSpan(0, Math.Min(body.Length, 512)));
                return InvokeResponse.Error("HttpStatus" + status, $"The function {context.FunctionName} at {Url} answered HTTP {status} {response.ReasonPhrase}: {text}");
            }

            return InvokeResponse.Success(body);
        }
    }
}
