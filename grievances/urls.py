from django.urls import path

from . import views

app_name = "grievances"

urlpatterns = [
    path("", views.grievance_list, name="list"),
    path("moi/", views.grievance_create, name="create"),
    path("<int:pk>/", views.grievance_detail, name="detail"),
    path("<int:pk>/xu-ly/", views.grievance_handle, name="handle"),
    path("gui/<int:programme_id>/", views.public_submit, name="public_submit"),
    path("gui/<int:programme_id>/da-gui/", views.public_done, name="public_done"),
]
