using System.Collections.Concurrent;
using System.Net.Sockets;

namespace PartnerGate.IntegrationTests.ResourceServer;

/// <summary>
/// The API's backchannel to the portal, with a switch that makes the feed unreachable (its open event stream is
/// cut and new feed requests fail as a refused connection would) while discovery, keys and introspection still get
/// through. Records the Last-Event-ID of every stream request and counts introspections.
/// </summary>
public sealed class FeedSwitch() : DelegatingHandler(new SocketsHttpHandler())
{
    private volatile bool blocked;
    private CancellationTokenSource cut = new();
    private int introspections;

    public ConcurrentQueue<string?> StreamRequests { get; } = new();

    public int Introspections => Volatile.Read(ref introspections);

    public void Block()
    {
        blocked = true;
        cut.Cancel();
    }

    public void Unblock()
    {
        cut = new CancellationTokenSource();
        blocked = false;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var path = request.RequestUri!.AbsolutePath;
        var feed = path.StartsWith("/ssf/", StringComparison.Ordinal) || path == "/.well-known/ssf-configuration";
        if (feed && blocked)
        {
            throw new HttpRequestException("The test cut the revocation feed.", new SocketException((int)SocketError.ConnectionRefused));
        }

        if (path == "/connect/introspect")
        {
            Interlocked.Increment(ref introspections);
        }

        var isStream = path.EndsWith("/sse", StringComparison.Ordinal);
        if (isStream)
        {
            StreamRequests.Enqueue(request.Headers.TryGetValues("Last-Event-ID", out var values) ? values.Single() : null);
        }

        var response = await base.SendAsync(request, cancellationToken);
        if (isStream)
        {
            // Reads of the event stream end the moment the switch is thrown, as when the network goes.
            var original = response.Content;
            var content = new StreamContent(new CuttableStream(await original.ReadAsStreamAsync(cancellationToken), cut.Token));
            foreach (var header in original.Headers)
            {
                content.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }

            response.Content = content;
        }

        return response;
    }

    private sealed class CuttableStream(Stream inner, CancellationToken cut) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, cut);
            try
            {
                return await inner.ReadAsync(buffer, linked.Token);
            }
            catch (OperationCanceledException) when (cut.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw new IOException("The test cut the revocation feed.");
            }
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count, CancellationToken.None).GetAwaiter().GetResult();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
