from django.urls import path

from . import views

app_name = "beneficiaries"

urlpatterns = [
    path("", views.household_list, name="household_list"),
    path("<int:pk>/", views.household_detail, name="household_detail"),
    path("<int:pk>/sua/", views.household_edit, name="household_edit"),
    path("uu-tien/", views.priority_list, name="priority_list"),
    path("uu-tien.xlsx", views.priority_export, name="priority_export"),
    path("nhap/", views.import_upload, name="import_upload"),
    path("nhap/mau/<int:commune_id>.xlsx", views.import_template, name="import_template"),
    path("nhap/<int:pk>/", views.import_review, name="import_review"),
    path("nhap/<int:pk>/trang-thai.json", views.import_status, name="import_status"),
    path("nhap/<int:pk>/xac-nhan/", views.import_confirm, name="import_confirm"),
    path("nhap/<int:pk>/file-loi.xlsx", views.import_annotated, name="import_annotated"),
]
