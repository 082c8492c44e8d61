"""/healthz: is this instance able to work? JSON for load balancers and monitoring; never any secret."""

from django.db import connection
from django.db.models import Max
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django_q.brokers import get_broker

from raptorlink.models import District


def database_ok():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except Exception:  # noqa: BLE001 — any failure means "not reachable"; the reason is not for public eyes
        return False


def broker_ok():
    try:
        return bool(get_broker().ping())
    except Exception:  # noqa: BLE001
        return False


def last_sync_age_seconds():
    last = District.objects.aggregate(last=Max("last_sync_succeeded_at"))["last"]
    if last is None:
        return None, None
    return last, int((timezone.now() - last).total_seconds())


@never_cache
@require_GET
def healthz(request):
    db_ok = database_ok()
    q_ok = broker_ok()
    last_sync, age = last_sync_age_seconds() if db_ok else (None, None)
    body = {
        "status": "ok" if db_ok and q_ok else "fail",
        "database": "ok" if db_ok else "unreachable",
        "broker": "ok" if q_ok else "unreachable",
        "last_successful_sync": last_sync.isoformat() if last_sync else None,
        "last_successful_sync_age_seconds": age,
    }
    return JsonResponse(body, status=200 if body["status"] == "ok" else 503)
