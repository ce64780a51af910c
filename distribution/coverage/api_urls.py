from django.urls import path  # noqa: F401

# Mounted under /api/v1/ by phocap/urls.py.
urlpatterns: list = []
