from phocap.accounts.models import Role
from phocap.accounts.scoping import user_roles


def navigation(request):
    """Role flags the base template uses to show only the links a user can follow."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_roles": set()}
    roles = set(Role.values) if user.is_superuser else user_roles(user)
    return {
        "nav_roles": roles,
        "is_province_staff": Role.PROVINCE_STAFF in roles,
        "is_district_officer": Role.DISTRICT_OFFICER in roles,
        "is_commune_official": Role.COMMUNE_OFFICIAL in roles,
        "is_auditor": Role.AUDITOR in roles,
        "is_digital_team": Role.DIGITAL_TEAM in roles,
    }
