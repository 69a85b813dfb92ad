using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace StreamCore.Server.Hosting;

/// <summary>What a request's <c>Authorization</c> header says, and checking it (AWS Signature Version 4).</summary>
internal sealed record SigV4(string AccessKeyId, string Date, string Region, string Service, string[] SignedHeaders, string Signature)
{
    private const string Algorithm = "AWS4-HMAC-SHA256";

    /// <summary>Parses <c>AWS4-HMAC-SHA256 Credential=AKID/date/region/service/aws4_request, SignedHeaders=a;b, Signature=hex</c>.</summary>
    public static SigV4? Parse(string? authorization)
    {
        if (authorization is null || !authorization.StartsWith(Algorithm + " ", StringComparison.Ordinal))
        {
            return null;
        }

        Dictionary<string, string> parts = authorization[(Algorithm.Length + 1)..]
            .Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2))
            .Where(p => p.Length == 2)
            .ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
        if (!parts.TryGetValue("Credential", out string? credential) || !parts.TryGetValue("SignedHeaders", out string? signed) || !parts.TryGetValue("Signature", out string? signature))
        {
            return null;
        }

        string[] scope = credential.Split('/');
        return scope.Length == 5 ? new SigV4(scope[0], scope[1], scope[2], scope[3], signed.Split(';'), signature) : null;
    }

    /// <summary>Whether the signature matches the one <paramref name="secretAccessKey"/> gives this request and body.</summary>
    public bool Verify(HttpRequest request, ReadOnlySpan<byte> body, string secretAccessKey)
    {
        string amzDate = request.Headers["X-Amz-Date"].ToString();
        var canonical = new StringBuilder();
        canonical.Append(request.Method).Append('\n')
            .Append(string.IsNullOrEmpty(request.Path.Value) ? "/" : request.Path.Value).Append('\n')
            .Append(request.QueryString.HasValue ? request.QueryString.Value![1..] : string.Empty).Append('\n');
        foreach (string header in SignedHeaders)
        {
            string value = header == "host" ? request.Host.Value ?? string.Empty : string.Join(',', request.Headers[header].Select(v => v?.Trim()));
            canonical.Append(header).Append(':').Append(value).Append('\n');
        }

        canonical.Append('\n').Append(string.Join(';', SignedHeaders)).Append('\n').Append(Convert.ToHexStringLower(SHA256.HashData(body)));
        string scope = $"{Date}/{Region}/{Service}/aws4_request";
        string toSign = $"{Algorithm}\n{amzDate}\n{scope}\n{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical.ToString())))}";
        byte[] key = Encoding.UTF8.GetBytes("AWS4" + secretAccessKey);
        foreach (string part in (string[])[Date, Region, Service, "aws4_request"])
        {
            key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(part));
        }

        string expected = Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(toSign)));
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(Signature.ToLower(CultureInfo.InvariantCulture)));
    }
}
