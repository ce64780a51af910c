from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from phocap.areas.models import AdminUnit
from phocap.common.errors import DomainError

from .errors import Code
from .models import Membership, User
from .scoping import forget


@transaction.atomic
def membership_grant(*, user: User, unit: AdminUnit, role: str) -> Membership:
    membership = Membership(user=user, unit=unit, role=role)
    try:
        membership.clean()
    except ValidationError as e:
        raise DomainError(" ".join(m for msgs in e.message_dict.values() for m in msgs), code=Code.MEMBERSHIP_INVALID)
    membership, _created = Membership.objects.get_or_create(user=user, unit=unit, role=role)
    forget(user)
    return membership


@transaction.atomic
def user_create(*, username: str, password: str | None, first_name: str = "", last_name: str = "",
                email: str = "", is_staff: bool = False, is_superuser: bool = False) -> User:
    """A new account (password None: no usable password, the account cannot log in);
    a system administrator (`is_superuser`) is staff too."""
    if User.objects.filter(username=username).exists():
        raise DomainError(_("Tên đăng nhập %(u)s đã có.") % {"u": username}, code=Code.USERNAME_TAKEN)
    return User.objects.create_user(username=username, password=password, first_name=first_name,
                                    last_name=last_name, email=email, is_staff=is_staff or is_superuser,
                                    is_superuser=is_superuser)
