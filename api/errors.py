"""Errors in Stripe's shape: `{"error": {"type", "code", "param", "message"}}` with the HTTP
status the official SDKs map to their exception classes (400 InvalidRequestError, 401
AuthenticationError, 403 PermissionError, 404 InvalidRequestError, 429 RateLimitError;
type "idempotency_error" with 400 is IdempotencyError)."""

from typing import Any

from django.http import JsonResponse


class ApiError(Exception):
    """Raised anywhere under a view of this app; answered as Stripe's error object."""

    def __init__(
        self,
        message: str,
        *,
        param: str | None = None,
        code: str | None = None,
        status: int = 400,
        type: str = "invalid_request_error",
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message, self.param, self.code = message, param, code
        self.status, self.type, self.headers = status, type, headers or {}

    def as_dict(self) -> dict[str, Any]:
        error: dict[str, Any] = {"type": self.type, "message": self.message}
        if self.code:
            error["code"] = self.code
        if self.param:
            error["param"] = self.param
        return {"error": error}

    def response(self) -> JsonResponse:
        response = JsonResponse(self.as_dict(), status=self.status)
        for name, value in self.headers.items():
            response[name] = value
        return response


def unknown_parameter(param: str) -> ApiError:
    return ApiError(f"Received unknown parameter: {param}", param=param, code="parameter_unknown")


def missing_parameter(param: str) -> ApiError:
    return ApiError(f"Missing required param: {param}.", param=param, code="parameter_missing")


def invalid_parameter(param: str, message: str, code: str = "parameter_invalid") -> ApiError:
    return ApiError(message, param=param, code=code)


def not_supported(param: str) -> ApiError:
    return ApiError(
        f"The parameter {param} is not supported by this server: it has no payments.",
        param=param,
        code="parameter_not_supported",
    )


def resource_missing(kind: str, id: str, param: str = "id") -> ApiError:
    return ApiError(f"No such {kind}: '{id}'", param=param, code="resource_missing", status=404)
