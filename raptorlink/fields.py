"""Encryption at rest for secrets (PowerSchool client secrets, OAuth tokens).

Values are Fernet tokens made with the first key of FIELD_ENCRYPTION_KEYS; every key in the list can
decrypt, so keys rotate by putting a new key first and running `manage.py rotate_field_keys`.
"""

from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models


@lru_cache(maxsize=4)
def _multifernet(keys):
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except ValueError as error:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEYS must be comma-separated Fernet keys (32 url-safe base64-encoded bytes each)."
        ) from error


def field_cipher():
    return _multifernet(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt(plaintext):
    return field_cipher().encrypt(plaintext.encode()).decode()


def decrypt(ciphertext):
    try:
        return field_cipher().decrypt(ciphertext.encode()).decode()
    except InvalidToken as error:
        raise ImproperlyConfigured(
            "A stored secret cannot be decrypted with FIELD_ENCRYPTION_KEYS: an old key was removed too early."
        ) from error


def rotate(ciphertext):
    return field_cipher().rotate(ciphertext.encode()).decode()


class EncryptedTextField(models.TextField):
    """Holds plaintext in Python and a Fernet token in the database. Empty stays empty."""

    def from_db_value(self, value, expression, connection):
        return decrypt(value) if value else value

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return encrypt(value) if value else value
