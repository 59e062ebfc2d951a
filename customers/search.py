"""Free-text search over name, email, description, ID and metadata values."""

from django.db.models import Q


def search_customers(queryset, text):
    text = text.strip()
    if not text:
        return queryset
    match = Q()
    for field in ("name", "email", "description", "public_id", "metadata"):
        match |= Q(**{f"{field}__icontains": text})
    return queryset.filter(match)
