"""/v1/: each address's views by method (api/http.py's endpoint)."""

from django.urls import path, re_path

from .http import endpoint, not_found
from .views import customers

app_name = "api"

urlpatterns = [
    path("customers", endpoint(GET=customers.list_, POST=customers.create), name="customers"),
    path("customers/search", endpoint(GET=customers.search_), name="customers_search"),
    path(
        "customers/<str:id>",
        endpoint(GET=customers.retrieve, POST=customers.update, DELETE=customers.delete),
        name="customer",
    ),
    re_path(r"^(?P<rest>.*)$", not_found),
]
