from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from .scoping import user_roles


def unit_role_required(*roles: str):
    """The view needs a logged-in user holding one of `roles` at some unit.

    Which rows they may touch is decided by the scoped queryset in the view.
    """

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not user.is_superuser and not (user_roles(user) & set(roles)):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def login_and_membership_required(view):
    """Any role at all (auditors included)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not user.is_superuser and not user_roles(user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper
