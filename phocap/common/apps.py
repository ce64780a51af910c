from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "phocap.common"
    label = "common"
    verbose_name = "phocap"
