using System;

using Microsoft.EntityFrameworkCore.Migrations;

using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Passerelle.Core.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class History : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "Retracted",
                table: "Facts",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.CreateTable(
                name: "ChangeSets",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    At = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    ActorKind = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    Actor = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    Detail = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ChangeSets", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "Revisions",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    ChangeSetId = table.Column<long>(type: "bigint", nullable: false),
                    SubjectType = table.Column<int>(type: "integer", nullable: false),
                    SubjectId = table.Column<int>(type: "integer", nullable: false),
                    SubjectKey = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    Field = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Action = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    OldValue = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: true),
                    NewValue = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: true),
                    SourceId = table.Column<int>(type: "integer", nullable: true),
                    FactId = table.Column<long>(type: "bigint", nullable: true),
                    OldRank = table.Column<int>(type: "integer", nullable: true),
                    NewRank = table.Column<int>(type: "integer", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Revisions", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Revisions_ChangeSets_ChangeSetId",
                        column: x => x.ChangeSetId,
                        principalTable: "ChangeSets",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_Revisions_Sources_SourceId",
                        column: x => x.SourceId,
                        principalTable: "Sources",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "IX_ChangeSets_At",
                table: "ChangeSets",
                column: "At");

            migrationBuilder.CreateIndex(
                name: "IX_Revisions_ChangeSetId",
                table: "Revisions",
                column: "ChangeSetId");

            migrationBuilder.CreateIndex(
                name: "IX_Revisions_SourceId",
                table: "Revisions",
                column: "SourceId");

            migrationBuilder.CreateIndex(
                name: "IX_Revisions_SubjectType_SubjectId_Field",
                table: "Revisions",
                columns: new[] { "SubjectType", "SubjectId", "Field" });

            // A database that already held records when history started: one change set records what was there, so
            // that every fact and record has a revision from then on.
            migrationBuilder.Sql("""
                INSERT INTO "ChangeSets" ("At", "ActorKind", "Actor", "Detail")
                SELECT CURRENT_TIMESTAMP, 'System', 'migration History', 'values and records present when the history began'
                WHERE EXISTS (SELECT 1 FROM "Facts") OR EXISTS (SELECT 1 FROM "Projects") OR EXISTS (SELECT 1 FROM "Organisations");
                INSERT INTO "Revisions" ("ChangeSetId", "SubjectType", "SubjectId", "Field", "Action", "NewValue", "SourceId", "FactId", "NewRank")
                SELECT (SELECT MAX("Id") FROM "ChangeSets"), "SubjectType", "SubjectId", "Field", 'Added', "Value", "SourceId", "Id", "Rank" FROM "Facts";
                INSERT INTO "Revisions" ("ChangeSetId", "SubjectType", "SubjectId", "Field", "Action", "NewValue")
                SELECT (SELECT MAX("Id") FROM "ChangeSets"), 1, "Id", 'record', 'Created', "Slug" FROM "Programmes"
                UNION ALL SELECT (SELECT MAX("Id") FROM "ChangeSets"), 2, "Id", 'record', 'Created', "Slug" FROM "Groupings"
                UNION ALL SELECT (SELECT MAX("Id") FROM "ChangeSets"), 3, "Id", 'record', 'Created', "Slug" FROM "Projects"
                UNION ALL SELECT (SELECT MAX("Id") FROM "ChangeSets"), 4, "Id", 'record', 'Created', "Slug" FROM "Organisations";
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "Revisions");

            migrationBuilder.DropTable(
                name: "ChangeSets");

            migrationBuilder.DropColumn(
                name: "Retracted",
                table: "Facts");
        }
    }
}
