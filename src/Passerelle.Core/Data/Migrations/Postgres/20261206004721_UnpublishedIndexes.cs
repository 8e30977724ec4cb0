using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Passerelle.Core.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class UnpublishedIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_Projects_Unpublished",
                table: "Projects",
                column: "IsPublished",
                filter: "NOT \"IsPublished\"");

            migrationBuilder.CreateIndex(
                name: "IX_Organisations_Unpublished",
                table: "Organisations",
                column: "IsPublished",
                filter: "NOT \"IsPublished\"");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Projects_Unpublished",
                table: "Projects");

            migrationBuilder.DropIndex(
                name: "IX_Organisations_Unpublished",
                table: "Organisations");
        }
    }
}
