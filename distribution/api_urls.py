from django.urls import include, path
from rest_framework.routers import SimpleRouter

from . import api
from .api import BatchViewSet, DeviceViewSet

# Mounted under /api/v1/ by phocap/urls.py. The explicit paths come before the router's,
# whose detail routes (devices/<imei>/, batches/<pk>/) would otherwise match them.
router = SimpleRouter()
router.register("devices", DeviceViewSet, basename="device")
router.register("batches", BatchViewSet, basename="batch")

urlpatterns = [
    path("devices/intake/", api.DeviceIntake.as_view(), name="device-intake"),
    path("batches/dispatch/", api.BatchDispatch.as_view(), name="batch-dispatch"),
    path("batches/<int:pk>/receive/", api.BatchReceive.as_view(), name="batch-receive"),
    path("handouts/sync/", api.HandoutSync.as_view(), name="handout-sync"),
    path("handouts/", api.HandoutListCreate.as_view(), name="handout-list"),
    path("handouts/<int:pk>/", api.HandoutDetail.as_view(), name="handout-detail"),
    path("handouts/<int:pk>/reverse/", api.HandoutReverse.as_view(), name="handout-reverse"),
    path("communes/<int:pk>/stock/", api.commune_stock, name="commune-stock"),
    path("villages/<int:pk>/priority/", api.village_priority, name="village-priority"),
    path("", include(router.urls)),
]
