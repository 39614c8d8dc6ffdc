"""The one place that turns any error into the API's error contract (design.md §7)::

    {"error": {"code": "not_found", "message": "Not found.", "detail": {...}}}

Domain errors (`config.errors`), DRF's own exceptions, Django's `ValidationError` and
database outages are mapped here, so a view never builds an error body by hand.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

import kombu.exceptions
import redis.exceptions
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from rest_framework import exceptions as drf
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from config.errors import (
    MESSAGE_INVALID,
    MESSAGE_NOT_FOUND,
    MESSAGE_UNAVAILABLE,
    ApplicationError,
    ServiceUnavailableError,
)

logger = logging.getLogger(__name__)

MESSAGE_SERVER_ERROR = "Internal server error."
RETRY_AFTER_SECONDS = 5
# Outages of the services behind a request: the database, and Redis as cache (rate limits,
# CACHE_URL) or as broker (kombu raises its OperationalError once publishing gave up).
OUTAGES = (
    OperationalError,
    InterfaceError,
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
    kombu.exceptions.OperationalError,
)


def error_body(code: str, message: str, detail: Any = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "detail": detail or {}}}


def _structured(detail: Any) -> Any:
    """DRF's ErrorDetail tree as plain JSON: each message keeps its machine-readable code."""
    if isinstance(detail, dict):
        return {key: _structured(value) for key, value in detail.items()}
    if isinstance(detail, list):
        return [_structured(item) for item in detail]
    return {"message": str(detail), "code": getattr(detail, "code", "invalid")}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, OUTAGES):
        logger.warning("service unavailable in %s: %r", context.get("view").__class__.__name__, exc)
        exc = ServiceUnavailableError(MESSAGE_UNAVAILABLE)
    if isinstance(exc, ApplicationError):
        response = Response(error_body(exc.code, exc.message, exc.detail), status=exc.status)
        if exc.status == 503:
            response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    if isinstance(exc, DjangoValidationError):
        fields = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        return Response(error_body("invalid", MESSAGE_INVALID, fields), status=400)
    if isinstance(exc, Http404):
        exc = drf.NotFound(MESSAGE_NOT_FOUND)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = drf.PermissionDenied()
    if not isinstance(exc, drf.APIException):
        return None  # a bug: Django logs it and `server_error` answers 500

    # DRF's own handler sets the headers that belong to each error (WWW-Authenticate,
    # Allow, Retry-After); only the body is rewritten to the contract.
    response = drf_exception_handler(exc, context)
    if isinstance(exc, drf.ValidationError):
        response.data = error_body("invalid", MESSAGE_INVALID, _structured(exc.detail))
    else:
        codes = exc.get_codes()
        response.data = error_body(codes if isinstance(codes, str) else exc.default_code, str(exc.detail))
    return response


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def page_not_found(request: HttpRequest, exception: Exception) -> JsonResponse:
    """Unknown URLs under /api/ answer in the error contract, not with an HTML page."""
    if _is_api(request):
        return JsonResponse(error_body("not_found", MESSAGE_NOT_FOUND), status=404)
    from django.views.defaults import page_not_found as html_page_not_found

    return html_page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    """500; or 503 with Retry-After when a backing service's outage caused it (a page's, or
    one raised outside DRF). Django calls this while it handles the exception, so
    sys.exc_info() names it."""
    if isinstance(sys.exc_info()[1], OUTAGES):
        if _is_api(request):
            response = JsonResponse(error_body(ServiceUnavailableError.code, MESSAGE_UNAVAILABLE), status=503)
        else:
            # No request context: the base template would query memberships from the database.
            response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    if _is_api(request):
        return JsonResponse(error_body("server_error", MESSAGE_SERVER_ERROR), status=500)
    from django.views.defaults import server_error as html_server_error

    return html_server_error(request)
