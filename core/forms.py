"""What every app's forms share."""

from django.core.exceptions import ValidationError


class PlainLabelsMixin:
    """Labels without Django's trailing colon, as in the Dashboard."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


def validation_messages(error):
    """A service's ValidationError as a list of sentences for a form's top."""
    if isinstance(error, ValidationError) and hasattr(error, "message_dict"):
        return [message for messages in error.message_dict.values() for message in messages]
    return list(error.messages)
