using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace PartnerGate.Migrations.SqlServer.Migrations
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
                type: "nvarchar(max)",
                nullable: false,
                defaultValue: "[]");

            migrationBuilder.CreateTable(
                name: "ConsumedSubjectTokens",
                columns: table => new
                {
                    Id = table.Column<string>(type: "varchar(64)", unicode: false, maxLength: 64, nullable: false),
                    ConsumedAt = table.Column<DateTimeOffset>(type: "datetimeoffset", nullable: false),
                    ExpiresAt = table.Column<DateTimeOffset>(type: "datetimeoffset", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ConsumedSubjectTokens", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "PartnerIdentityProviders",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    PartnerId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    DisplayName = table.Column<string>(type: "nvarchar(100)", maxLength: 100, nullable: false),
                    Authority = table.Column<string>(type: "nvarchar(500)", maxLength: 500, nullable: false),
                    ClientId = table.Column<string>(type: "nvarchar(200)", maxLength: 200, nullable: false),
                    ProtectedClientSecret = table.Column<string>(type: "nvarchar(4000)", maxLength: 4000, nullable: false),
                    Scopes = table.Column<string>(type: "nvarchar(max)", nullable: false),
                    EmailClaim = table.Column<string>(type: "nvarchar(100)", maxLength: 100, nullable: false),
                    NameClaim = table.Column<string>(type: "nvarchar(100)", maxLength: 100, nullable: false),
                    RoleClaim = table.Column<string>(type: "nvarchar(100)", maxLength: 100, nullable: true),
                    PartnerAdminRoleValue = table.Column<string>(type: "nvarchar(200)", maxLength: 200, nullable: true),
                    MfaRequired = table.Column<bool>(type: "bit", nullable: false),
                    AcceptedAcrValues = table.Column<string>(type: "nvarchar(max)", nullable: false),
                    Status = table.Column<string>(type: "nvarchar(20)", maxLength: 20, nullable: false),
                    DisabledReason = table.Column<string>(type: "nvarchar(1000)", maxLength: 1000, nullable: true),
                    CreatedAt = table.Column<DateTimeOffset>(type: "datetimeoffset", nullable: false),
                    UpdatedAt = table.Column<DateTimeOffset>(type: "datetimeoffset", nullable: false),
                    Version = table.Column<Guid>(type: "uniqueidentifier", nullable: false)
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
