"""Strict reading of settings from the environment.

Every accessor names the variable in its error, so a bad deployment fails at start-up with
`ImproperlyConfigured: SOME_VAR: ...` instead of misbehaving later. Secrets may come from a
file: `X_FILE=/run/secrets/x` is read when `X` itself is not set (Docker and Kubernetes
secrets are mounted as files).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Final
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

REQUIRED: Final = object()

_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})


class Env:
    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        self._environ = os.environ if environ is None else environ

    def raw(self, name: str) -> str | None:
        value = self._environ.get(name)
        if value is None or value.strip() == "":
            return None
        return value.strip()

    def is_set(self, name: str) -> bool:
        return self.raw(name) is not None or self.raw(f"{name}_FILE") is not None

    def str(self, name: str, default: object = REQUIRED) -> str | None:
        value = self.raw(name)
        if value is not None:
            return value
        return self._default(name, default)

    def secret(self, name: str, default: object = REQUIRED) -> str | None:
        """`name` itself, else the contents of the file named by `name_FILE`."""
        value = self.raw(name)
        if value is not None:
            return value
        path = self.raw(f"{name}_FILE")
        if path is None:
            return self._default(name, default)
        try:
            with open(path, encoding="utf-8") as handle:
                content = handle.read().strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE: cannot read {path!r}: {exc.strerror}") from exc
        if not content:
            raise ImproperlyConfigured(f"{name}_FILE: {path!r} is empty")
        return content

    def bool(self, name: str, default: bool) -> bool:
        value = self.raw(name)
        if value is None:
            return default
        lowered = value.lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        raise ImproperlyConfigured(f"{name}: expected one of true/false/1/0/yes/no/on/off, got {value!r}")

    def int(self, name: str, default: int, *, minimum: int | None = None, maximum: int | None = None) -> int:
        value = self.raw(name)
        if value is None:
            return default
        try:
            number = int(value, 10)
        except ValueError:
            raise ImproperlyConfigured(f"{name}: expected an integer, got {value!r}") from None
        if minimum is not None and number < minimum:
            raise ImproperlyConfigured(f"{name}: must be at least {minimum}, got {number}")
        if maximum is not None and number > maximum:
            raise ImproperlyConfigured(f"{name}: must be at most {maximum}, got {number}")
        return number

    def choice(self, name: str, choices: Iterable[str], default: str) -> str:
        allowed = tuple(choices)
        value = self.raw(name)
        if value is None:
            return default
        if value not in allowed:
            raise ImproperlyConfigured(f"{name}: expected one of {', '.join(allowed)}, got {value!r}")
        return value

    def rate(self, name: str, default: str) -> str:
        """A request rate as DRF throttles read it: N/second, N/minute, N/hour or N/day."""
        value = self.raw(name)
        if value is None:
            return default
        count, _, period = value.partition("/")
        if not count.isdigit() or int(count) < 1 or period[:1] not in ("s", "m", "h", "d"):
            raise ImproperlyConfigured(f"{name}: expected a rate like 30/minute, got {value!r}")
        return value

    def list(self, name: str, default: Iterable[str]) -> list[str]:
        value = self.raw(name)
        if value is None:
            return list(default)
        items = [item.strip() for item in value.split(",")]
        if any(not item for item in items):
            raise ImproperlyConfigured(f"{name}: empty item in comma-separated list {value!r}")
        return items

    def path(self, name: str, default: object = REQUIRED) -> Path | None:
        """An absolute filesystem path (not checked for existence: volumes mount late)."""
        value = self.str(name, default)
        if value is None:
            return None
        if not os.path.isabs(value):
            raise ImproperlyConfigured(f"{name}: expected an absolute path, got {value!r}")
        return Path(value)

    def url(self, name: str, *, schemes: Iterable[str], default: object = REQUIRED) -> str | None:
        value = self.secret(name, default)
        if value is None:
            return None
        allowed = tuple(schemes)
        scheme = urlsplit(value).scheme
        if scheme not in allowed:
            raise ImproperlyConfigured(
                f"{name}: URL scheme must be one of {', '.join(allowed)}, got {scheme or 'none'!r}"
            )
        return value

    @staticmethod
    def _default(name: str, default: object) -> str | None:
        if default is REQUIRED:
            raise ImproperlyConfigured(f"{name}: required but not set (nor {name}_FILE)")
        return default  # type: ignore[return-value]


env = Env()
