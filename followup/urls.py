from django.urls import path

from . import views

app_name = "followup"

urlpatterns = [
    path("", views.recipient_list, name="recipient_list"),
    path("cap-phat/<int:handout_pk>/", views.visit_create, name="visit_create"),
]
