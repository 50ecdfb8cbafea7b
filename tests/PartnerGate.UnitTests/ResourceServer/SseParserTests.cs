using PartnerGate.ResourceServer.RevocationFeed;

namespace PartnerGate.UnitTests.ResourceServer;

/// <summary>The event-stream format as the WHATWG standard defines it, read line by line as the feed client reads it.</summary>
public sealed class SseParserTests
{
    [Fact]
    public void Messages_AreDispatchedOnABlankLine_WithTheirTypeIdAndData()
    {
        var messages = Parse("event: set\nid: 42\ndata: a.b.c\n\nevent: synced\ndata: {\"cursor\":42}\n\n");

        Assert.Equal(2, messages.Count);
        Assert.Equal(new SseMessage("set", "a.b.c", "42"), messages[0]);
        Assert.Equal(new SseMessage("synced", "{\"cursor\":42}", "42"), messages[1]);
    }

    [Fact]
    public void MultiLineData_IsJoinedWithNewlines()
    {
        var message = Assert.Single(Parse("event: heartbeat\ndata: {\"cursor\":7,\ndata:  \"time\":\"x\"}\n\n"));

        // Only the single space after the colon is dropped; a second one belongs to the value.
        Assert.Equal("{\"cursor\":7,\n \"time\":\"x\"}", message.Data);
    }

    [Fact]
    public void Comments_UnknownFieldsAndRetry_AreIgnored()
    {
        var message = Assert.Single(Parse(": keep-alive\nretry: 10\nfoo: bar\nevent: set\n: between\ndata: t\n\n"));

        Assert.Equal(new SseMessage("set", "t", null), message);
    }

    [Theory]
    [InlineData("\r\n")]
    [InlineData("\r")]
    [InlineData("\n")]
    public void AnyLineTerminator_Works(string newline)
    {
        var message = Assert.Single(Parse(string.Join(newline, "event: set", "id: 3", "data: x", "", "")));

        Assert.Equal(new SseMessage("set", "x", "3"), message);
    }

    [Fact]
    public void AnEventWithoutData_IsNotDispatched_ButItsIdIsKept()
    {
        var messages = Parse("event: set\nid: 9\n\ndata: later\n\n");

        var message = Assert.Single(messages);
        Assert.Equal("message", message.Event);
        Assert.Equal("9", message.LastEventId);
    }

    [Fact]
    public void FieldWithoutColon_HasAnEmptyValue_AndAnUnfinishedEventIsNotDispatched()
    {
        var messages = Parse("data\n\nevent: set\ndata: cut off");

        Assert.Equal(new SseMessage("message", string.Empty, null), Assert.Single(messages));
    }

    [Fact]
    public void AnIdContainingNul_IsIgnored()
    {
        var message = Assert.Single(Parse("id: 1\n\nid: 2\0\ndata: x\n\n"));

        Assert.Equal("1", message.LastEventId);
    }

    private static List<SseMessage> Parse(string text)
    {
        var parser = new SseParser();
        var messages = new List<SseMessage>();
        using var reader = new StringReader(text);
        while (reader.ReadLine() is { } line)
        {
            if (parser.Feed(line) is { } message)
            {
                messages.Add(message);
            }
        }

        return messages;
    }
}
