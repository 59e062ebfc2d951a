#!/usr/bin/env python
import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.management import execute_from_command_line

    from activity.context import acting
    from activity.kinds import Source

    # A command's changes are recorded as its own (requests and tasks say who acts).
    with acting(Source.COMMAND, name=" ".join(["manage.py", *sys.argv[1:2]])):
        execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
