using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Time.Testing;
using StreamCore.Functions;

namespace StreamCore.Tests.Functions;

/// <summary>The function registry: Lambda's ARNs and look-up rules, and the invocation contract (success, function error, timeout, cancellation, typed calls).</summary>
public class FunctionRegistryTests
{
    private const string Account = "123456789012";
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 22, 0, 0, TimeSpan.Zero));

    private FunctionRegistry NewRegistry() => new(Account, "eu-west-1", _time);

    private static ValueTask<ReadOnlyMemory<byte>> Echo(ReadOnlyMemory<byte> payload, ILambdaContext context) => ValueTask.FromResult(payload);

    public sealed record Order(string Id, int Quantity);

    public sealed record Receipt(string OrderId, bool Accepted);

    private static readonly JsonTypeInfo<Order> OrderJson = (JsonTypeInfo<Order>)JsonSerializerOptions.Web.GetTypeInfo(typeof(Order));
    private static readonly JsonTypeInfo<Receipt> ReceiptJson = (JsonTypeInfo<Receipt>)JsonSerializerOptions.Web.GetTypeInfo(typeof(Receipt));

    [Theory]
    [InlineData("process-stream")]
    [InlineData("process-stream:$LATEST")]
    [InlineData("123456789012:function:process-stream")]
    [InlineData("arn:aws:lambda:eu-west-1:123456789012:function:process-stream")]
    [InlineData("arn:aws:lambda:eu-west-1:123456789012:function:process-stream:$LATEST")]
    public void A_function_is_found_by_name_partial_arn_or_full_arn(string functionName)
    {
        FunctionRegistry registry = NewRegistry();
        RegisteredFunction registered = registry.Register("process-stream", Echo);

        Assert.Equal("arn:aws:lambda:eu-west-1:123456789012:function:process-stream", registered.FunctionArn);
        Assert.Same(registered, registry.GetFunction(functionName));
        Assert.True(registry.TryGetFunction(functionName, out RegisteredFunction? found));
        Assert.Same(registered, found);
    }

    [Theory]
    [InlineData("missing", "arn:aws:lambda:eu-west-1:123456789012:function:missing")]
    [InlineData("process-stream:v2", "arn:aws:lambda:eu-west-1:123456789012:function:process-stream:v2")]
    [InlineData("999999999999:function:process-stream", "arn:aws:lambda:eu-west-1:999999999999:function:process-stream")]
    [InlineData("arn:aws:lambda:us-east-1:123456789012:function:process-stream", "arn:aws:lambda:us-east-1:123456789012:function:process-stream")]
    public void An_unknown_function_is_Lambdas_resource_not_found_with_the_arn(string functionName, string arn)
    {
        FunctionRegistry registry = NewRegistry();
        registry.Register("process-stream", Echo);

        ResourceNotFoundException error = Assert.Throws<ResourceNotFoundException>(() => registry.GetFunction(functionName));
        Assert.Equal("Function not found: " + arn, error.Message);
        Assert.Equal("ResourceNotFoundException", error.ErrorCode);
        Assert.Equal(404, error.StatusCode);
        Assert.False(registry.TryGetFunction(functionName, out _));
    }

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("arn:aws:sqs:eu-west-1:123456789012:queue")]
    public void A_malformed_function_name_is_a_validation_error_naming_the_pattern(string functionName)
    {
        ValidationException error = Assert.Throws<ValidationException>(() => NewRegistry().GetFunction(functionName));
        Assert.Equal($"1 validation error detected: Value '{functionName}' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: {FunctionNameForTests.Pattern}", error.Message);
    }

    [Fact]
    public void A_function_name_longer_than_256_is_a_validation_error()
    {
        string name = new('f', 257);
        ValidationException error = Assert.Throws<ValidationException>(() => NewRegistry().GetFunction(name));
        Assert.EndsWith("Member must have length less than or equal to 256", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Registering_a_name_twice_conflicts_and_keeps_the_first()
    {
        FunctionRegistry registry = NewRegistry();
        RegisteredFunction first = registry.Register("f", Echo);

        ResourceConflictException error = Assert.Throws<ResourceConflictException>(() => registry.Register("f", Echo));
        Assert.Equal("Function already exist: f", error.Message);
        Assert.Same(first, registry.GetFunction("f"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("dotted.name")]
    [InlineData("a-name-of-sixty-five-characters-is-one-longer-than-lambda-allows1")]
    public void A_name_Lambda_would_not_create_is_refused(string functionName)
    {
        FunctionRegistry registry = NewRegistry();
        Assert.Throws<ArgumentException>(() => registry.Register(functionName, Echo));
        Assert.Empty(registry.ListFunctions());
    }

    [Fact]
    public void A_timeout_outside_Lambdas_range_is_refused()
    {
        FunctionRegistry registry = NewRegistry();
        Assert.Throws<ArgumentOutOfRangeException>(() => registry.Register("f", Echo, TimeSpan.Zero));
        Assert.Throws<ArgumentOutOfRangeException>(() => registry.Register("f", Echo, TimeSpan.FromMinutes(16)));
        Assert.Empty(registry.ListFunctions());
    }

    [Fact]
    public void Removing_a_function_makes_it_unknown()
    {
        FunctionRegistry registry = NewRegistry();
        registry.Register("f", Echo);

        Assert.True(registry.Remove("arn:aws:lambda:eu-west-1:123456789012:function:f"));
        Assert.False(registry.Remove("f"));
        Assert.Throws<ResourceNotFoundException>(() => registry.GetFunction("f"));
    }

    [Fact]
    public async Task A_successful_invocation_returns_the_result_bytes()
    {
        FunctionRegistry registry = NewRegistry();
        registry.Register("f", Echo);

        InvokeResponse response = await registry.InvokeAsync("f", "{\"a\":1}"u8.ToArray(), TestContext.Current.CancellationToken);

        Assert.False(response.IsFunctionError);
        Assert.Null(response.FunctionError);
        Assert.Equal(200, response.StatusCode);
        Assert.Equal("$LATEST", response.ExecutedVersion);
        Assert.Equal("{\"a\":1}", Encoding.UTF8.GetString(response.Payload.Span));
    }

    [Fact]
    public async Task A_thrown_exception_is_an_unhandled_function_error_with_Lambdas_error_document()
    {
        FunctionRegistry registry = NewRegistry();
        registry.Register("f", (_, _) => throw new InvalidOperationException("boom"));
        registry.Register("g", async (_, _) =>
        {
            await Task.Yield();
            throw new FormatException("bad");
        });

        InvokeResponse sync = await registry.InvokeAsync("f", "{}"u8.ToArray(), TestContext.Current.CancellationToken);
        InvokeResponse async = await registry.InvokeAsync("g", "{}"u8.ToArray(), TestContext.Current.CancellationToken);

        Assert.Equal("Unhandled", sync.FunctionError);
        Assert.Equal(200, sync.StatusCode);
        Assert.Equal("{\"errorMessage\":\"boom\",\"errorType\":\"InvalidOperationException\"}", Encoding.UTF8.GetString(sync.Payload.Span));
        Assert.Equal("Unhandled", async.FunctionError);
        Assert.Equal("{\"errorMessage\":\"bad\",\"errorType\":\"FormatException\"}", Encoding.UTF8.GetString(async.Payload.Span));
    }

    [Fact]
    public async Task A_function_error_answered_by_the_function_is_passed_through()
    {
        FunctionRegistry registry = NewRegistry();
        registry.Register("http", new AnsweringFunction(new InvokeResponse("{\"errorMessage\":\"502\"}"u8.ToArray(), "Handled")));

        InvokeResponse response = await registry.InvokeAsync("http", "{}"u8.ToArray(), TestContext.Current.CancellationToken);

        Assert.Equal("Handled", response.FunctionError);
        Assert.Equal("{\"errorMessage\":\"502\"}", Encoding.UTF8.GetString(response.Payload.Span));
    }

    [Fact]
    public async Task A_function_that_outlives_its_timeout_is_a_function_error_even_if_it_ignores_cancellation()
    {
        FunctionRegistry registry = NewRegistry();
        var never = new TaskCompletionSource<ReadOnlyMemory<byte>>();
        string? requestId = null;
        registry.Register("slow", (_, context) =>
        {
            requestId = context.AwsRequestId;
            return new ValueTask<ReadOnlyMemory<byte>>(never.Task);
        });

        ValueTask<InvokeResponse> pending = registry.InvokeAsync("slow", "{}"u8.ToArray(), TestContext.Current.CancellationToken);
        Assert.False(pending.IsCompleted);
        _time.Advance(TimeSpan.FromSeconds(2.999));
        Assert.False(pending.IsCompleted);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        InvokeResponse response = await pending.AsTask().WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

        Assert.Equal("Unhandled", response.FunctionError);
        Assert.Equal($"{{\"errorMessage\":\"2026-12-01T22:00:03.000Z {requestId} Task timed out after 3.00 seconds\"}}", Encoding.UTF8.GetString(response.Payload.Span));
    }

    [Fact]
    public async Task The_context_counts_down_the_remaining_time_and_cancels_at_the_timeout()
    {
        FunctionRegistry registry = NewRegistry();
        var seen = new TaskCompletionSource<ILambdaContext>();
        registry.Register("watch", async (_, context) =>
        {
            seen.SetResult(context);
            await Task.Delay(Timeout.InfiniteTimeSpan, _time, context.CancellationToken);
            return ReadOnlyMemory<byte>.Empty;
        }, TimeSpan.FromSeconds(10));

        ValueTask<InvokeResponse> pending = registry.InvokeAsync("watch", "{}"u8.ToArray(), TestContext.Current.CancellationToken);
        ILambdaContext context = await seen.Task.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.Equal("watch", context.FunctionName);
        Assert.Equal("arn:aws:lambda:eu-west-1:123456789012:function:watch", context.InvokedFunctionArn);
        Assert.Equal("$LATEST", context.FunctionVersion);
        Assert.True(Guid.TryParse(context.AwsRequestId, out _));
        Assert.Equal(TimeSpan.FromSeconds(10), context.RemainingTime);
        _time.Advance(TimeSpan.FromSeconds(4));
        Assert.Equal(TimeSpan.FromSeconds(6), context.RemainingTime);
        Assert.False(context.CancellationToken.IsCancellationRequested);
        _time.Advance(TimeSpan.FromSeconds(6));

        InvokeResponse response = await pending.AsTask().WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.True(context.CancellationToken.IsCancellationRequested);
        Assert.Equal(TimeSpan.Zero, context.RemainingTime);
        Assert.Contains("Task timed out after 10.00 seconds", Encoding.UTF8.GetString(response.Payload.Span), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_callers_cancellation_is_an_exception_not_a_function_error()
    {
        FunctionRegistry registry = NewRegistry();
        var never = new TaskCompletionSource<ReadOnlyMemory<byte>>();
        registry.Register("slow", (_, _) => new ValueTask<ReadOnlyMemory<byte>>(never.Task));
        using var cancel = new CancellationTokenSource();

        ValueTask<InvokeResponse> pending = registry.InvokeAsync("slow", "{}"u8.ToArray(), cancel.Token);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await pending);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await registry.InvokeAsync("slow", "{}"u8.ToArray(), cancel.Token));
    }

    [Fact]
    public async Task A_typed_function_is_called_with_the_event_object_itself()
    {
        FunctionRegistry registry = NewRegistry();
        Order? received = null;
        RegisteredFunction function = registry.Register<Order, Receipt>("typed", (order, _) =>
        {
            received = order;
            return ValueTask.FromResult(new Receipt(order.Id, order.Quantity > 0));
        }, OrderJson, ReceiptJson);
        var order = new Order("o-1", 3);

        FunctionOutcome<Receipt> outcome = await function.InvokeAsync<Order, Receipt>(order, OrderJson, _ => throw new InvalidOperationException("JSON must not be used"), TestContext.Current.CancellationToken);

        Assert.True(outcome.Succeeded);
        Assert.Same(order, received);
        Assert.Equal(new Receipt("o-1", true), outcome.Result);
    }

    [Fact]
    public async Task A_typed_function_invoked_through_JSON_reads_the_event_and_writes_its_result()
    {
        FunctionRegistry registry = NewRegistry();
        registry.Register<Order, Receipt>("typed", (order, _) => ValueTask.FromResult(new Receipt(order.Id, true)), OrderJson, ReceiptJson);

        InvokeResponse ok = await registry.InvokeAsync("typed", "{\"id\":\"o-2\",\"quantity\":1}"u8.ToArray(), TestContext.Current.CancellationToken);
        InvokeResponse bad = await registry.InvokeAsync("typed", "not json"u8.ToArray(), TestContext.Current.CancellationToken);

        Assert.Equal("{\"orderId\":\"o-2\",\"accepted\":true}", Encoding.UTF8.GetString(ok.Payload.Span));
        Assert.Equal("Unhandled", bad.FunctionError);
    }

    [Fact]
    public async Task A_JSON_function_called_with_an_event_object_gets_its_JSON_and_an_unreadable_result_is_a_function_error()
    {
        FunctionRegistry registry = NewRegistry();
        string? seen = null;
        RegisteredFunction echo = registry.Register("echo", (payload, _) =>
        {
            seen = Encoding.UTF8.GetString(payload.Span);
            return ValueTask.FromResult<ReadOnlyMemory<byte>>("{\"orderId\":\"o-3\",\"accepted\":false}"u8.ToArray());
        });
        RegisteredFunction garbage = registry.Register("garbage", (_, _) => ValueTask.FromResult<ReadOnlyMemory<byte>>("<html>"u8.ToArray()));
        Receipt Parse(ReadOnlyMemory<byte> bytes) => JsonSerializer.Deserialize(bytes.Span, ReceiptJson)!;

        FunctionOutcome<Receipt> ok = await echo.InvokeAsync(new Order("o-3", 0), OrderJson, Parse, TestContext.Current.CancellationToken);
        FunctionOutcome<Receipt> malformed = await garbage.InvokeAsync(new Order("o-4", 0), OrderJson, Parse, TestContext.Current.CancellationToken);

        Assert.Equal("{\"id\":\"o-3\",\"quantity\":0}", seen);
        Assert.Equal(new Receipt("o-3", false), ok.Result);
        Assert.False(malformed.Succeeded);
        Assert.Equal("Unhandled", malformed.Error!.FunctionError);
    }

    [Fact]
    public async Task A_typed_function_that_throws_is_a_function_error_of_the_typed_call()
    {
        FunctionRegistry registry = NewRegistry();
        RegisteredFunction function = registry.Register<Order, Receipt>("typed", (_, _) => throw new ArgumentException("nope"), OrderJson, ReceiptJson);

        FunctionOutcome<Receipt> outcome = await function.InvokeAsync<Order, Receipt>(new Order("o", 1), OrderJson, _ => null!, TestContext.Current.CancellationToken);

        Assert.False(outcome.Succeeded);
        Assert.Equal("{\"errorMessage\":\"nope\",\"errorType\":\"ArgumentException\"}", Encoding.UTF8.GetString(outcome.Error!.Payload.Span));
    }

    [Fact]
    public void An_engine_has_one_registry_with_its_account_region_and_clock()
    {
        using var engine = new StreamEngine(new StreamEngineOptions { AccountId = Account, Region = "ap-south-1", TimeProvider = _time });
        using var other = new StreamEngine(new StreamEngineOptions { TimeProvider = _time });

        FunctionRegistry registry = engine.GetFunctionRegistry();
        Assert.Same(registry, engine.GetFunctionRegistry());
        Assert.NotSame(registry, other.GetFunctionRegistry());
        Assert.Same(_time, registry.TimeProvider);
        Assert.Equal("arn:aws:lambda:ap-south-1:123456789012:function:f", registry.Register("f", Echo).FunctionArn);
        Assert.False(other.GetFunctionRegistry().TryGetFunction("f", out _));
    }

    private sealed class AnsweringFunction(InvokeResponse answer) : LambdaFunction
    {
        public override ValueTask<InvokeResponse> InvokeAsync(ReadOnlyMemory<byte> payload, ILambdaContext context, CancellationToken cancellationToken) => ValueTask.FromResult(answer);
    }

    private static class FunctionNameForTests
    {
        public const string Pattern = @"(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:)?(\d{12}:)?(function:)?([a-zA-Z0-9-_\.]+)(:(\$LATEST(\.PUBLISHED)?|[a-zA-Z0-9-_]+))?";
    }
}
