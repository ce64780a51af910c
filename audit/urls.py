from django.urls import path

from . import views

app_name = "audit"

urlpatterns = [
    path("kiem-tra/<int:programme_id>/", views.inspector_export, name="inspector_export"),
    path("<str:kind>/<int:pk>/", views.object_history, name="object"),
]
