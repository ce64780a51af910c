from django.urls import path

from . import views

app_name = "coverage"

urlpatterns = [
    path("", views.index, name="index"),
    path("cong-khai/<int:programme_id>/", views.public, name="public"),
    path("bao-cao/<int:pk>/", views.report_detail, name="report_detail"),
    path("bao-cao/<int:pk>/tai-ve/", views.report_download, name="report_download"),
    path("<int:programme_id>/<str:scheme>/<str:code>/", views.dashboard, name="dashboard"),
    path("<int:programme_id>/<str:scheme>/<str:code>/ban-in/", views.print_view, name="print"),
    path("<int:programme_id>/<str:scheme>/<str:code>/bao-cao/", views.report_create, name="report_create"),
]
