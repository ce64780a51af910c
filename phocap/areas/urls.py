from django.urls import path

from . import views

app_name = "areas"

urlpatterns = [
    path("<str:scheme>/<str:level>/<str:code>/", views.unit_detail, name="unit_detail"),
]
