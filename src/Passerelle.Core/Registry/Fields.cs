using System.Globalization;

using Passerelle.Core.Common;
using Passerelle.Core.Groupings;
using Passerelle.Core.Organisations;
using Passerelle.Core.Programmes;
using Passerelle.Core.Projects;
using Passerelle.Core.Sources;

namespace Passerelle.Core.Registry;

/// <summary>A field that exists in each of the four languages (name.en, name.fr, ...).</summary>
public sealed class LocalizedField
{
    private readonly Dictionary<string, FieldDefinition> _byLanguage;

    internal LocalizedField(SubjectType subject, string name, string label, int maxLength,
        Func<object, LocalizedText>? read = null, Action<object, LocalizedText>? write = null)
    {
        _byLanguage = LocalizedText.Languages.ToDictionary(l => l, l => new FieldDefinition(subject, name, FieldKind.Text, label, maxLength, l,
            // The column is the record's property of the same name (title → Title), so that the history does not
            // record its change a second time as an attribute.
            read is null || write is null ? null : new ColumnBinding(o => read(o)[l], (o, v) => write(o, With(read(o), l, v)), [char.ToUpperInvariant(name[0]) + name[1..]])),
            StringComparer.Ordinal);
    }

    public FieldDefinition En => _byLanguage["en"];

    public FieldDefinition this[string language] => _byLanguage[language];

    public IEnumerable<FieldDefinition> All => _byLanguage.Values;

    private static LocalizedText With(LocalizedText text, string language, string? value) => language switch
    {
        "fr" => text with { Fr = value },
        "nl" => text with { Nl = value },
        "de" => text with { De = value },
        _ => text with { En = value },
    };
}

/// <summary>
/// Every fact-bearing field of the registry, by kind of record: the one list the write path, the pages, the API and
/// the default data agree on (ADR 0010). A value of a field not listed here cannot be written.
/// </summary>
public static class Fields
{
    public static class Programme
    {
        public static readonly LocalizedField Name = new(SubjectType.Programme, "name", "Name", 300, o => P(o).Name, (o, v) => P(o).Name = v);
        public static readonly LocalizedField Description = new(SubjectType.Programme, "description", "Description", 4000, o => P(o).Description, (o, v) => P(o).Description = v);
        public static readonly FieldDefinition Cci = new(SubjectType.Programme, "cci", FieldKind.Text, "CCI", 32, column: Text("Cci", o => P(o).Cci, (o, v) => P(o).Cci = v));
        public static readonly FieldDefinition ManagingAuthority = new(SubjectType.Programme, "managing_authority", FieldKind.Text, "Managing authority", 500,
            column: Text("ManagingAuthority", o => P(o).ManagingAuthority, (o, v) => P(o).ManagingAuthority = v));
        public static readonly FieldDefinition Website = new(SubjectType.Programme, "website", FieldKind.Url, "Website", 500, column: Text("Website", o => P(o).Website, (o, v) => P(o).Website = v));
        public static readonly FieldDefinition TotalBudget = new(SubjectType.Programme, "total_budget_eur", FieldKind.Amount, "Total budget",
            column: Amount("TotalBudget", o => P(o).TotalBudget, (o, v) => P(o).TotalBudget = v));
        public static readonly FieldDefinition EuContribution = new(SubjectType.Programme, "eu_contribution_eur", FieldKind.Amount, "EU contribution",
            column: Amount("EuContribution", o => P(o).EuContribution, (o, v) => P(o).EuContribution = v));
        public static readonly FieldDefinition AdoptedOn = new(SubjectType.Programme, "adopted_on", FieldKind.Date, "Adopted", 10);
        public static readonly FieldDefinition BudgetStatement = new(SubjectType.Programme, "budget_statement", FieldKind.Text, "Budget as published");
        public static readonly FieldDefinition AreaStatement = new(SubjectType.Programme, "area_statement", FieldKind.Text, "Area");
        public static readonly FieldDefinition CountriesStatement = new(SubjectType.Programme, "countries_statement", FieldKind.Text, "Countries");
        public static readonly FieldDefinition ClosureStatement = new(SubjectType.Programme, "closure_statement", FieldKind.Text, "Closure");
        public static readonly FieldDefinition SuccessorStatement = new(SubjectType.Programme, "successor_statement", FieldKind.Text, "After the period");
        public static readonly FieldDefinition ImplementationStatement = new(SubjectType.Programme, "implementation_statement", FieldKind.Text, "Implementation");

        private static Programmes.Programme P(object o) => (Programmes.Programme)o;
    }

