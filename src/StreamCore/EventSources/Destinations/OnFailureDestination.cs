namespace StreamCore.EventSources;

/// <summary>An on-failure destination a Kinesis mapping can write: an SQS queue or an S3 bucket.</summary>
internal sealed record OnFailureDestination(OnFailureDestinationKind Kind, string Name, string Arn)
{
    /// <summary>Reads <c>arn:aws:sqs:REGION:ACCOUNT:QUEUE</c> or <c>arn:aws:s3:::BUCKET</c>; null for anything else.</summary>
    public static OnFailureDestination? Parse(string arn)
    {
        string[] parts = arn.Split(':', 6);
        if (parts.Length != 6 || parts[0] != "arn" || !parts[1].StartsWith("aws", StringComparison.Ordinal))
        {
            return null;
        }

        return parts[2] switch
        {
            "sqs" when parts[4].Length == 12 && IsQueueName(parts[5]) => new(OnFailureDestinationKind.Sqs, parts[5], arn),
            "s3" when parts[3].Length == 0 && parts[4].Length == 0 && BucketName(arn) is { } bucket => new(OnFailureDestinationKind.S3, bucket, arn),
            _ => null,
        };
    }

    /// <summary>An SQS queue name: 1-80 of letters, digits, <c>-</c> and <c>_</c> (and a <c>.fifo</c> suffix).</summary>
    private static bool IsQueueName(string name)
    {
        ReadOnlySpan<char> core = name.EndsWith(".fifo", StringComparison.Ordinal) ? name.AsSpan(0, name.Length - 5) : name;
        if (name.Length > 80 || core.Length == 0)
        {
            return false;
        }

        foreach (char c in core)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The bucket of an S3 ARN, by the bucket store's rules (their one home); null when it is not valid.</summary>
    private static string? BucketName(string arn)
    {
        try
        {
            return Buckets.BucketStore.BucketNameFromArn(arn);
        }
        catch (ArgumentException)
        {
            return null;
        }
    }
}

/// <summary>The kinds of on-failure destination.</summary>
internal enum OnFailureDestinationKind
{
    Sqs,
    S3,
}
