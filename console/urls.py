"""Pages of the console beyond Django's model pages, served under /admin/ by the console site."""

from django.urls import path

from raptorlink.setup import views as setup


def console_urls(site):
    """URL patterns the console site adds before Django's own; each view is wrapped by `site.admin_view`."""

    def page(view):
        """`view(request, context, **kwargs)` behind the console's login, with the site's template context."""

        def with_context(request, **kwargs):
            return view(request, site.each_context(request), **kwargs)

        return site.admin_view(with_context)

    return [
        path("powerschool-setup/", page(setup.setup_index), name="powerschool_setup_index"),
        path("powerschool-setup/<int:district_id>/", page(setup.setup_home), name="powerschool_setup"),
        path(
            "powerschool-setup/<int:district_id>/test/",
            page(setup.test_connection),
            name="powerschool_setup_test",
        ),
        path("powerschool-setup/<int:district_id>/plugin/", page(setup.plugin_page), name="powerschool_setup_plugin"),
        path(
            "powerschool-setup/<int:district_id>/plugin.xml",
            page(setup.plugin_xml),
            name="powerschool_setup_plugin_xml",
        ),
        path(
            "powerschool-setup/<int:district_id>/schools/",
            page(setup.schools_page),
            name="powerschool_setup_schools",
        ),
        path("powerschool-setup/<int:district_id>/logs/", page(setup.logs_page), name="powerschool_setup_logs"),
    ]
