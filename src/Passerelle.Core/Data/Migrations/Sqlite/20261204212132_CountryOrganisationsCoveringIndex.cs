using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Passerelle.Core.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class CountryOrganisationsCoveringIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Organisations_Country",
                table: "Organisations");

            migrationBuilder.CreateIndex(
                name: "IX_Organisations_Country_Name_Id_IsPublished",
                table: "Organisations",
                columns: new[] { "Country", "Name", "Id", "IsPublished" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Organisations_Country_Name_Id_IsPublished",
                table: "Organisations");

            migrationBuilder.CreateIndex(
                name: "IX_Organisations_Country",
                table: "Organisations",
                column: "Country");
        }
    }
}
