from django.urls import path

from . import api

# Mounted under /api/v1/ by phocap/urls.py.
urlpatterns = [
    path("visits/", api.VisitCreate.as_view(), name="visit-create"),
    path("visits/sync/", api.VisitSync.as_view(), name="visit-sync"),
    path("villages/<int:pk>/visits/", api.village_recipients, name="village-recipients"),
]
