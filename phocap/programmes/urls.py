from django.urls import path

from . import views

app_name = "programmes"

urlpatterns = [
    path("", views.programme_list, name="list"),
    path("tao-moi/", views.programme_create, name="create"),
    path("<int:pk>/", views.programme_detail, name="detail"),
    path("<int:pk>/sua/", views.programme_edit, name="edit"),
    path("<int:pk>/trang-thai/", views.programme_status, name="status"),
    path("<int:pk>/gia-han/", views.programme_extend, name="extend"),
    path("<int:pk>/xa-muc-tieu/", views.programme_targets, name="targets"),
    path("<int:pk>/xa-muc-tieu/mau.xlsx", views.target_template, name="target_template"),
    path("<int:pk>/xa-muc-tieu/nhap/", views.target_import_upload, name="target_import_upload"),
    path("<int:pk>/xa-muc-tieu/nhap/<int:job_id>/", views.target_import_detail, name="target_import"),
]
