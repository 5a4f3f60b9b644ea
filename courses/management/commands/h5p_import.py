"""`manage.py h5p_import FILE`: store an .h5p package from the shell.

Prints the new package's id on success. A refused package is one line on
stderr ("CommandError: check.h5p: ... [code]") and exit status 1, so scripts
can branch on it without parsing a traceback.
"""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from courses.h5p.services import h5p_package_create, h5p_packages_with_same_content
from courses.h5p.validation import H5PValidationError, shown


class Command(BaseCommand):
    help = "Validate an .h5p file and store it as an H5P package; prints the new package id."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="path to the .h5p file")
        parser.add_argument("--title", help="title to use instead of the one in h5p.json")
        parser.add_argument("--uploaded-by", metavar="EMAIL", help="record this user as the uploader")

    def handle(self, *args, **options) -> None:
        path = Path(options["file"])
        label = shown(path.name)
        if not path.is_file():
            raise CommandError(f"{shown(str(path))}: no such file")
        uploaded_by = None
        if options["uploaded_by"]:
            User = get_user_model()
            try:
                uploaded_by = User.objects.get(**{f"{User.EMAIL_FIELD}__iexact": options["uploaded_by"]})
            except User.DoesNotExist:
                raise CommandError(f"no user with the email address {shown(options['uploaded_by'])}") from None
        try:
            with path.open("rb") as handle:
                package = h5p_package_create(
                    uploaded_file=handle, uploaded_by=uploaded_by, title=options["title"]
                )
        except H5PValidationError as error:
            raise CommandError(f"{label}: {error.message} [{error.code}]") from None
        except OSError as error:
            raise CommandError(f"{label}: could not be imported ({error.strerror or error})") from None
        same = list(h5p_packages_with_same_content(package=package).values_list("pk", flat=True))
        if same:
            # stderr: stdout stays exactly the id, for scripts.
            self.stderr.write(f"note: same content as package(s) {', '.join(map(str, same))}")
        self.stdout.write(str(package.pk))
