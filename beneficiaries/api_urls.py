from django.urls import path

from . import api

# Mounted under /api/v1/ by phocap/urls.py.
urlpatterns = [
    path("households/", api.HouseholdList.as_view(), name="household-list"),
    path("household-imports/", api.ImportJobUpload.as_view(), name="household-import-upload"),
    path("household-imports/<int:pk>/", api.ImportJobDetail.as_view(), name="household-import-detail"),
    path("household-imports/<int:pk>/confirm/", api.ImportJobConfirm.as_view(), name="household-import-confirm"),
]
