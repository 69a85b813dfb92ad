using System.Reflection;
using Mono.Cecil;
using NetArchTest.Rules;
using TestResult = NetArchTest.Rules.TestResult;

namespace StreamCore.Tests.Architecture;

/// <summary>
/// The layering of ARCHITECTURE.md, checked on the compiled assembly: arrows point down only.
/// <code>
///   Hosting     Microsoft.Extensions.DependencyInjection (AddStreamCore)
///   Processing  Producing, Consuming, EventSources, Delivery, Analytics, Aggregation, Connectors, Buckets
///   Faces       Kinesis (and Kinesis.Wire); the event-bus face (DataStream, AppendResult, ShardInfo, the engine's face factories)
///   Reading     Reading; ShardReader, ShardPosition, ShardPositionKind, StreamFollower
///   Engine      Engine (and its sub-parts Engine.Encryption, Engine.Metrics, Engine.Throughput, Engine/Faults); StreamEngine, its options, statuses,
///               fault rules, throughput limits, key providers, and the record views it hands up (RecordBatch, StreamRecord, OwnedRecord)
///   Errors      Errors (the Kinesis exceptions and texts)
///   Storage     Storage
///   Primitives  Hashing, Primitives; SequenceNumber, ShardId, HashKeyRange, TokenSigner
/// </code>
/// A layer may use itself and the layers below it. Errors sits below the engine and above storage: storage knows
/// nothing of exceptions. Processing may use only the faces, Reading, Errors and the primitives, plus the public types
/// of the engine layer that the faces hand out (never an internal type of Engine or Storage).
/// </summary>
public class LayeringTests
{
    private enum Layer
    {
        Primitives,
        Storage,
        Errors,
        Engine,
        Reading,
        Faces,
        Processing,
        Hosting,
    }

    private static readonly Assembly Library = typeof(StreamEngine).Assembly;

    /// <summary>Namespaces and the layer they are in (a namespace covers its sub-namespaces).</summary>
    private static readonly (string Namespace, Layer Layer)[] Namespaces =
    [
        ("StreamCore.Hashing", Layer.Primitives),
        ("StreamCore.Primitives", Layer.Primitives),
        ("StreamCore.Storage", Layer.Storage),
        ("StreamCore.Errors", Layer.Errors),
        ("StreamCore.Engine", Layer.Engine),
        ("StreamCore.Engine.Encryption", Layer.Engine),
        ("StreamCore.Engine.Metrics", Layer.Engine),
        ("StreamCore.Engine.Throughput", Layer.Engine),
        ("StreamCore.Faults", Layer.Engine),
        ("StreamCore.Reading", Layer.Reading),
        ("StreamCore.Kinesis", Layer.Faces),
        ("StreamCore.EventBus", Layer.Faces),
        ("StreamCore.Producing", Layer.Processing),
        ("StreamCore.Consuming", Layer.Processing),
        ("StreamCore.EventSources", Layer.Processing),
        ("StreamCore.Delivery", Layer.Processing),
        ("StreamCore.Analytics", Layer.Processing),
        ("StreamCore.Aggregation", Layer.Processing),
        ("StreamCore.Connectors", Layer.Processing),
        ("StreamCore.Functions", Layer.Processing),
        ("StreamCore.Buckets", Layer.Processing),
        ("Microsoft.Extensions.DependencyInjection", Layer.Hosting),
    ];

    /// <summary>
    /// The root namespace <c>StreamCore</c> holds the public types users meet first, from several layers; each is
    /// placed here by name. A new root type fails <see cref="Every_type_has_a_layer"/> until it is placed.
    /// </summary>
    private static readonly Dictionary<string, Layer> RootTypes = new(StringComparer.Ordinal)
    {
        ["SequenceNumber"] = Layer.Primitives,
        ["ShardId"] = Layer.Primitives,
        ["HashKeyRange"] = Layer.Primitives,
        ["TokenSigner"] = Layer.Primitives,
        ["SequenceNumberFormatter"] = Layer.Primitives,
        ["StreamEngine"] = Layer.Engine,
        ["StreamEngineOptions"] = Layer.Engine,
        ["OnDemandScalingOptions"] = Layer.Engine,
        ["DataStreamStatus"] = Layer.Engine,
        ["StreamCapacityMode"] = Layer.Engine,
        ["FaultInjector"] = Layer.Engine,
        ["FaultRule"] = Layer.Engine,
        ["ThroughputLimits"] = Layer.Engine,
        ["IKmsKeyProvider"] = Layer.Engine,
        ["InMemoryKmsKeyProvider"] = Layer.Engine,
        ["RecordBatch"] = Layer.Engine,
        ["StreamRecord"] = Layer.Engine,
        ["OwnedRecord"] = Layer.Engine,
        ["ShardReader"] = Layer.Reading,
        ["ShardPosition"] = Layer.Reading,
        ["ShardPositionKind"] = Layer.Reading,
        ["StreamFollower"] = Layer.Reading,
        ["DataStream"] = Layer.Faces,
        ["AppendResult"] = Layer.Faces,
        ["AppendBatch"] = Layer.Faces,
        ["ShardInfo"] = Layer.Faces,
        ["EventBusEngineExtensions"] = Layer.Faces,
        ["KinesisEngineExtensions"] = Layer.Faces,
    };

