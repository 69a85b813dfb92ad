using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace StreamCore.Server.Tests;

/// <summary>SigV4 verification and accounts chosen by access key, with the AWS CLI as an independent signer.</summary>
public sealed class SignatureAndAccountTests
{
    [Fact]
    public async Task Signed_requests_are_verified_against_configured_credentials()
    {
        using var engine = new StreamEngine();
        await using KinesisEndpoint endpoint = await KinesisEndpoint.StartAsync(engine, new KinesisEndpointOptions
        {
            Credentials = new Dictionary<string, string> { ["AKIDEXAMPLE"] = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" },
        });

        using var http = new HttpClient { BaseAddress = endpoint.Url };
        using var unsigned = new HttpRequestMessage(HttpMethod.Post, "/") { Content = new StringContent("{}", Encoding.UTF8) };
        unsigned.Content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/x-amz-json-1.1");
        unsigned.Headers.Add("X-Amz-Target", "Kinesis_20131202.ListStreams");
        using HttpResponseMessage refused = await http.SendAsync(unsigned);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal("MissingAuthenticationTokenException", JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement.GetProperty("__type").GetString());

        RequiredTool.Require(AwsCli.Installed(), "AWS CLI v2 (Debian package awscli) is not installed; .ci/run installs it.");
        (int exit, string output, string error) = await AwsCli.KinesisAsync(endpoint.Url, "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "create-stream", "--stream-name", "signed", "--shard-count", "1");
        Assert.True(exit == 0, error);
        (exit, output, _) = await AwsCli.KinesisAsync(endpoint.Url, "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "put-record", "--stream-name", "signed", "--partition-key", "k", "--data", "aGk=");
        Assert.Equal(0, exit);
        Assert.Contains("shardId-000000000000", output, StringComparison.Ordinal);

        (exit, _, error) = await AwsCli.KinesisAsync(endpoint.Url, "AKIDEXAMPLE", "not-the-secret", "list-streams");
        Assert.NotEqual(0, exit);
        Assert.Contains("InvalidSignatureException", error, StringComparison.Ordinal);
        (exit, _, error) = await AwsCli.KinesisAsync(endpoint.Url, "AKIDUNKNOWN", "whatever", "list-streams");
        Assert.Contains("UnrecognizedClientException", error, StringComparison.Ordinal);
        Assert.Equal(["signed"], engine.ListStreamNames());
    }

    [Fact]
    public async Task A_12_digit_access_key_id_selects_the_account()
    {
        RequiredTool.Require(AwsCli.Installed(), "AWS CLI v2 (Debian package awscli) is not installed; .ci/run installs it.");
        using var engine = new StreamEngine();
        var others = new List<StreamEngine>();
        await using KinesisEndpoint endpoint = await KinesisEndpoint.StartAsync(engine, new KinesisEndpointOptions
        {
            CreateAccountEngine = account =>
            {
                var created = new StreamEngine(new StreamEngineOptions { AccountId = account });
                others.Add(created);
                return created;
            },
        });

        (int exit, _, string error) = await AwsCli.KinesisAsync(endpoint.Url, "123456789012", "any", "create-stream", "--stream-name", "theirs", "--shard-count", "1");
        Assert.True(exit == 0, error);
        (exit, string summary, _) = await AwsCli.KinesisAsync(endpoint.Url, "123456789012", "any", "describe-stream-summary", "--stream-name", "theirs");
        Assert.Contains("arn:aws:kinesis:us-east-1:123456789012:stream/theirs", summary, StringComparison.Ordinal);
        (exit, _, error) = await AwsCli.KinesisAsync(endpoint.Url, "AKIDEXAMPLE", "any", "describe-stream-summary", "--stream-name", "theirs");
        Assert.Contains("Stream theirs under account 000000000000 not found.", error, StringComparison.Ordinal);
        Assert.Empty(engine.ListStreamNames());
        Assert.Equal(["theirs"], Assert.Single(others).ListStreamNames());
        others.ForEach(e => e.Dispose());
    }
}
