import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection as db

from raptorlink.models import PowerSchoolConnection


def raw_secret(pk):
    with db.cursor() as cursor:
        cursor.execute("SELECT client_secret FROM raptorlink_powerschoolconnection WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def test_the_client_secret_is_encrypted_at_rest(world):
    stored = raw_secret(world.connection.pk)
    assert "s3cr3t" not in stored
    assert PowerSchoolConnection.objects.get(pk=world.connection.pk).client_secret == "s3cr3t-lincoln-client-secret"


def test_the_cached_token_is_encrypted_at_rest(world):
    world.connection.store_token("672d3201-c925-4e74-9418-985463e60654", 3600)
    with db.cursor() as cursor:
        cursor.execute("SELECT access_token FROM raptorlink_powerschoolconnection WHERE id = %s", [world.connection.pk])
        assert "672d3201" not in cursor.fetchone()[0]
    assert (
        PowerSchoolConnection.objects.get(pk=world.connection.pk).usable_token()
        == "672d3201-c925-4e74-9418-985463e60654"
    )


def test_repr_and_str_never_show_the_secret(world):
    assert "s3cr3t" not in repr(world.connection)
    assert "s3cr3t" not in str(world.connection)


@pytest.mark.django_db
def test_rotating_keys_re_encrypts_with_the_newest_key(world, settings):
    old_key = settings.FIELD_ENCRYPTION_KEYS[0]
    new_key = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]

    call_command("rotate_field_keys", stdout=open("/dev/null", "w"))

    Fernet(new_key).decrypt(raw_secret(world.connection.pk).encode())  # raises if not re-encrypted
    settings.FIELD_ENCRYPTION_KEYS = [new_key]
    assert PowerSchoolConnection.objects.get(pk=world.connection.pk).client_secret == "s3cr3t-lincoln-client-secret"


def test_a_token_close_to_expiry_is_not_used(world):
    world.connection.store_token("tok", 60)
    assert world.connection.usable_token() is None


def test_forgetting_the_token_clears_it_for_every_process(world):
    world.connection.store_token("tok", 3600)
    world.connection.forget_token()
    assert PowerSchoolConnection.objects.get(pk=world.connection.pk).usable_token() is None
