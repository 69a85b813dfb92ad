namespace StreamCore.Tests.Primitives;

public class ShardIdTests
{
    [Theory]
    [InlineData("shardId-000000000005", 5)]
    [InlineData("shardId-5", 5)]
    [InlineData("5", 5)]
    [InlineData("anything-5", 5)]
    [InlineData("a-00000000005", 5)]
    [InlineData("shardId-2147483647", 2147483647)]
    public void Parses_leniently_as_Kinesis_does(string text, int index)
    {
        Assert.True(ShardId.TryParse(text, out ShardId id));
        Assert.Equal(index, id.Index);
    }

    [Theory]
    [InlineData("")]
    [InlineData("shardId-")]
    [InlineData("shardId-x")]
    [InlineData("abc")]
    [InlineData("shardId-2147483648")]
    [InlineData("shardId--1")]
    public void Rejects_what_names_no_shard(string text) => Assert.False(ShardId.TryParse(text, out _));

    [Fact]
    public void Formats_with_twelve_digits() => Assert.Equal("shardId-000000000042", new ShardId(42).ToString());
}
