"""The documented production layout (README, "Running in production"): the Procfile and the
systemd units run commands that exist, and the example environment names only variables the
settings read."""

import configparser
import re
import shlex
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import get_commands

ROOT = Path(settings.BASE_DIR)
UNITS = sorted((ROOT / "deploy" / "systemd").glob("*.service"))


def _procfile():
    lines = (ROOT / "Procfile").read_text().splitlines()
    return dict(line.split(": ", 1) for line in lines if line and not line.startswith("#"))


def _unit(path):
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.optionxform = str  # keys are case-sensitive in systemd
    parser.read(path)
    return parser


def _check_command(command):
    """One shell command of ours: gunicorn with our config, or a manage.py command."""
    words = shlex.split(command)
    program = Path(words[0]).name
    if program == "gunicorn":
        assert words[1:] == ["-c", "config/gunicorn.py", "config.wsgi"]
        assert (ROOT / "config" / "gunicorn.py").exists()
    else:
        assert program in ("python", "python3") and words[1] == "manage.py", command
        assert words[2] in get_commands(), f"no such command: {words[2]}"


def test_the_procfile_runs_the_web_server_the_worker_and_the_release_steps():
    processes = _procfile()
    assert set(processes) == {"release", "web", "worker"}
    for command in processes.values():
        for part in command.split(" && "):
            _check_command(part)
    # collectstatic after the fonts: the PDF stylesheet refers to them.
    release = processes["release"]
    assert release.index("build_pdf_fonts") < release.index("collectstatic")


@pytest.mark.parametrize("path", UNITS, ids=[path.name for path in UNITS])
def test_each_systemd_unit_runs_an_existing_command(path):
    service = _unit(path)["Service"]
    command = service["ExecStart"]
    if command.startswith("/bin/sh -c "):  # the backup: a dated file name
        command = shlex.split(command)[2].removeprefix("exec ")
    _check_command(re.sub(r"%[%A-Za-z]", "x", command))
    assert service["EnvironmentFile"] == "/etc/billing.env"
    assert service["User"] == "billing"


def test_web_and_workers_are_restarted_and_the_backup_runs_hourly():
    for name in ("billing-web.service", "billing-worker@.service"):
        assert _unit(ROOT / "deploy" / "systemd" / name)["Service"]["Restart"] == "always"
    timer = _unit(ROOT / "deploy" / "systemd" / "billing-backup.timer")["Timer"]
    assert (timer["OnCalendar"], timer["Persistent"]) == ("hourly", "true")


def test_reminders_are_queued_every_ten_minutes():
    timer = _unit(ROOT / "deploy" / "systemd" / "billing-reminders.timer")["Timer"]
    assert timer["OnCalendar"] == "*:0/10"
    service = _unit(ROOT / "deploy" / "systemd" / "billing-reminders.service")["Service"]
    assert service["ExecStart"].endswith("manage.py send_reminders")


def test_the_example_environment_names_only_variables_the_app_reads():
    example = (ROOT / "deploy" / "billing.env.example").read_text().splitlines()
    names = [line.split("=", 1)[0] for line in example if line and not line.startswith("#")]
    read = "".join(path.read_text() for path in (ROOT / "config").glob("*.py"))
    unread = [name for name in names if f'"{name}"' not in read and f"'{name}'" not in read]
    assert unread == []
