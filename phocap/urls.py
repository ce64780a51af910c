from django.contrib import admin
from django.http import HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import DefaultRouter

from phocap.api import views as api_views
from phocap.common import views as common_views
from phocap.programmes.api import ProgrammeViewSet

router = DefaultRouter()
router.include_root_view = False  # api_views.api_root lists every endpoint, not only the router's
router.register("programmes", ProgrammeViewSet, basename="programme")

api_v1 = [
    path("", api_views.api_root, name="api-root"),
    path("auth/token/", api_views.TokenView.as_view(), name="api-token"),
    # App routes first: they hold paths below /programmes/<id>/ that the router would not.
    path("", include("donations.api_urls")),
    path("", include("beneficiaries.api_urls")),
    path("", include("distribution.api_urls")),
    path("", include("followup.api_urls")),
    path("", include("programme_coverage.api_urls")),
    path("", include(router.urls)),
]

urlpatterns = [
    path("", common_views.home, name="home"),
    path("healthz", common_views.healthz, name="healthz"),
    # Browsers ask for /favicon.ico on every page without our <link> (admin, API, files).
    path("favicon.ico", lambda request: HttpResponsePermanentRedirect(static("favicon.svg")), name="favicon"),
    path("sw.js", common_views.service_worker, name="service_worker"),
    path("manifest.webmanifest", common_views.web_manifest, name="web_manifest"),
    path("tai-khoan/", include("phocap.accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("don-vi/", include("phocap.accounts.unit_urls")),
    path("chuong-trinh/", include("phocap.programmes.urls")),
    path("ung-ho/", include("donations.urls")),
    path("ho-gia-dinh/", include("beneficiaries.urls")),
    path("phan-phoi/", include("distribution.urls")),
    path("tham-lai/", include("followup.urls")),
    path("phan-anh/", include("grievances.urls")),
    path("pho-cap/", include("programme_coverage.urls")),
    path("nhat-ky/", include("audit.urls")),
    path("thong-bao/", include("phocap.notifications.urls")),
    path("xuat/", include("phocap.exports.urls")),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("admin/", admin.site.urls),
]

# Uploads (household files, signed minutes) hold personal data: there is deliberately no
# /media/ route. Each app serves its files through a view that checks the user's scope.

handler403 = "phocap.common.views.error_403"
handler404 = "phocap.common.views.error_404"

admin.site.site_header = "phocap"
admin.site.site_title = "phocap"
