"""manage.py staff_2fa_reset EMAIL — remove a staff member's authenticator (lost phone).

Check the person's identity out of band first. They register a new authenticator through
an enrolment link (`manage.py staff_2fa_link EMAIL`, or the secretariat's page); until
then they cannot open the admin (if their role requires a second factor).
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from staffauth.services import device_reset


class Command(BaseCommand):
    help = "Remove a user's TOTP authenticator and recovery codes."

    def add_arguments(self, parser):
        parser.add_argument("email")

    def handle(self, *args, email, **options):
        User = get_user_model()
        try:
            user = User.objects.get_by_natural_key(email)
        except User.DoesNotExist as error:
            raise CommandError(f"no user {email}") from error
        removed = device_reset(user)
        self.stdout.write(f"{email}: authenticator {'removed' if removed else 'not registered'}")
