using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Passerelle.Core.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class CoveringFilterIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Projects_ProgrammeCode",
                table: "Projects");

            migrationBuilder.DropIndex(
                name: "IX_Projects_ProgrammeId_Acronym",
                table: "Projects");

            migrationBuilder.DropIndex(
                name: "IX_Organisations_Country",
                table: "Organisations");

            migrationBuilder.CreateIndex(
                name: "IX_Projects_ProgrammeCode_Acronym_Id_IsPublished",
                table: "Projects",
                columns: new[] { "ProgrammeCode", "Acronym", "Id", "IsPublished" });

            migrationBuilder.CreateIndex(
                name: "IX_Projects_ProgrammeId_Acronym_Id_IsPublished",
                table: "Projects",
                columns: new[] { "ProgrammeId", "Acronym", "Id", "IsPublished" });

            migrationBuilder.CreateIndex(
                name: "IX_Organisations_Country_Name_Id_IsPublished",
                table: "Organisations",
                columns: new[] { "Country", "Name", "Id", "IsPublished" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Projects_ProgrammeCode_Acronym_Id_IsPublished",
                table: "Projects");

            migrationBuilder.DropIndex(
                name: "IX_Projects_ProgrammeId_Acronym_Id_IsPublished",
                table: "Projects");

            migrationBuilder.DropIndex(
                name: "IX_Organisations_Country_Name_Id_IsPublished",
                table: "Organisations");

            migrationBuilder.CreateIndex(
                name: "IX_Projects_ProgrammeCode",
                table: "Projects",
                column: "ProgrammeCode");

            migrationBuilder.CreateIndex(
                name: "IX_Projects_ProgrammeId_Acronym",
                table: "Projects",
                columns: new[] { "ProgrammeId", "Acronym" });

            migrationBuilder.CreateIndex(
                name: "IX_Organisations_Country",
                table: "Organisations",
                column: "Country");
        }
    }
}
