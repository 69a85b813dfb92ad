using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace StreamCore.Kinesis.Wire;

/// <summary>
/// Kinesis's JSON 1.1 conventions over the Kinesis-shaped models, from the compile-time contracts of
/// <see cref="KinesisJsonContext"/>; both the server and the remote client read and write through here.
/// </summary>
internal static class JsonProtocol
{
    public const string ContentType = KinesisWire.JsonContentType;

    /// <summary>
    /// The options whose contracts the JSON and CBOR protocols share (the HTTP status is transport, not payload).
    /// Locked at once: options that are still mutable resolve a contract afresh on every lookup instead of caching
    /// it, and the CBOR protocol looks contracts up per value.
    /// </summary>
    public static readonly JsonSerializerOptions Options = CreateOptions();

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions(KinesisJsonContext.Default.Options)
        {
            TypeInfoResolver = KinesisJsonContext.Default.WithAddedModifier(static info =>
            {
                for (int i = info.Properties.Count - 1; i >= 0; i--)
                {
                    if (info.Properties[i].Name == nameof(KinesisResponse.HttpStatusCode))
                    {
                        info.Properties.RemoveAt(i);
                    }
                }
            }),
        };
        options.MakeReadOnly();
        return options;
    }

    /// <summary>The contract of a model type.</summary>
    public static JsonTypeInfo Contract(Type type) => Options.GetTypeInfo(type);

    /// <summary>The contract of a model type.</summary>
    public static JsonTypeInfo<T> Contract<T>() => (JsonTypeInfo<T>)Options.GetTypeInfo(typeof(T));

    public static byte[] Serialize(object value, JsonTypeInfo contract) => JsonSerializer.SerializeToUtf8Bytes(value, contract);

    public static object? Deserialize(ReadOnlySpan<byte> body, JsonTypeInfo contract) => JsonSerializer.Deserialize(body, contract);

    /// <summary>An error body: <c>{"__type": ..., "message": ...}</c>.</summary>
    public static byte[] SerializeError(string type, string message) =>
        JsonSerializer.SerializeToUtf8Bytes(
            new Dictionary<string, string> { [KinesisWire.ErrorTypeMember] = type, [KinesisWire.ErrorMessageMember] = message },
            Contract<Dictionary<string, string>>());
}
