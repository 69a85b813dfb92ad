using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Connections;

namespace StreamCore.Server.Hosting;

/// <summary>
/// Lets one cleartext port serve HTTP/1.1 (the AWS CLI) and HTTP/2 with prior knowledge (the AWS SDK for JavaScript
/// v3). Kestrel serves a cleartext endpoint with one protocol only (without TLS there is no ALPN to choose), so the
/// public endpoint speaks HTTP/1.1, and this connection middleware peeks at each connection's first bytes: when they
/// are HTTP/2's connection preface, it pumps the connection, untouched, to an internal HTTP/2-only loopback listener
/// of the same application. Nothing is consumed otherwise.
/// </summary>
internal static class PriorKnowledgeHttp2
{
    private static ReadOnlySpan<byte> Preface => "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8;

    public static Func<ConnectionDelegate, ConnectionDelegate> Middleware(Func<IPEndPoint?> http2Listener) => next => async connection =>
    {
        PipeReader input = connection.Transport.Input;
        byte[] head = new byte[24];
        bool http2 = false;
        while (true)
        {
            ReadResult read = await input.ReadAsync(connection.ConnectionClosed).ConfigureAwait(false);
            ReadOnlySequence<byte> buffer = read.Buffer;
            int length = (int)Math.Min(buffer.Length, Preface.Length);
            buffer.Slice(0, length).CopyTo(head);
            bool matches = head.AsSpan(0, length).SequenceEqual(Preface[..length]);
            if (!matches || length == Preface.Length || read.IsCompleted)
            {
                http2 = matches && length == Preface.Length;
                input.AdvanceTo(buffer.Start); // decided: give every byte back unexamined
                break;
            }

            input.AdvanceTo(buffer.Start, buffer.End); // too few bytes to tell: wait for more
        }

        if (!http2 || http2Listener() is not { } target)
        {
            await next(connection).ConfigureAwait(false);
            return;
        }

        using var socket = new Socket(target.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(target, connection.ConnectionClosed).ConfigureAwait(false);
        var upstream = new NetworkStream(socket, ownsSocket: false);
        await using ConfiguredAsyncDisposable _ = upstream.ConfigureAwait(false);
        Task toServer = PumpAsync(input, upstream);
        Task toClient = upstream.CopyToAsync(connection.Transport.Output.AsStream(leaveOpen: true));
        await Task.WhenAny(toServer, toClient).ConfigureAwait(false);
        socket.Shutdown(SocketShutdown.Both);
        await Task.WhenAll(toServer, toClient).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    };

    private static async Task PumpAsync(PipeReader input, NetworkStream upstream)
    {
        while (true)
        {
            ReadResult read = await input.ReadAsync().ConfigureAwait(false);
            foreach (ReadOnlyMemory<byte> segment in read.Buffer)
            {
                await upstream.WriteAsync(segment).ConfigureAwait(false);
            }

            input.AdvanceTo(read.Buffer.End);
            if (read.IsCompleted)
            {
                return;
            }
        }
    }
}