    public static class Grouping
    {
        public static readonly LocalizedField Name = new(SubjectType.Grouping, "name", "Name", 300, o => G(o).Name, (o, v) => G(o).Name = v);
        public static readonly LocalizedField Description = new(SubjectType.Grouping, "description", "Description", 4000, o => G(o).Description, (o, v) => G(o).Description = v);
        public static readonly FieldDefinition LegalForm = new(SubjectType.Grouping, "legal_form", FieldKind.Text, "Legal form", 300);
        public static readonly FieldDefinition FoundedOn = new(SubjectType.Grouping, "founded_on", FieldKind.Date, "Created", 10, column: new ColumnBinding(
            o => G(o).FoundedOn,
            (o, v) => (G(o).FoundedOn, G(o).YearFounded) = (v, v is { Length: >= 4 } ? int.Parse(v[..4], CultureInfo.InvariantCulture) : null),
            ["FoundedOn", "YearFounded"]));
        public static readonly FieldDefinition Website = new(SubjectType.Grouping, "website", FieldKind.Url, "Website", 500, column: Text("Website", o => G(o).Website, (o, v) => G(o).Website = v));
        public static readonly FieldDefinition MunicipalityCount = new(SubjectType.Grouping, "municipality_count", FieldKind.Count, "Municipalities",
            column: new ColumnBinding(o => G(o).MunicipalityCount?.ToString(CultureInfo.InvariantCulture), (o, v) => G(o).MunicipalityCount = v is null ? null : int.Parse(v, CultureInfo.InvariantCulture), ["MunicipalityCount"]));
        public static readonly FieldDefinition AreaKm2 = new(SubjectType.Grouping, "area_km2", FieldKind.Number, "Area",
            column: Amount("AreaKm2", o => G(o).AreaKm2, (o, v) => G(o).AreaKm2 = v));
        public static readonly FieldDefinition Population = new(SubjectType.Grouping, "population", FieldKind.Count, "Population",
            column: new ColumnBinding(o => G(o).Population?.ToString(CultureInfo.InvariantCulture), (o, v) => G(o).Population = v is null ? null : long.Parse(v, CultureInfo.InvariantCulture), ["Population"]));
        public static readonly FieldDefinition MemberCount = new(SubjectType.Grouping, "member_count", FieldKind.Count, "Member authorities");
        public static readonly FieldDefinition Seat = new(SubjectType.Grouping, "seat", FieldKind.Text, "Seat", 500);
        public static readonly FieldDefinition Agency = new(SubjectType.Grouping, "agency", FieldKind.Text, "Agency", 500);
        public static readonly FieldDefinition FirstEgtcStatement = new(SubjectType.Grouping, "first_egtc_statement", FieldKind.Text, "Among the first EGTCs");
        public static readonly FieldDefinition DeclarationOfIntent = new(SubjectType.Grouping, "declaration_of_intent", FieldKind.Text, "Declaration of intent");
        public static readonly FieldDefinition AssemblyMembers = new(SubjectType.Grouping, "assembly_members", FieldKind.Text, "Assembly members");
        public static readonly FieldDefinition BureauMembers = new(SubjectType.Grouping, "bureau_members", FieldKind.Text, "Bureau members");
        public static readonly FieldDefinition TerritoryStatement = new(SubjectType.Grouping, "territory_statement", FieldKind.Text, "Territory");

        private static Groupings.Grouping G(object o) => (Groupings.Grouping)o;
    }

    public static class Organisation
    {
        public static readonly FieldDefinition Name = new(SubjectType.Organisation, "name", FieldKind.Text, "Name", 300,
            column: new ColumnBinding(o => O(o).Name, (o, v) => O(o).Name = v!, ["Name"], keepWhenNoValue: true));
        public static readonly FieldDefinition Country = new(SubjectType.Organisation, "country", FieldKind.Country, "Country", 2, column: Text("Country", o => O(o).Country, (o, v) => O(o).Country = v));
        public static readonly FieldDefinition City = new(SubjectType.Organisation, "city", FieldKind.Text, "City", 150, column: Text("City", o => O(o).City, (o, v) => O(o).City = v));
        public static readonly FieldDefinition Website = new(SubjectType.Organisation, "website", FieldKind.Url, "Website", 500, column: Text("Website", o => O(o).Website, (o, v) => O(o).Website = v));
        public static readonly FieldDefinition LegalStatus = new(SubjectType.Organisation, "legal_status", FieldKind.LegalStatus, "Legal status", 16,
            column: new ColumnBinding(
                o => O(o).LegalStatus == Organisations.LegalStatus.Unknown ? null : O(o).LegalStatus.ToString().ToLowerInvariant(),
                (o, v) => O(o).LegalStatus = v is null ? Organisations.LegalStatus.Unknown : FieldDefinition.ParseLegalStatus(v)!.Value,
                ["LegalStatus"], keepWhenNoValue: true));
        public static readonly FieldDefinition BorderWithBelgiumKm = new(SubjectType.Organisation, "border_with_belgium_km", FieldKind.Number, "Border with Belgium");
        public static readonly FieldDefinition CooperationStatement = new(SubjectType.Organisation, "cooperation_statement", FieldKind.Text, "Cooperation");

