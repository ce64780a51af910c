from django.urls import path

from . import views

app_name = "audit"

urlpatterns = [
    path("kiem-tra/<int:programme_id>/", views.inspector_export, name="inspector_export"),
    path("kiem-tra/viec/<int:pk>/", views.inspector_job, name="inspector_job"),
    path("kiem-tra/viec/<int:pk>/tai-ve/", views.inspector_download, name="inspector_download"),
    path("<str:kind>/<int:pk>/", views.object_history, name="object"),
]
