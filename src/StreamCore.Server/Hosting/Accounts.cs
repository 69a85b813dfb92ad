using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http;

namespace StreamCore.Server.Hosting;

/// <summary>
/// The account of a request, for every service alike: a 12-digit access key id names an account (as emulators do),
/// whose engine is created on first use and kept; anything else is the default account. When credentials are
/// configured, the request's SigV4 signature is checked first, with AWS's errors.
/// </summary>
internal sealed class Accounts(StreamEngine defaultAccount, KinesisEndpointOptions options)
{
    private readonly ConcurrentDictionary<string, StreamEngine> _engines = new(StringComparer.Ordinal) { [defaultAccount.AccountId] = defaultAccount };

    public bool Authenticate(HttpRequest request, ReadOnlySpan<byte> body, out StreamEngine account, out (string Type, string Message)? refusal)
    {
        account = defaultAccount;
        refusal = null;
        SigV4? signature = SigV4.Parse(request.Headers.Authorization.ToString());
        if (options.Credentials is { } credentials)
        {
            if (signature is null)
            {
                refusal = ("MissingAuthenticationTokenException", "Missing Authentication Token");
                return false;
            }

            if (!credentials.TryGetValue(signature.AccessKeyId, out string? secret))
            {
                refusal = ("UnrecognizedClientException", "The security token included in the request is invalid.");
                return false;
            }

            if (!signature.Verify(request, body, secret))
            {
                refusal = ("InvalidSignatureException", "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.");
                return false;
            }
        }

        string? id = signature?.AccessKeyId;
        if (id is { Length: 12 } && id.All(char.IsAsciiDigit) && options.CreateAccountEngine is { } create)
        {
            account = _engines.GetOrAdd(id, create);
        }

        return true;
    }
}
