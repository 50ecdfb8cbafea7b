using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using PartnerGate.Data;
using PartnerGate.Domain.Auditing;

namespace PartnerGate.Web.Features.Audit;

public enum AuditExportFormat
{
    Jsonl,
    Csv,
}

/// <summary>
/// Writes the filtered audit trail to a stream as JSON Lines or CSV, oldest first, while it reads: events come
/// from the database one at a time (untracked, streamed) and leave in 32 KB chunks, so memory stays flat however
/// long the chain is. Knows nothing of HTTP: the cookie download and the admin API both call it with the caller's
/// partner scope (null: every event), after auditing the export with <see cref="RecordAuditExportCommand"/>.
/// </summary>
public sealed class AuditExport(IDbContextFactory<PartnerGateDbContext> contextFactory)
{
    public const string JsonLinesMediaType = "application/jsonl";
    public const string CsvMediaType = "text/csv";
    private const int ChunkBytes = 32 * 1024;

    /// <summary>The CSV columns, in order; JSON Lines uses the same names in camel case.</summary>
    public static readonly string[] Columns =
        ["sequence", "occurredAt", "actorId", "actorName", "partnerId", "action", "targetType", "targetId", "details", "previousHash", "hash"];

    private static readonly JsonEncodedText[] JsonNames = Columns.Select(c => JsonEncodedText.Encode(c)).ToArray();

