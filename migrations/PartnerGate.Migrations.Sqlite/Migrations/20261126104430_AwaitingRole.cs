using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace PartnerGate.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class AwaitingRole : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_AccessRequests_Status_SubmittedAt",
                table: "AccessRequests");

            migrationBuilder.AddColumn<string>(
                name: "AwaitingRole",
                table: "AccessRequests",
                type: "TEXT",
                maxLength: 50,
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_AccessRequests_AwaitingRole_SubmittedAt",
                table: "AccessRequests",
                columns: new[] { "AwaitingRole", "SubmittedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_AccessRequests_Status_DecideBy",
                table: "AccessRequests",
                columns: new[] { "Status", "DecideBy" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_AccessRequests_AwaitingRole_SubmittedAt",
                table: "AccessRequests");

            migrationBuilder.DropIndex(
                name: "IX_AccessRequests_Status_DecideBy",
                table: "AccessRequests");

            migrationBuilder.DropColumn(
                name: "AwaitingRole",
                table: "AccessRequests");

            migrationBuilder.CreateIndex(
                name: "IX_AccessRequests_Status_SubmittedAt",
                table: "AccessRequests",
                columns: new[] { "Status", "SubmittedAt" });
        }
    }
}
