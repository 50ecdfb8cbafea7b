using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace PartnerGate.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class RevocationFeed : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "SecurityEvents",
                columns: table => new
                {
                    Sequence = table.Column<long>(type: "INTEGER", nullable: false),
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    OccurredAt = table.Column<long>(type: "INTEGER", nullable: false),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    SubjectId = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    PartnerId = table.Column<Guid>(type: "TEXT", nullable: true),
                    Until = table.Column<long>(type: "INTEGER", nullable: true),
                    Reason = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    InitiatingEntity = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_SecurityEvents", x => x.Sequence);
                });

            migrationBuilder.CreateTable(
                name: "SsfStreams",
                columns: table => new
                {
                    Id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    ClientId = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    Audience = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    Description = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    DeliveryMethod = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    EndpointUrl = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    ProtectedAuthorizationHeader = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: true),
                    EventsRequested = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    StatusReason = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    Cursor = table.Column<long>(type: "INTEGER", nullable: false),
                    LastDeliveryError = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    LastDeliveryAt = table.Column<long>(type: "INTEGER", nullable: true),
                    NextAttemptAt = table.Column<long>(type: "INTEGER", nullable: true),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    UpdatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    Version = table.Column<Guid>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_SsfStreams", x => x.Id);
                });

            migrationBuilder.InsertData(
                table: "SweepLeases",
                columns: new[] { "Name", "ExpiresAt", "Holder" },
                values: new object[] { "ssf-push-delivery", 621355968000000000L, null });

            migrationBuilder.CreateIndex(
                name: "IX_SecurityEvents_Id",
                table: "SecurityEvents",
                column: "Id",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_SecurityEvents_OccurredAt",
                table: "SecurityEvents",
                column: "OccurredAt");

            migrationBuilder.CreateIndex(
                name: "IX_SsfStreams_ClientId",
                table: "SsfStreams",
                column: "ClientId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "SecurityEvents");

            migrationBuilder.DropTable(
                name: "SsfStreams");

            migrationBuilder.DeleteData(
                table: "SweepLeases",
                keyColumn: "Name",
                keyValue: "ssf-push-delivery");
        }
    }
}