    private static readonly Type[] AllTypes = [.. Library.GetTypes().Where(t => !t.IsNested && !IsCompilerGenerated(t))];

    private static bool IsCompilerGenerated(Type type) =>
        type.Name.StartsWith('<') || type.Namespace is null || type.Namespace.StartsWith("System", StringComparison.Ordinal) || type.Namespace.StartsWith("Microsoft.CodeAnalysis", StringComparison.Ordinal);

    private static Layer? LayerOf(string? ns, string name)
    {
        if (ns == "StreamCore")
        {
            int tick = name.IndexOf('`', StringComparison.Ordinal);
            return RootTypes.TryGetValue(tick < 0 ? name : name[..tick], out Layer layer) ? layer : null;
        }

        foreach ((string prefix, Layer layer) in Namespaces)
        {
            if (ns == prefix || (ns?.StartsWith(prefix + ".", StringComparison.Ordinal) ?? false))
            {
                return layer;
            }
        }

        return null;
    }

    /// <summary>What a type of <paramref name="layer"/> must not reference: every namespace and root type above it.</summary>
    private static string[] Above(Layer layer) =>
    [
        .. Namespaces.Where(n => n.Layer > layer).Select(n => n.Namespace),
        .. RootTypes.Where(r => r.Value > layer).Select(r => "StreamCore." + r.Key),
    ];

    public static TheoryData<string> Layers() => [.. Enum.GetNames<Layer>()];

    [Fact]
    public void Every_type_has_a_layer()
    {
        string[] unplaced = [.. AllTypes.Where(t => LayerOf(t.Namespace, t.Name) is null).Select(t => t.FullName!)];
        Assert.True(unplaced.Length == 0, "Place these types in a layer (a namespace of the table, or RootTypes): " + string.Join(", ", unplaced));
    }

    [Theory]
    [MemberData(nameof(Layers))]
    public void No_layer_references_a_layer_above_it(string layerName)
    {
        Layer layer = Enum.Parse<Layer>(layerName);
        TestResult result = Types.InAssembly(Library)
            .That().MeetCustomRule(new InLayer(layer))
            .ShouldNot().HaveDependencyOnAny(Above(layer))
            .GetResult();
        Assert.True(result.IsSuccessful, $"{layer} types that reference a layer above {layer}: " + string.Join(", ", result.FailingTypeNames ?? []));
    }

    [Fact]
    public void Processing_uses_no_internal_type_of_the_engine_or_storage()
    {
        string[] internals =
        [
            .. AllTypes
                .Where(t => !t.IsPublic && LayerOf(t.Namespace, t.Name) is Layer.Engine or Layer.Storage)
                .Select(t => t.FullName!),
            "StreamCore.Engine",
            "StreamCore.Storage",
        ];
        TestResult result = Types.InAssembly(Library)
            .That().MeetCustomRule(new InLayer(Layer.Processing))
            .ShouldNot().HaveDependencyOnAny(internals)
            .GetResult();
        Assert.True(result.IsSuccessful, "Processing types that reach into the engine or storage: " + string.Join(", ", result.FailingTypeNames ?? []));
    }

    [Fact]
    public void The_faces_reach_storage_and_the_engines_sub_parts_only_through_the_engine()
    {
        // One data-plane path: routing, encryption, throughput and metrics are the engine's; a face that used them
        // directly would be a second path.
        TestResult result = Types.InAssembly(Library)
            .That().MeetCustomRule(new InLayer(Layer.Faces))
            .ShouldNot().HaveDependencyOnAny("StreamCore.Storage", "StreamCore.Engine.Encryption", "StreamCore.Engine.Throughput", "StreamCore.Engine.Metrics")
            .GetResult();
        Assert.True(result.IsSuccessful, "Face types that bypass the engine: " + string.Join(", ", result.FailingTypeNames ?? []));
    }

    [Fact]
    public void The_rules_see_an_upward_reference()
    {
        // The engine's own type may not name a face: proves the dependency search sees root-namespace types.
        TestResult result = Types.InAssembly(typeof(LayeringTests).Assembly)
            .That().HaveName(nameof(LayeringTests))
            .ShouldNot().HaveDependencyOnAny("StreamCore.StreamEngine")
            .GetResult();
        Assert.False(result.IsSuccessful);
    }

    private sealed class InLayer(Layer layer) : ICustomRule
    {
        public bool MeetsRule(TypeDefinition type)
        {
            TypeDefinition outer = type;
            while (outer.DeclaringType is { } declaring)
            {
                outer = declaring;
            }

            return !IsCompilerGeneratedName(outer.Name) && LayerOf(outer.Namespace, outer.Name) == layer;
        }

        private static bool IsCompilerGeneratedName(string name) => name.StartsWith('<');
    }
}
