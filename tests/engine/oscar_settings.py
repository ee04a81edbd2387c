"""The least Django settings under which django-oscar's own migrations create its schema.

Used only by `oscar_kit` (in a subprocess), never imported by the tests themselves. The
database comes from POLICYKEEPER_OSCAR_DATABASE, a SQLAlchemy URL of a PostgreSQL database.
"""

from __future__ import annotations

import os

import oscar
import sqlalchemy as sa
from oscar import defaults

_url = sa.make_url(os.environ["POLICYKEEPER_OSCAR_DATABASE"])

globals().update({name: value for name, value in vars(defaults).items() if name.isupper()})
SECRET_KEY = "policykeeper-tests-only"
INSTALLED_APPS = list(oscar.INSTALLED_APPS)
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": _url.database,
        "USER": _url.username or "",
        "PASSWORD": _url.password or "",
        "HOST": _url.host or "",
        "PORT": str(_url.port or ""),
    }
}
SITE_ID = 1
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
HAYSTACK_CONNECTIONS = {"default": {"ENGINE": "haystack.backends.simple_backend.SimpleEngine"}}
