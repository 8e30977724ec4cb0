using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Passerelle.Core.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class OrganisationRolesIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Participations_OrganisationId_ProjectId",
                table: "Participations");

            migrationBuilder.CreateIndex(
                name: "IX_Participations_OrganisationId_ProjectId_Role",
                table: "Participations",
                columns: new[] { "OrganisationId", "ProjectId", "Role" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Participations_OrganisationId_ProjectId_Role",
                table: "Participations");

            migrationBuilder.CreateIndex(
                name: "IX_Participations_OrganisationId_ProjectId",
                table: "Participations",
                columns: new[] { "OrganisationId", "ProjectId" });
        }
    }
}
