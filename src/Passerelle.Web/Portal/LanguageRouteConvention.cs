using Microsoft.AspNetCore.Mvc.ApplicationModels;

using Passerelle.Core.Common;

namespace Passerelle.Web.Portal;

/// <summary>
/// Gives every page a second address with a language segment (/fr/projects/tec beside /projects/tec), so a link
/// carries its language and can be shared.
/// </summary>
public sealed class LanguageRouteConvention : IPageRouteModelConvention
{
    public const string RouteKey = "lang";

    public void Apply(PageRouteModel model)
    {
        foreach (var selector in model.Selectors.ToList())
        {
            var template = selector.AttributeRouteModel?.Template;
            if (template is null || template.StartsWith("error", StringComparison.Ordinal))
            {
                continue;
            }

            model.Selectors.Add(new SelectorModel
            {
                AttributeRouteModel = new AttributeRouteModel
                {
                    Template = AttributeRouteModel.CombineTemplates("{" + RouteKey + ":regex(" + Language.RoutePattern + ")}", template),
                },
            });
        }
    }
}
