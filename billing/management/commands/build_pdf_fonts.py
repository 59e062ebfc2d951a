"""Cuts the PDFs' smaller CJK fonts from Noto Sans CJK into static/fonts/ (see
billing/fonts.py). Fonts already built are kept; `make run` and `make test` run this."""

import os
import time

from django.core.management.base import BaseCommand, CommandError

from billing import fonts


class Command(BaseCommand):
    help = "Build the CJK fonts the invoice PDFs use (once; about a minute)."

    def add_arguments(self, parser):
        parser.add_argument("--jobs", type=int, default=2)

    def handle(self, *args, jobs, **options):
        if not fonts.missing():
            return
        source = fonts.NOTO_CJK.format(weight="Regular")
        if not os.path.exists(source):
            raise CommandError(f"{source} is missing: install the Debian package fonts-noto-cjk.")
        started = time.monotonic()
        for path in fonts.build(jobs=jobs):
            self.stdout.write(f"Built {path.name}")
        self.stdout.write(f"PDF fonts built in {time.monotonic() - started:.0f} s.")
