import pytest
from aiosmtpd.controller import Controller
from django_tasks import task_backends

from tests.billing.smtp import SMTP_BACKEND, Keeper, free_port


@pytest.fixture
def smtp(settings):
    """A real SMTP server Django sends through; yields its Keeper."""
    keeper = Keeper()
    controller = Controller(keeper, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = SMTP_BACKEND
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 10
    settings.DEFAULT_FROM_EMAIL = "billing@seller.example"
    yield keeper
    controller.stop()


@pytest.fixture
def queue(settings):
    """A tasks backend that keeps what is enqueued (with run_after) without running it."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    backend = task_backends["default"]
    backend.clear()
    return backend
