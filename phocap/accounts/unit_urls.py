from django.urls import path

from . import unit_views as views

app_name = "areas"  # the URL names stay "areas:..." (AdminUnit.get_absolute_url)

urlpatterns = [
    path("<str:scheme>/<str:level>/<str:code>/", views.unit_detail, name="unit_detail"),
    path("<str:scheme>/commune/<str:code>/them-thon/", views.village_create, name="village_create"),
]
