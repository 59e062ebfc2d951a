"""The /v1/ endpoints, one module a resource; api/urls.py routes them by method."""
