from django.apps import AppConfig


class CoverageConfig(AppConfig):
    name = "distribution.coverage"
    label = "coverage"
