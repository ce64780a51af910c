"""How apps contribute to the ground floor without it importing them: each installed app
may have a module of a known name (`todos`, `notices`, `exports`), found through the app
registry in INSTALLED_APPS order."""

import importlib
import importlib.util

from django.apps import apps


def app_modules(name: str):
    for config in apps.get_app_configs():
        if importlib.util.find_spec(config.name) and importlib.util.find_spec(f"{config.name}.{name}"):
            yield importlib.import_module(f"{config.name}.{name}")
