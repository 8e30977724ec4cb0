using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Passerelle.Core.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class CoveringListIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Projects_Acronym_Id",
                table: "Projects");

            migrationBuilder.DropIndex(
                name: "IX_Organisations_Name_Id",
                table: "Organisations");

            migrationBuilder.CreateIndex(
                name: "IX_Projects_Acronym_Id_IsPublished",
                table: "Projects",
                columns: new[] { "Acronym", "Id", "IsPublished" });

            migrationBuilder.CreateIndex(
                name: "IX_Organisations_Name_Id_IsPublished",
                table: "Organisations",
                columns: new[] { "Name", "Id", "IsPublished" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Projects_Acronym_Id_IsPublished",
                table: "Projects");

            migrationBuilder.DropIndex(
                name: "IX_Organisations_Name_Id_IsPublished",
                table: "Organisations");

            migrationBuilder.CreateIndex(
                name: "IX_Projects_Acronym_Id",
                table: "Projects",
                columns: new[] { "Acronym", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_Organisations_Name_Id",
                table: "Organisations",
                columns: new[] { "Name", "Id" });
        }
    }
}
