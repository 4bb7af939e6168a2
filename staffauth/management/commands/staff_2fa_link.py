"""manage.py staff_2fa_link EMAIL — mail a back-office account its one-time link to register
an authenticator app (valid STAFF_TWO_FACTOR_LINK_HOURS, 72 h), and print it.

The only ways to register a first authenticator are this command and the secretariat's
page (back office → Settings → 二段階認証の登録リンク). After a lost phone, check the
person's identity out of band first: enrolling through the link replaces the old
authenticator.
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from staffauth.services import enrolment_link_hours, enrolment_link_send, is_back_office_user


class Command(BaseCommand):
    help = "Mail a back-office account a one-time link to register an authenticator app."

    def add_arguments(self, parser):
        parser.add_argument("email")

    def handle(self, *args, email, **options):
        User = get_user_model()
        try:
            user = User.objects.get_by_natural_key(email.strip())
        except User.DoesNotExist as error:
            raise CommandError(f"no user {email}") from error
        if not user.is_active or not is_back_office_user(user):
            raise CommandError(f"{email} is not an active back-office account")
        url = enrolment_link_send(user)
        self.stdout.write(f"{user.email}: enrolment link mailed, valid for "
                          f"{enrolment_link_hours()} hours:\n{url}")
