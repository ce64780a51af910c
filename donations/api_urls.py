from django.urls import path

from . import api

# Mounted under /api/v1/ by phocap/urls.py.
urlpatterns = [
    path("programmes/<int:pk>/totals/", api.programme_totals_view, name="programme-totals"),
    path("donations/", api.DonationCreate.as_view(), name="donation-create"),
]
