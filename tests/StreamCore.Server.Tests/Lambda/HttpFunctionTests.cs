using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;
using StreamCore.Functions;

namespace StreamCore.Server.Tests.Lambda;

/// <summary>
/// Functions declared with <c>--function NAME=URL</c> (<see cref="KinesisEndpointOptions.Functions"/>): registered in
/// every account the endpoint serves, invoked by POST URL with the event JSON, and every way an invocation fails.
/// </summary>
public sealed class HttpFunctionTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-12-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
    private FunctionUrl _function = null!;
    private StreamEngine _engine = null!;
    private KinesisEndpoint _endpoint = null!;
    private readonly List<StreamEngine> _accounts = [];

    public async ValueTask InitializeAsync()
    {
        _function = await FunctionUrl.StartAsync();
        _engine = new StreamEngine(new StreamEngineOptions { TimeProvider = _time });
        _endpoint = await KinesisEndpoint.StartAsync(_engine, new KinesisEndpointOptions
        {
            Functions = new Dictionary<string, Uri> { ["process-stream"] = _function.Url, ["unreachable"] = new Uri("http://127.0.0.1:9/never") },
            FunctionTimeout = TimeSpan.FromSeconds(5),
            CreateAccountEngine = account =>
            {
                var engine = new StreamEngine(new StreamEngineOptions { AccountId = account, TimeProvider = _time });
                _accounts.Add(engine);
                return engine;
            },
        });
    }

    public async ValueTask DisposeAsync()
    {
        await _endpoint.DisposeAsync();
        _engine.Dispose();
        _accounts.ForEach(a => a.Dispose());
        await _function.DisposeAsync();
    }

    private RegisteredFunction Function(string name = "process-stream") => _engine.GetFunctionRegistry().GetFunction(name);

    [Fact]
    public async Task A_declared_function_is_invoked_by_POST_with_the_event_JSON_and_its_2xx_body_is_the_result()
    {
        _function.Respond = static async (context, _) =>
        {
            context.Response.StatusCode = StatusCodes.Status200OK;
            await context.Response.WriteAsync("""{"batchItemFailures":[]}""");
        };
        byte[] evnt = """{"Records":[{"kinesis":{"data":"eyJ4IjoxfQ=="},"eventSource":"aws:kinesis"}]}"""u8.ToArray();

        InvokeResponse response = await Function().InvokeAsync(evnt);

        FunctionCall call = await _function.NextCallAsync(Wait);
        Assert.Equal("POST", call.Method);
        Assert.Equal("/2015-03-31/functions/function/invocations", call.Path);
        Assert.Equal("application/json", call.ContentType);
        Assert.Equal(evnt, call.Body);
        Assert.False(response.IsFunctionError);
        Assert.Equal("""{"batchItemFailures":[]}""", Encoding.UTF8.GetString(response.Payload.Span));
        Assert.Equal(200, response.StatusCode);
    }

    [Fact]
    public async Task An_empty_2xx_answer_is_a_success_with_an_empty_result()
    {
        _function.Respond = static (context, _) =>
        {
            context.Response.StatusCode = StatusCodes.Status204NoContent;
            return Task.CompletedTask;
        };
        InvokeResponse response = await Function().InvokeAsync("{}"u8.ToArray());
        Assert.False(response.IsFunctionError);
        Assert.True(response.Payload.IsEmpty);
    }

    [Fact]
    public async Task A_non_2xx_answer_is_a_function_error_Unhandled_naming_the_status()
    {
        _function.Respond = static async (context, _) =>
        {
            context.Response.StatusCode = StatusCodes.Status500InternalServerError;
            await context.Response.WriteAsync("boom");
        };
        InvokeResponse response = await Function().InvokeAsync("{}"u8.ToArray());
        Assert.Equal(InvokeResponse.Unhandled, response.FunctionError);
        Assert.Equal(200, response.StatusCode);
        JsonElement error = JsonDocument.Parse(response.Payload).RootElement;
        Assert.Contains("answered HTTP 500", error.GetProperty("errorMessage").GetString(), StringComparison.Ordinal);
        Assert.Contains("boom", error.GetProperty("errorMessage").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_answer_with_X_Amz_Function_Error_is_a_function_error_carrying_the_functions_error_document()
    {
        _function.Respond = static async (context, _) =>
        {
            context.Response.StatusCode = StatusCodes.Status200OK;
            context.Response.Headers["X-Amz-Function-Error"] = "Unhandled";
            await context.Response.WriteAsync("""{"errorMessage":"bad record","errorType":"ValueError"}""");
        };
        InvokeResponse response = await Function().InvokeAsync("{}"u8.ToArray());
        Assert.Equal("Unhandled", response.FunctionError);
        Assert.Equal("bad record", JsonDocument.Parse(response.Payload).RootElement.GetProperty("errorMessage").GetString());
    }

    [Fact]
    public async Task A_connection_failure_is_a_function_error()
    {
        InvokeResponse response = await Function("unreachable").InvokeAsync("{}"u8.ToArray());
        Assert.Equal(InvokeResponse.Unhandled, response.FunctionError);
        string message = JsonDocument.Parse(response.Payload).RootElement.GetProperty("errorMessage").GetString()!;
        Assert.Contains("could not be reached at http://127.0.0.1:9/never", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_answer_slower_than_the_function_timeout_is_a_function_error_on_the_engines_clock()
    {
        var release = new TaskCompletionSource();
        _function.Respond = async (context, _) =>
        {
            await release.Task;
            context.Response.StatusCode = StatusCodes.Status200OK;
        };
        ValueTask<InvokeResponse> pending = Function().InvokeAsync("{}"u8.ToArray());
        await _function.NextCallAsync(Wait);
        Assert.False(pending.IsCompleted);

        _time.Advance(TimeSpan.FromSeconds(5));
        InvokeResponse response = await pending.AsTask().WaitAsync(Wait);
        release.SetResult();

        Assert.Equal(InvokeResponse.Unhandled, response.FunctionError);
        Assert.EndsWith("Task timed out after 5.00 seconds", JsonDocument.Parse(response.Payload).RootElement.GetProperty("errorMessage").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_declared_function_exists_in_every_account_with_that_accounts_ARN()
    {
        using var http = new HttpClient { BaseAddress = _endpoint.Url };
        foreach ((string key, string account) in new[] { ("test", "000000000000"), ("123456789012", "123456789012") })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/2015-03-31/functions/process-stream");
            request.Headers.TryAddWithoutValidation("Authorization", $"AWS4-HMAC-SHA256 Credential={key}/20261201/us-east-1/lambda/aws4_request, SignedHeaders=host, Signature=00");
            using HttpResponseMessage response = await http.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            JsonElement configuration = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("Configuration");
            Assert.Equal("process-stream", configuration.GetProperty("FunctionName").GetString());
            Assert.Equal($"arn:aws:lambda:us-east-1:{account}:function:process-stream", configuration.GetProperty("FunctionArn").GetString());
            Assert.Equal(5, configuration.GetProperty("Timeout").GetInt32());
            Assert.Equal($"Invoked by POST {_function.Url}", configuration.GetProperty("Description").GetString());
        }

        Assert.True(Assert.Single(_accounts).GetFunctionRegistry().TryGetFunction("process-stream", out _));
    }
}
