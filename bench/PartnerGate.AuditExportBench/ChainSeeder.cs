using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;
using PartnerGate.Domain.Auditing;

namespace PartnerGate.AuditExportBench;

/// <summary>
/// Appends N events to the chain of a migrated SQLite database in one transaction with one prepared statement:
/// each built by <see cref="AuditEvent.Append"/> (so the hashes are the real ones and "verify chain" passes), stored
/// the way EF stores them (UTC ticks, upper-case GUID text), then the chain head moved to the last one.
/// </summary>
public static class ChainSeeder
{
    private static readonly Guid[] Partners = [new("b0170000-0000-4000-8000-000000000001"), new("fa570000-0000-4000-8000-000000000002"), new("5e450000-0000-4000-8000-000000000003")];
    private static readonly string[] Actions = ["grant.revoked", "request.approved", "request.submitted", "client.secret_rotated", "account.signed_in"];

    public static async Task<TimeSpan> SeedAsync(string databaseFile, int count)
    {
        var stopwatch = Stopwatch.StartNew();
        await using var connection = new SqliteConnection($"Data Source={databaseFile}");
        await connection.OpenAsync();
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync();

        long sequence;
        string previous;
        await using (var head = connection.CreateCommand())
        {
            head.Transaction = transaction;
            head.CommandText = """SELECT "LastSequence", "LastHash" FROM "AuditChainHead" WHERE "Id" = 1""";
            await using var reader = await head.ExecuteReaderAsync();
            await reader.ReadAsync();
            sequence = reader.GetInt64(0);
            previous = reader.GetString(1);
        }

        await using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = """
            INSERT INTO "AuditEvents" ("Sequence", "Id", "OccurredAt", "ActorId", "ActorName", "PartnerId", "Action", "TargetType", "TargetId", "Details", "PreviousHash", "Hash")
            VALUES ($sequence, $id, $occurredAt, $actorId, $actorName, $partnerId, $action, $targetType, $targetId, $details, $previousHash, $hash)
            """;
        var parameters = new[] { "$sequence", "$id", "$occurredAt", "$actorId", "$actorName", "$partnerId", "$action", "$targetType", "$targetId", "$details", "$previousHash", "$hash" }
            .Select(name => insert.Parameters.Add(new SqliteParameter { ParameterName = name })).ToArray();
        insert.Prepare();

        var start = DateTimeOffset.UtcNow.AddSeconds(-count);
        for (var i = 0; i < count; i++)
        {
            var partner = Partners[i % Partners.Length];
            var actor = $"user-{i % 500}@boltnut.example";
            var e = AuditEvent.Append(sequence + 1, previous, start.AddSeconds(i), Guid.NewGuid().ToString(), actor, partner,
                Actions[i % Actions.Length], "Grant", Guid.NewGuid().ToString(),
                $$"""{"before":"Active","after":"Revoked","reason":"seeded event {{i.ToString(CultureInfo.InvariantCulture)}}, \"bench\""}""");
            parameters[0].Value = e.Sequence;
            parameters[1].Value = e.Id.ToString().ToUpperInvariant();
            parameters[2].Value = e.OccurredAt.UtcTicks;
            parameters[3].Value = e.ActorId;
            parameters[4].Value = e.ActorName;
            parameters[5].Value = e.PartnerId!.Value.ToString().ToUpperInvariant();
            parameters[6].Value = e.Action;
            parameters[7].Value = e.TargetType;
            parameters[8].Value = e.TargetId;
            parameters[9].Value = e.Details;
            parameters[10].Value = e.PreviousHash;
            parameters[11].Value = e.Hash;
            await insert.ExecuteNonQueryAsync();
            sequence = e.Sequence;
            previous = e.Hash;
        }

        await using (var head = connection.CreateCommand())
        {
            head.Transaction = transaction;
            head.CommandText = """UPDATE "AuditChainHead" SET "LastSequence" = $sequence, "LastHash" = $hash WHERE "Id" = 1""";
            head.Parameters.AddWithValue("$sequence", sequence);
            head.Parameters.AddWithValue("$hash", previous);
            await head.ExecuteNonQueryAsync();
        }

        await transaction.CommitAsync();
        return stopwatch.Elapsed;
    }
}
