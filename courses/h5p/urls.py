"""The whole URLconf of the H5P content origin (H5P_CONTENT_ORIGIN).

Not included in config.urls: `H5PContentOriginMiddleware` routes requests
for the content host here and nowhere else, so these URLs 404 on the site's
host and every site URL 404s on the content host.
"""

from django.urls import path, re_path

from . import views

urlpatterns = [
    path("h5p/player/<str:version>/<path:relative>", views.player_asset, name="h5p_player_asset"),
    re_path(r"^h5p/(?P<key>[0-9a-f]{32})/player/$", views.player, name="h5p_player"),
    re_path(r"^h5p/(?P<key>[0-9a-f]{32})/files/(?P<relative>.+)$", views.package_file, name="h5p_package_file"),
]

handler400 = "courses.h5p.views.bad_request"
handler403 = "courses.h5p.views.permission_denied"
handler404 = "courses.h5p.views.not_found"
handler500 = "courses.h5p.views.server_error"
