from django.urls import include, path
from rest_framework.routers import SimpleRouter

from .api import BatchViewSet, DeviceViewSet

# Mounted under /api/v1/ by phocap/urls.py.
router = SimpleRouter()
router.register("devices", DeviceViewSet, basename="device")
router.register("batches", BatchViewSet, basename="batch")

urlpatterns = [path("", include(router.urls))]
