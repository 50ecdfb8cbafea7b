using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace PartnerGate.Migrations.PostgreSql.Migrations
{
    /// <inheritdoc />
    public partial class PartnerCertificationNotices : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "PartnerCertificationNotices",
                columns: table => new
                {
                    Certification = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    ValidUntil = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    Notice = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    PartnerId = table.Column<Guid>(type: "uuid", nullable: false),
                    SentAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_PartnerCertificationNotices", x => new { x.PartnerId, x.Certification, x.ValidUntil, x.Notice });
                    table.ForeignKey(
                        name: "FK_PartnerCertificationNotices_Partners_PartnerId",
                        column: x => x.PartnerId,
                        principalTable: "Partners",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "PartnerCertificationNotices");
        }
    }
}
