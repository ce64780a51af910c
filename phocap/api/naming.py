"""The browsable API's page names in the user's language (DRF's VIEW_NAME_FUNCTION)."""


def view_name(view) -> str:
    """The heading of a browsable-API page in the user's language: a view's own ``name``
    when it sets one, else DRF's name ("Api Root", "Device List") through our catalogue
    (locale/vi holds the Vietnamese; English shows DRF's name as it is)."""
    from django.utils.translation import gettext
    from rest_framework.views import get_view_name

    name = getattr(view, "name", None)
    return str(name) if name else gettext(get_view_name(view))


def view_description(view, html=False) -> str:
    """A browsable-API page's description (DRF's VIEW_DESCRIPTION_FUNCTION): the view's
    docstring, written in English for developers, on English pages only; a Vietnamese
    page shows none rather than English (docs/api.md and the schema describe every call)."""
    from django.utils.translation import get_language
    from rest_framework.views import get_view_description

    return get_view_description(view, html) if (get_language() or "").startswith("en") else ""
