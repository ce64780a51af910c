from django.urls import path

from . import views

app_name = "exports"

urlpatterns = [
    path("<int:pk>/", views.job_detail, name="job_detail"),
    path("<int:pk>/tai-ve/", views.job_download, name="job_download"),
]
