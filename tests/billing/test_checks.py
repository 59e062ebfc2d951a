from billing.checks import check_email_is_sent

SMTP = "django.core.mail.backends.smtp.EmailBackend"
FILE = "django.core.mail.backends.filebased.EmailBackend"


def _ids(settings, backend, sender):
    settings.EMAIL_BACKEND, settings.DEFAULT_FROM_EMAIL = backend, sender
    return [message.id for message in check_email_is_sent(None)]


def test_deploy_check_warns_when_emails_would_only_be_written_to_files(settings):
    assert _ids(settings, FILE, "billing@seller.example") == ["billing.W001"]


def test_deploy_check_warns_about_a_localhost_sender(settings):
    assert _ids(settings, SMTP, "billing@localhost") == ["billing.W002"]


def test_deploy_check_is_quiet_with_a_mail_server_and_a_real_sender(settings):
    assert _ids(settings, SMTP, "billing@seller.example") == []
