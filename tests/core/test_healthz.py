from datetime import timedelta

from django.utils import timezone


def test_healthz_reports_database_and_broker_without_secrets(client, world):
    response = client.get("/healthz")
    body = response.json()
    assert response.status_code == 200
    assert body["status"] == "ok"
    assert body["database"] == "ok" and body["broker"] == "ok"
    assert "s3cr3t" not in response.content.decode()


def test_healthz_says_when_nothing_has_synced_yet(client, world):
    body = client.get("/healthz").json()
    assert body["last_successful_sync"] is None
    assert body["last_successful_sync_age_seconds"] is None


def test_healthz_reports_the_age_of_the_last_successful_sync(client, world):
    world.district.last_sync_succeeded_at = timezone.now() - timedelta(minutes=7)
    world.district.save()
    body = client.get("/healthz").json()
    assert 419 <= body["last_successful_sync_age_seconds"] <= 425


def test_healthz_is_503_when_the_broker_is_unreachable(client, world, monkeypatch):
    monkeypatch.setattr("raptorlink.views.broker_ok", lambda: False)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["broker"] == "unreachable"
