namespace Passerelle.Web.Areas.Admin.Pages.Account;

public sealed class DeniedModel : AdminPage
{
    public void OnGet()
    {
    }
}
