using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace StreamCore.Server.Tests.Hosting;

/// <summary>One host for several services: dispatch by X-Amz-Target prefix and by REST path, each answering in its own error shape; overload and size limits.</summary>
public sealed class HostDispatchTests : EndpointTest
{
    private async Task<HttpResponseMessage> SendAsync(string? target, string body, string contentType = "application/x-amz-json-1.1", string path = "/", HttpMethod? method = null)
    {
        using var request = new HttpRequestMessage(method ?? HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        if (target is not null)
        {
            request.Headers.Add("X-Amz-Target", target);
        }

        return await Http.SendAsync(request);
    }

    [Theory]
    [InlineData("Firehose_20150804.Nope", "message")]
    [InlineData("KinesisAnalytics_20180523.Nope", "Message")]
    [InlineData("Kinesis_20131202.Nope", "message")]
    [InlineData("Unknown_20990101.Op", "message")]
    public async Task Json_services_answer_unknown_operations_in_their_shape(string target, string messageMember)
    {
        using HttpResponseMessage response = await SendAsync(target, "{}");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/x-amz-json-1.1", response.Content.Headers.ContentType?.MediaType);
        JsonElement body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("UnknownOperationException", body.GetProperty("__type").GetString());
        Assert.Equal($"Unknown operation {target}.", body.GetProperty(messageMember).GetString());
    }

    [Theory]
    [InlineData("POST", "/2015-03-31/functions")]
    [InlineData("POST", "/2015-03-31/functions/my-function/invocations")]
    [InlineData("DELETE", "/2015-03-31/functions/my-function")]
    [InlineData("GET", "/2015-03-31/layers")]
    public async Task Lambda_paths_answer_Lambdas_unknown_operation_error(string method, string path)
    {
        using HttpResponseMessage response = await SendAsync(null, method == "GET" ? "" : "{}", "application/json", path, new HttpMethod(method));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("UnknownOperationException", Assert.Single(response.Headers.GetValues("X-Amzn-ErrorType")));
        JsonElement body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("User", body.GetProperty("Type").GetString());
        Assert.StartsWith($"Unknown operation {method} /2015-03-31/", body.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_body_declared_over_the_limit_is_refused_with_413_before_it_is_sent()
    {
        // A 1 GiB body is announced, never sent: the answer comes from the headers alone.
        using var client = new System.Net.Sockets.TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, Endpoint.Url.Port);
        await using System.Net.Sockets.NetworkStream stream = client.GetStream();
        string head = $"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: Kinesis_20131202.PutRecords\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: {1L << 30}\r\nExpect: 100-continue\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
        byte[] buffer = new byte[4096];
        int read = await stream.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        string answer = Encoding.ASCII.GetString(buffer, 0, read);
        Assert.StartsWith("HTTP/1.1 413", answer, StringComparison.Ordinal);
        Assert.Contains("SerializationException", answer, StringComparison.Ordinal);
        Assert.Empty(Engine.ListStreamNames());
    }

    [Fact]
    public async Task A_chunked_body_over_the_limit_is_cut_off_with_413()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/") { Content = new StreamContent(new RepeatingStream(KinesisEndpoint.MaxRequestBytes + 1_000_000)) };
        request.Headers.TransferEncodingChunked = true;
        request.Headers.Add("X-Amz-Target", "Kinesis_20131202.PutRecords");
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/x-amz-json-1.1");
        HttpResponseMessage? response = null;
        try
        {
            response = await Http.SendAsync(request);
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        }
        catch (HttpRequestException)
        {
            // The server may close the connection while the client is still sending: refused either way.
        }
        finally
        {
            response?.Dispose();
        }

        using HttpResponseMessage after = await SendAsync("Kinesis_20131202.ListStreams", "{}");
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    private sealed class RepeatingStream(long length) : Stream
    {
        private long _left = length;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count)
        {
            int n = (int)Math.Min(count, _left);
            buffer.AsSpan(offset, n).Fill((byte)'a');
            _left -= n;
            return n;
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}

/// <summary>Under overload the endpoint answers at once with 503 in the service's shape, and serves again once the load passes.</summary>
public sealed class OverloadTests
{
    [Fact]
    public async Task Requests_beyond_the_concurrency_bound_get_503_throttling_and_the_server_keeps_serving()
    {
        using var engine = new StreamEngine();
        await using KinesisEndpoint endpoint = await KinesisEndpoint.StartAsync(engine, new KinesisEndpointOptions { MaxConcurrentRequests = 1 });
        // Hold the one slot with a request whose body never finishes.
        using var slow = new System.Net.Sockets.TcpClient();
        await slow.ConnectAsync(IPAddress.Loopback, endpoint.Url.Port);
        System.Net.Sockets.NetworkStream stream = slow.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes("POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: Kinesis_20131202.ListStreams\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: 10\r\n\r\n{"));

        using var http = new HttpClient { BaseAddress = endpoint.Url };
        (HttpStatusCode status, JsonElement body) = (default, default);
        for (int i = 0; i < 200 && status != HttpStatusCode.ServiceUnavailable; i++)
        {
            (status, body) = await ServerProcess.CallAsync(http, "Kinesis_20131202.ListStreams", "{}");
        }

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal(("ThrottlingException", "Rate exceeded"), (body.GetProperty("__type").GetString(), body.GetProperty("message").GetString()));

        slow.Close(); // the slot frees when the held request ends
        for (int i = 0; i < 200 && status != HttpStatusCode.OK; i++)
        {
            await Task.Delay(10); // the server notices the closed connection on its own schedule
            (status, _) = await ServerProcess.CallAsync(http, "Kinesis_20131202.ListStreams", "{}");
        }

        Assert.Equal(HttpStatusCode.OK, status);
    }
}