    public static bool TryParseFormat(string? text, out AuditExportFormat format)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case "jsonl" or null or "":
                format = AuditExportFormat.Jsonl;
                return true;
            case "csv":
                format = AuditExportFormat.Csv;
                return true;
            default:
                format = default;
                return false;
        }
    }

    public static string MediaType(AuditExportFormat format) => format == AuditExportFormat.Csv ? CsvMediaType : JsonLinesMediaType;

    public static string FileName(AuditExportFormat format, DateTimeOffset now) =>
        $"partnergate-audit-{now.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture)}.{(format == AuditExportFormat.Csv ? "csv" : "jsonl")}";

    /// <returns>How many events were written.</returns>
    public async Task<long> WriteAsync(AuditEventFilter filter, Guid? partnerScope, AuditExportFormat format, Stream output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentNullException.ThrowIfNull(output);
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var events = filter.Apply(db.AuditEvents.AsNoTracking(), partnerScope).OrderBy(e => e.Sequence).AsAsyncEnumerable();
        return format == AuditExportFormat.Csv
            ? await WriteCsvAsync(events, output, cancellationToken)
            : await WriteJsonLinesAsync(events, output, cancellationToken);
    }

    /// <summary>One JSON object per line (RFC 8259 + jsonlines.org); <c>details</c> stays the exact string that was hashed, so a reader can re-verify the chain.</summary>
    public static async Task<long> WriteJsonLinesAsync(IAsyncEnumerable<AuditEvent> events, Stream output, CancellationToken cancellationToken)
    {
        var buffer = new ArrayBufferWriter<byte>(ChunkBytes * 2);
        await using var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = false });
        long count = 0;
        await foreach (var e in events.WithCancellation(cancellationToken))
        {
            json.WriteStartObject();
            json.WriteNumber(JsonNames[0], e.Sequence);
            json.WriteString(JsonNames[1], e.OccurredAt.UtcDateTime);
            WriteStringOrNull(json, JsonNames[2], e.ActorId);
            json.WriteString(JsonNames[3], e.ActorName);
            WriteStringOrNull(json, JsonNames[4], e.PartnerId?.ToString());
            json.WriteString(JsonNames[5], e.Action);
            json.WriteString(JsonNames[6], e.TargetType);
            json.WriteString(JsonNames[7], e.TargetId);
            WriteStringOrNull(json, JsonNames[8], e.Details);
            json.WriteString(JsonNames[9], e.PreviousHash);
            json.WriteString(JsonNames[10], e.Hash);
            json.WriteEndObject();
            json.Flush();
            buffer.Write("\n"u8);
            json.Reset(buffer);
            count++;
            if (buffer.WrittenCount >= ChunkBytes)
            {
                await output.WriteAsync(buffer.WrittenMemory, cancellationToken);
                buffer.ResetWrittenCount();
            }
        }

        await output.WriteAsync(buffer.WrittenMemory, cancellationToken);
        await output.FlushAsync(cancellationToken);
        return count;
    }

    /// <summary>
    /// RFC 4180: a header row, CRLF line ends, fields quoted when they hold a comma, quote, CR or LF (quotes doubled).
    /// Text that a spreadsheet would run as a formula (starting with = + - @ tab or CR) is prefixed with an apostrophe
    /// (OWASP "CSV injection"): an actor's display name must not become a formula on an auditor's machine. JSON Lines
    /// is the lossless format.
    /// </summary>
    public static async Task<long> WriteCsvAsync(IAsyncEnumerable<AuditEvent> events, Stream output, CancellationToken cancellationToken)
    {
        var buffer = new StringBuilder(ChunkBytes);
        // Stateful, so a surrogate pair split across two of the builder's chunks is still encoded whole.
        var encoder = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetEncoder();
        buffer.AppendJoin(',', Columns).Append("\r\n");
        long count = 0;
        await foreach (var e in events.WithCancellation(cancellationToken))
        {
            buffer.Append(e.Sequence.ToString(CultureInfo.InvariantCulture)).Append(',')
                .Append(e.OccurredAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture)).Append(',');
            AppendField(buffer, e.ActorId).Append(',');
            AppendField(buffer, e.ActorName).Append(',');
            buffer.Append(e.PartnerId?.ToString()).Append(',');
            AppendField(buffer, e.Action).Append(',');
            AppendField(buffer, e.TargetType).Append(',');
            AppendField(buffer, e.TargetId).Append(',');
            AppendField(buffer, e.Details).Append(',');
            buffer.Append(e.PreviousHash).Append(',').Append(e.Hash).Append("\r\n");
            count++;
            if (buffer.Length >= ChunkBytes)
            {
                await FlushAsync(buffer, encoder, output, final: false, cancellationToken);
            }
        }

        await FlushAsync(buffer, encoder, output, final: true, cancellationToken);
        await output.FlushAsync(cancellationToken);
        return count;
    }

    /// <summary>One CSV field per RFC 4180 §2, with formula neutralisation (see <see cref="WriteCsvAsync"/>).</summary>
    public static StringBuilder AppendField(StringBuilder buffer, string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return buffer;
        }

        var neutralise = value[0] is '=' or '+' or '-' or '@' or '\t' or '\r';
        var quote = neutralise || value.AsSpan().IndexOfAny(",\"\r\n") >= 0;
        if (!quote)
        {
            return buffer.Append(value);
        }

        buffer.Append('"');
        if (neutralise)
        {
            buffer.Append('\'');
        }

        return buffer.Append(value.Contains('"', StringComparison.Ordinal) ? value.Replace("\"", "\"\"", StringComparison.Ordinal) : value).Append('"');
    }

    private static void WriteStringOrNull(Utf8JsonWriter json, JsonEncodedText name, string? value)
    {
        if (value is null)
        {
            json.WriteNull(name);
        }
        else
        {
            json.WriteString(name, value);
        }
    }

    private static async Task FlushAsync(StringBuilder buffer, Encoder encoder, Stream output, bool final, CancellationToken cancellationToken)
    {
        foreach (var chunk in buffer.GetChunks())
        {
            var bytes = ArrayPool<byte>.Shared.Rent(encoder.GetByteCount(chunk.Span, flush: false) + 8);
            try
            {
                var length = encoder.GetBytes(chunk.Span, bytes, flush: false);
                await output.WriteAsync(bytes.AsMemory(0, length), cancellationToken);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(bytes);
            }
        }

        if (final)
        {
            // A lone high surrogate left at the very end becomes U+FFFD instead of vanishing.
            var tail = new byte[8];
            var length = encoder.GetBytes(ReadOnlySpan<char>.Empty, tail, flush: true);
            await output.WriteAsync(tail.AsMemory(0, length), cancellationToken);
        }

        buffer.Clear();
    }
}