        private static Organisations.Organisation O(object o) => (Organisations.Organisation)o;
    }

    public static class Project
    {
        public static readonly FieldDefinition Acronym = new(SubjectType.Project, "acronym", FieldKind.Text, "Acronym", 100,
            column: new ColumnBinding(o => P(o).Acronym, (o, v) => P(o).Acronym = v!, ["Acronym"], keepWhenNoValue: true));
        public static readonly LocalizedField Title = new(SubjectType.Project, "title", "Title", 1000, o => P(o).Title, (o, v) => P(o).Title = v);
        public static readonly LocalizedField Summary = new(SubjectType.Project, "summary", "Summary", 4000, o => P(o).Summary, (o, v) => P(o).Summary = v);
        public static readonly FieldDefinition Programme = new(SubjectType.Project, "programme", FieldKind.Text, "Programme", 500);
        public static readonly FieldDefinition Period = new(SubjectType.Project, "period", FieldKind.Text, "Period", 100);
        public static readonly FieldDefinition Priority = new(SubjectType.Project, "priority", FieldKind.Text, "Priority", 500, column: Text("Priority", o => P(o).Priority, (o, v) => P(o).Priority = v));
        public static readonly FieldDefinition SpecificObjective = new(SubjectType.Project, "specific_objective", FieldKind.Text, "Specific objective", 1000,
            column: Text("SpecificObjective", o => P(o).SpecificObjective, (o, v) => P(o).SpecificObjective = v));
        public static readonly FieldDefinition InterventionField = new(SubjectType.Project, "intervention_field", FieldKind.Text, "Field of intervention", 1000,
            column: Text("InterventionField", o => P(o).InterventionField, (o, v) => P(o).InterventionField = v));
        public static readonly FieldDefinition ProjectType = new(SubjectType.Project, "project_type", FieldKind.Text, "Project type", 100,
            column: Text("ProjectType", o => P(o).ProjectType, (o, v) => P(o).ProjectType = v));
        public static readonly FieldDefinition Portfolio = new(SubjectType.Project, "portfolio", FieldKind.Text, "Portfolio", 200, column: Text("Portfolio", o => P(o).Portfolio, (o, v) => P(o).Portfolio = v));
        public static readonly FieldDefinition StartDate = new(SubjectType.Project, "start_date", FieldKind.Date, "Start", 10, column: Text("StartDate", o => P(o).StartDate, (o, v) => P(o).StartDate = v));
        public static readonly FieldDefinition EndDate = new(SubjectType.Project, "end_date", FieldKind.Date, "End", 10, column: Text("EndDate", o => P(o).EndDate, (o, v) => P(o).EndDate = v));
        public static readonly FieldDefinition TotalBudget = new(SubjectType.Project, "total_budget_eur", FieldKind.Amount, "Total budget",
            column: Amount("TotalBudget", o => P(o).TotalBudget, (o, v) => P(o).TotalBudget = v));
        public static readonly FieldDefinition Erdf = new(SubjectType.Project, "erdf_eur", FieldKind.Amount, "EU contribution (ERDF)",
            column: Amount("EuContribution", o => P(o).EuContribution, (o, v) => P(o).EuContribution = v));

        /// <summary>A rate a source states ("50%"); the column holds it as a fraction (0.5).</summary>
        public static readonly FieldDefinition ErdfRate = new(SubjectType.Project, "erdf_rate", FieldKind.Percent, "ERDF rate (stated)", 16, column: new ColumnBinding(
            o => P(o).StatedEuRate is { } r ? (r * 100m).ToString(CultureInfo.InvariantCulture) + "%" : null,
            (o, v) => P(o).StatedEuRate = v is null ? null : FieldDefinition.ParsePercent(v)!.Value / 100m, ["StatedEuRate"]));
        public static readonly FieldDefinition Website = new(SubjectType.Project, "website", FieldKind.Url, "Website", 500, column: Text("Website", o => P(o).Website, (o, v) => P(o).Website = v));
        public static readonly FieldDefinition KeepEuId = new(SubjectType.Project, "keep_eu_id", FieldKind.Digits, "keep.eu id", 32, column: Text("KeepEuId", o => P(o).KeepEuId, (o, v) => P(o).KeepEuId = v));

        // The Kohesio list of operations' own fields (ADR 28): values only, no column; the Kohesio export reads them.

