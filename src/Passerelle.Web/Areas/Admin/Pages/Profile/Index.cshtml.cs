namespace Passerelle.Web.Areas.Admin.Pages.Profile;

public sealed class IndexModel : AdminPage
{
    public void OnGet()
    {
    }
}
