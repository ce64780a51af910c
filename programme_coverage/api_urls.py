from django.urls import path

from . import api

# Mounted under /api/v1/ by phocap/urls.py.
urlpatterns = [
    path("coverage/<str:scheme>/<str:unit_code>/", api.coverage_unit, name="coverage-unit"),
]