        /// <summary>The operation's identifier in a programme's list of operations (Kohesio's Operation_Unique_Identifier).</summary>
        public static readonly FieldDefinition OperationId = new(SubjectType.Project, "operation_id", FieldKind.Text, "Operation identifier", 200);

        /// <summary>The category of intervention's code (Kohesio's Category_Of_Intervention, 1–123).</summary>
        public static readonly FieldDefinition CategoryOfIntervention = new(SubjectType.Project, "category_of_intervention", FieldKind.Count, "Category of intervention");

        /// <summary>The fund's code (ERDF, ESF, CF, ..., as Kohesio's Fund_Code writes it).</summary>
        public static readonly FieldDefinition Fund = new(SubjectType.Project, "fund", FieldKind.Text, "Fund", 100);

        public static readonly FieldDefinition LocationPostcode = new(SubjectType.Project, "location_postcode", FieldKind.Text, "Location (postcode)", 100);
        public static readonly FieldDefinition LocationNuts = new(SubjectType.Project, "location_nuts", FieldKind.Text, "Location (NUTS code)", 100);

        /// <summary>A point as Kohesio writes it: "longitude, latitude".</summary>
        public static readonly FieldDefinition LocationPoint = new(SubjectType.Project, "location_lon_lat", FieldKind.Text, "Location (longitude, latitude)", 100);

        private static Projects.Project P(object o) => (Projects.Project)o;
    }

    public static class Participation
    {
        /// <summary>The role as the source words it; the column holds the role and, for a non-standard wording, the wording.</summary>
        public static readonly FieldDefinition Role = new(SubjectType.Participation, "role", FieldKind.Role, "Role", 64, column: new ColumnBinding(
            o => X(o).RoleLabel ?? Exports.KeepColumns.RoleText(X(o).Role),
            (o, v) =>
            {
                if (v is not null)
                {
                    (X(o).Role, X(o).RoleLabel) = FieldDefinition.ParseRole(v)!.Value;
                }
            },
            ["Role", "RoleLabel"], keepWhenNoValue: true));
        public static readonly FieldDefinition Budget = new(SubjectType.Participation, "budget_eur", FieldKind.Amount, "Budget share",
            column: Amount("Budget", o => X(o).Budget, (o, v) => X(o).Budget = v));
        public static readonly FieldDefinition EuContribution = new(SubjectType.Participation, "eu_contribution_eur", FieldKind.Amount, "EU co-financing",
            column: Amount("EuContribution", o => X(o).EuContribution, (o, v) => X(o).EuContribution = v));

        private static Projects.Participation X(object o) => (Projects.Participation)o;
    }

    private static readonly Lazy<Dictionary<(SubjectType, string), FieldDefinition>> ByName = new(() =>
    {
        var all = new Dictionary<(SubjectType, string), FieldDefinition>();
        foreach (var type in new[] { typeof(Programme), typeof(Grouping), typeof(Organisation), typeof(Project), typeof(Participation) })
        {
            foreach (var member in type.GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static))
            {
                var fields = member.GetValue(null) switch
                {
                    FieldDefinition f => [f],
                    LocalizedField l => l.All,
                    _ => [],
                };
                foreach (var field in fields)
                {
                    all.Add((field.Subject, field.Name), field);
                }
            }
        }

        return all;
    });

    /// <summary>Every registered field.</summary>
    public static IEnumerable<FieldDefinition> All => ByName.Value.Values;

    /// <summary>The field of that name for that kind of record, or null when there is none.</summary>
    public static FieldDefinition? Find(SubjectType subject, string name) => ByName.Value.GetValueOrDefault((subject, name));

    /// <summary>The field of that name, or an exception naming what is registered for that kind of record.</summary>
    public static FieldDefinition Get(SubjectType subject, string name) =>
        Find(subject, name) ?? throw new RegistryWriteException(
            $"'{name}' is not a field of a {subject.ToString().ToLowerInvariant()} (fields: {string.Join(", ", All.Where(f => f.Subject == subject).Select(f => f.Name))})");

    /// <summary>The English label of a field by name, for any kind of record (the pages' labels).</summary>
    public static string Label(string name) =>
        All.FirstOrDefault(f => f.Name == name)?.Label ?? (name.Length == 0 ? name : char.ToUpperInvariant(name[0]) + name[1..].Replace('_', ' ').Replace('.', ' '));

    private static ColumnBinding Text(string property, Func<object, string?> read, Action<object, string?> write) => new(read, write, [property]);

    private static ColumnBinding Amount(string property, Func<object, decimal?> read, Action<object, decimal?> write) => new(
        o => read(o)?.ToString(CultureInfo.InvariantCulture),
        (o, v) => write(o, v is null ? null : decimal.Parse(v, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture)),
        [property]);
}
