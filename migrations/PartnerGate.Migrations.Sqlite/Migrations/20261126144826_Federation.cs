using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace PartnerGate.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class Federation : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "WorkloadSubjects",
                table: "ApiClients",
                type: "TEXT",
                nullable: false,
                defaultValue: "[]");

            migrationBuilder.CreateTable(
                name: "ConsumedSubjectTokens",
                columns: table => new
                {
                    Id = table.Column<string>(type: "TEXT", unicode: false, maxLength: 64, nullable: false),
                    ConsumedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    ExpiresAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ConsumedSubjectTokens", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "PartnerIdentityProviders",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    PartnerId = table.Column<Guid>(type: "TEXT", nullable: false),
                    DisplayName = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    Authority = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    ClientId = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    ProtectedClientSecret = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: false),
                    Scopes = table.Column<string>(type: "TEXT", nullable: false),
                    EmailClaim = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    NameClaim = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    RoleClaim = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    PartnerAdminRoleValue = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    MfaRequired = table.Column<bool>(type: "INTEGER", nullable: false),
                    AcceptedAcrValues = table.Column<string>(type: "TEXT", nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    DisabledReason = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    UpdatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    Version = table.Column<Guid>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_PartnerIdentityProviders", x => x.Id);
                    table.ForeignKey(
                        name: "FK_PartnerIdentityProviders_Partners_PartnerId",
                        column: x => x.PartnerId,
                        principalTable: "Partners",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_ConsumedSubjectTokens_ExpiresAt",
                table: "ConsumedSubjectTokens",
                column: "ExpiresAt");

            migrationBuilder.CreateIndex(
                name: "IX_PartnerIdentityProviders_PartnerId",
                table: "PartnerIdentityProviders",
                column: "PartnerId",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ConsumedSubjectTokens");

            migrationBuilder.DropTable(
                name: "PartnerIdentityProviders");

            migrationBuilder.DropColumn(
                name: "WorkloadSubjects",
                table: "ApiClients");
        }
    }
}
