using System;

using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Passerelle.Core.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Initial : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "AppSettings",
                columns: table => new
                {
                    Key = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    Value = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AppSettings", x => x.Key);
                });

            migrationBuilder.CreateTable(
                name: "ChangeFeed",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    EntityType = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    EntityId = table.Column<string>(type: "TEXT", maxLength: 310, nullable: false),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    ChangedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ChangeFeed", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "DataProtectionKeys",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    FriendlyName = table.Column<string>(type: "TEXT", nullable: true),
                    Xml = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_DataProtectionKeys", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "Groupings",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Slug = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    LegalForm = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    YearFounded = table.Column<int>(type: "INTEGER", nullable: true),
                    FoundedOn = table.Column<string>(type: "TEXT", maxLength: 10, nullable: true),
                    Website = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    MunicipalityCount = table.Column<int>(type: "INTEGER", nullable: true),
                    AreaKm2 = table.Column<double>(type: "REAL", nullable: true),
                    Population = table.Column<long>(type: "INTEGER", nullable: true),
                    FieldsOfAction = table.Column<string>(type: "TEXT", nullable: false),
                    IsPublished = table.Column<bool>(type: "INTEGER", nullable: false),
                    Description_De = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: true),
                    Description_En = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: true),
                    Description_Fr = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: true),
                    Description_Nl = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: true),
                    Name_De = table.Column<string>(type: "TEXT", maxLength: 300, nullable: true),
                    Name_En = table.Column<string>(type: "TEXT", maxLength: 300, nullable: true),
                    Name_Fr = table.Column<string>(type: "TEXT", maxLength: 300, nullable: true),
                    Name_Nl = table.Column<string>(type: "TEXT", maxLength: 300, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Groupings", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "Organisations",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Slug = table.Column<string>(type: "TEXT", maxLength: 150, nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 300, nullable: false),
                    Country = table.Column<string>(type: "TEXT", maxLength: 2, nullable: true),
                    City = table.Column<string>(type: "TEXT", maxLength: 150, nullable: true),
                    LegalStatus = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Latitude = table.Column<double>(type: "REAL", nullable: true),
                    Longitude = table.Column<double>(type: "REAL", nullable: true),
                    Website = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    IsPublished = table.Column<bool>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Organisations", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "Programmes",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Slug = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    Code = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Period = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Cci = table.Column<string>(type: "TEXT", maxLength: 32, nullable: true),
                    Funds = table.Column<string>(type: "TEXT", nullable: false),
                    Countries = table.Column<string>(type: "TEXT", nullable: false),
                    ManagingAuthority = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    Website = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    TotalBudget = table.Column<double>(type: "REAL", nullable: true),
                    EuContribution = table.Column<double>(type: "REAL", nullable: true),
                    AreaNote = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    IsPublished = table.Column<bool>(type: "INTEGER", nullable: false),
                    Description_De = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: true),
                    Description_En = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: true),
                    Description_Fr = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: true),
                    Description_Nl = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: true),
                    Name_De = table.Column<string>(type: "TEXT", maxLength: 300, nullable: true),
                    Name_En = table.Column<string>(type: "TEXT", maxLength: 300, nullable: true),
                    Name_Fr = table.Column<string>(type: "TEXT", maxLength: 300, nullable: true),
                    Name_Nl = table.Column<string>(type: "TEXT", maxLength: 300, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Programmes", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "Sources",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Key = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Title = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    Url = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    SourceDate = table.Column<string>(type: "TEXT", maxLength: 300, nullable: true),
                    RetrievedOn = table.Column<DateOnly>(type: "TEXT", nullable: true),
                    Licence = table.Column<string>(type: "TEXT", maxLength: 300, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Sources", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "TerritoryUnits",
                columns: table => new
                {
                    Code = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    NameLocal = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    CountryCode = table.Column<string>(type: "TEXT", maxLength: 2, nullable: false),
                    ParentCode = table.Column<string>(type: "TEXT", maxLength: 16, nullable: true),
                    Version = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Population = table.Column<long>(type: "INTEGER", nullable: true),
                    PopulationReference = table.Column<string>(type: "TEXT", maxLength: 300, nullable: true),
                    AreaKm2 = table.Column<double>(type: "REAL", nullable: true),
                    Geometry = table.Column<byte[]>(type: "BLOB", nullable: true),
                    SourceId = table.Column<int>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_TerritoryUnits", x => x.Code);
                });

            migrationBuilder.CreateTable(
                name: "Themes",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Slug = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Label_De = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    Label_En = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    Label_Fr = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    Label_Nl = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Themes", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "GroupingTerritoryUnits",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    GroupingId = table.Column<int>(type: "INTEGER", nullable: false),
                    UnitCode = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    Country = table.Column<string>(type: "TEXT", maxLength: 2, nullable: false),
                    Perimeters = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    SourceId = table.Column<int>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_GroupingTerritoryUnits", x => x.Id);
                    table.ForeignKey(
                        name: "FK_GroupingTerritoryUnits_Groupings_GroupingId",
                        column: x => x.GroupingId,
                        principalTable: "Groupings",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "ProgrammeAreaUnits",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    ProgrammeId = table.Column<int>(type: "INTEGER", nullable: false),
                    NutsCode = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    NutsVersion = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    Nuts2021Codes = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    Role = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    SourceId = table.Column<int>(type: "INTEGER", nullable: true),
                    Note = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ProgrammeAreaUnits", x => x.Id);
                    table.ForeignKey(
                        name: "FK_ProgrammeAreaUnits_Programmes_ProgrammeId",
                        column: x => x.ProgrammeId,
                        principalTable: "Programmes",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "Projects",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Slug = table.Column<string>(type: "TEXT", maxLength: 150, nullable: false),
                    Acronym = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    ProgrammeCode = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    ProgrammeId = table.Column<int>(type: "INTEGER", nullable: true),
                    Priority = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    SpecificObjective = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    InterventionField = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    ProjectType = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    Portfolio = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    StartDate = table.Column<string>(type: "TEXT", maxLength: 10, nullable: true),
                    EndDate = table.Column<string>(type: "TEXT", maxLength: 10, nullable: true),
                    TotalBudget = table.Column<double>(type: "REAL", precision: 18, scale: 2, nullable: true),
                    EuContribution = table.Column<double>(type: "REAL", precision: 18, scale: 2, nullable: true),
                    StatedEuRate = table.Column<double>(type: "REAL", precision: 7, scale: 4, nullable: true),
                    Website = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    KeepEuId = table.Column<string>(type: "TEXT", maxLength: 32, nullable: true),
                    IsPublished = table.Column<bool>(type: "INTEGER", nullable: false),
                    Summary_De = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: true),
                    Summary_En = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: true),
                    Summary_Fr = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: true),
                    Summary_Nl = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: true),
                    Title_De = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    Title_En = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    Title_Fr = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    Title_Nl = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Projects", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Projects_Programmes_ProgrammeId",
                        column: x => x.ProgrammeId,
                        principalTable: "Programmes",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "Facts",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    SubjectType = table.Column<int>(type: "INTEGER", nullable: false),
                    SubjectId = table.Column<int>(type: "INTEGER", nullable: false),
                    Field = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Value = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: false),
                    SourceId = table.Column<int>(type: "INTEGER", nullable: false),
                    Rank = table.Column<int>(type: "INTEGER", nullable: false),
                    Note = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Facts", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Facts_Sources_SourceId",
                        column: x => x.SourceId,
                        principalTable: "Sources",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "GroupingMembers",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    GroupingId = table.Column<int>(type: "INTEGER", nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 300, nullable: false),
                    Country = table.Column<string>(type: "TEXT", maxLength: 2, nullable: false),
                    Level = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    OrganisationId = table.Column<int>(type: "INTEGER", nullable: true),
                    SourceId = table.Column<int>(type: "INTEGER", nullable: true),
                    Order = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_GroupingMembers", x => x.Id);
                    table.ForeignKey(
                        name: "FK_GroupingMembers_Groupings_GroupingId",
                        column: x => x.GroupingId,
                        principalTable: "Groupings",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_GroupingMembers_Organisations_OrganisationId",
                        column: x => x.OrganisationId,
                        principalTable: "Organisations",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.SetNull);
                    table.ForeignKey(
                        name: "FK_GroupingMembers_Sources_SourceId",
                        column: x => x.SourceId,
                        principalTable: "Sources",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "OrganisationAliases",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    OrganisationId = table.Column<int>(type: "INTEGER", nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 300, nullable: false),
                    SourceId = table.Column<int>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_OrganisationAliases", x => x.Id);
                    table.ForeignKey(
                        name: "FK_OrganisationAliases_Organisations_OrganisationId",
                        column: x => x.OrganisationId,
                        principalTable: "Organisations",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_OrganisationAliases_Sources_SourceId",
                        column: x => x.SourceId,
                        principalTable: "Sources",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "Participations",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    ProjectId = table.Column<int>(type: "INTEGER", nullable: false),
                    OrganisationId = table.Column<int>(type: "INTEGER", nullable: false),
                    Role = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    RoleLabel = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    NameInSource = table.Column<string>(type: "TEXT", maxLength: 300, nullable: true),
                    Budget = table.Column<double>(type: "REAL", precision: 18, scale: 2, nullable: true),
                    EuContribution = table.Column<double>(type: "REAL", precision: 18, scale: 2, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Participations", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Participations_Organisations_OrganisationId",
                        column: x => x.OrganisationId,
                        principalTable: "Organisations",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_Participations_Projects_ProjectId",
                        column: x => x.ProjectId,
                        principalTable: "Projects",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "ProjectThemes",
                columns: table => new
                {
                    ProjectId = table.Column<int>(type: "INTEGER", nullable: false),
                    ThemesId = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ProjectThemes", x => new { x.ProjectId, x.ThemesId });
                    table.ForeignKey(
                        name: "FK_ProjectThemes_Projects_ProjectId",
                        column: x => x.ProjectId,
                        principalTable: "Projects",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_ProjectThemes_Themes_ThemesId",
                        column: x => x.ThemesId,
                        principalTable: "Themes",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_ChangeFeed_ChangedAt",
                table: "ChangeFeed",
                column: "ChangedAt");

            migrationBuilder.CreateIndex(
                name: "IX_Facts_SourceId",
                table: "Facts",
                column: "SourceId");

            migrationBuilder.CreateIndex(
                name: "IX_Facts_SubjectType_SubjectId_Field_Rank",
                table: "Facts",
                columns: new[] { "SubjectType", "SubjectId", "Field", "Rank" });

            migrationBuilder.CreateIndex(
                name: "IX_GroupingMembers_GroupingId",
                table: "GroupingMembers",
                column: "GroupingId");

            migrationBuilder.CreateIndex(
                name: "IX_GroupingMembers_OrganisationId",
                table: "GroupingMembers",
                column: "OrganisationId");

            migrationBuilder.CreateIndex(
                name: "IX_GroupingMembers_SourceId",
                table: "GroupingMembers",
                column: "SourceId");

            migrationBuilder.CreateIndex(
                name: "IX_Groupings_Slug",
                table: "Groupings",
                column: "Slug",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_GroupingTerritoryUnits_GroupingId_UnitCode",
                table: "GroupingTerritoryUnits",
                columns: new[] { "GroupingId", "UnitCode" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_OrganisationAliases_OrganisationId_Name",
                table: "OrganisationAliases",
                columns: new[] { "OrganisationId", "Name" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_OrganisationAliases_SourceId",
                table: "OrganisationAliases",
                column: "SourceId");

            migrationBuilder.CreateIndex(
                name: "IX_Organisations_Country",
                table: "Organisations",
                column: "Country");

            migrationBuilder.CreateIndex(
                name: "IX_Organisations_Slug",
                table: "Organisations",
                column: "Slug",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Participations_OrganisationId",
                table: "Participations",
                column: "OrganisationId");

            migrationBuilder.CreateIndex(
                name: "IX_Participations_ProjectId_OrganisationId",
                table: "Participations",
                columns: new[] { "ProjectId", "OrganisationId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_ProgrammeAreaUnits_ProgrammeId_NutsCode",
                table: "ProgrammeAreaUnits",
                columns: new[] { "ProgrammeId", "NutsCode" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Programmes_Slug",
                table: "Programmes",
                column: "Slug",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Projects_ProgrammeCode",
                table: "Projects",
                column: "ProgrammeCode");

            migrationBuilder.CreateIndex(
                name: "IX_Projects_ProgrammeId_Acronym",
                table: "Projects",
                columns: new[] { "ProgrammeId", "Acronym" });

            migrationBuilder.CreateIndex(
                name: "IX_Projects_Slug",
                table: "Projects",
                column: "Slug",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Projects_StartDate",
                table: "Projects",
                column: "StartDate");

            migrationBuilder.CreateIndex(
                name: "IX_ProjectThemes_ThemesId",
                table: "ProjectThemes",
                column: "ThemesId");

            migrationBuilder.CreateIndex(
                name: "IX_Sources_Key",
                table: "Sources",
                column: "Key",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_TerritoryUnits_Kind_CountryCode",
                table: "TerritoryUnits",
                columns: new[] { "Kind", "CountryCode" });

            migrationBuilder.CreateIndex(
                name: "IX_TerritoryUnits_ParentCode",
                table: "TerritoryUnits",
                column: "ParentCode");

            migrationBuilder.CreateIndex(
                name: "IX_Themes_Slug",
                table: "Themes",
                column: "Slug",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "AppSettings");

            migrationBuilder.DropTable(
                name: "ChangeFeed");

            migrationBuilder.DropTable(
                name: "DataProtectionKeys");

            migrationBuilder.DropTable(
                name: "Facts");

            migrationBuilder.DropTable(
                name: "GroupingMembers");

            migrationBuilder.DropTable(
                name: "GroupingTerritoryUnits");

            migrationBuilder.DropTable(
                name: "OrganisationAliases");

            migrationBuilder.DropTable(
                name: "Participations");

            migrationBuilder.DropTable(
                name: "ProgrammeAreaUnits");

            migrationBuilder.DropTable(
                name: "ProjectThemes");

            migrationBuilder.DropTable(
                name: "TerritoryUnits");

            migrationBuilder.DropTable(
                name: "Groupings");

            migrationBuilder.DropTable(
                name: "Sources");

            migrationBuilder.DropTable(
                name: "Organisations");

            migrationBuilder.DropTable(
                name: "Projects");

            migrationBuilder.DropTable(
                name: "Themes");

            migrationBuilder.DropTable(
                name: "Programmes");
        }
    }
}
