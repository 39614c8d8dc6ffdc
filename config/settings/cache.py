"""Django's cache: where the API's rate limits are counted.

The embedded default keeps counts per process (local memory). A deployment with several
web processes names a shared Redis with CACHE_URL, so a token's limit holds across them.
"""

from config.env import env

CACHE_URL = env.url("CACHE_URL", schemes=("redis", "rediss"), default=None)
if CACHE_URL is None:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": "songproof",
            # A stopped or hung Redis fails a request within seconds (503), never hangs it.
            "OPTIONS": {"socket_connect_timeout": 3, "socket_timeout": 3},
        }
    }
