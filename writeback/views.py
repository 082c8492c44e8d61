"""The write-back log pages (served inside the admin site by writeback.admin): thin, the rules live in
writeback.filters (who sees what) and writeback.outbox (what retry and resolve do)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django_tables2 import RequestConfig

from raptorlink.numbers import plain_number
from raptorlink.permissions import Action, may
from writeback.export import csv_lines
from writeback.filters import IntentFilter, actionable_scope, visible_intents
from writeback.models import Intent
from writeback.outbox import mark_resolved, retry_intents
from writeback.tables import IntentTable

PER_PAGE = 50
ACTIONS = {
    "retry": (retry_intents, "{} write-back{} queued to be tried again."),
    "resolve": (mark_resolved, "{} write-back{} marked resolved."),
}


def writeback_log(request, context):
    log_access_check(request.user)
    if request.method == "POST":
        return log_action(request)
    log_filter = filtered_log(request)
    table = IntentTable(log_filter.qs.prefetch_related("attempt_log"), may_act=may_act(request.user))
    RequestConfig(request, paginate={"per_page": PER_PAGE}).configure(table)
    context = {
        **context,
        "title": "Write-back log",
        "filter": log_filter,
        "table": table,
        "may_act": may_act(request.user),
        "query": request.GET.urlencode(),
    }
    return render(request, "admin/writeback/log.html", context)


def writeback_log_csv(request):
    log_access_check(request.user)
    response = StreamingHttpResponse(csv_lines(filtered_log(request).qs), content_type="text/csv; charset=utf-8")
    filename = f"writeback-log-{timezone.localdate():%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def filtered_log(request):
    intents = visible_intents(request.user).select_related("student", "building", "school", "resolved_by")
    return IntentFilter(request.GET or None, queryset=intents, user=request.user)


def log_access_check(user):
    if not may(user, Action.READ_LOG):
        raise PermissionDenied


def may_act(user):
    return may(user, Action.ACT_ON_LOG)


def log_action(request):
    action = ACTIONS.get(request.POST.get("action"))
    if action is None or not may_act(request.user):
        raise PermissionDenied
    service, message = action
    selected = [number for value in request.POST.getlist("selected") if (number := plain_number(value)) is not None]
    ids = Intent.objects.filter(actionable_scope(request.user), pk__in=selected)
    count = service(list(ids.values_list("pk", flat=True)), request.user)
    messages.success(request, message.format(count, "" if count == 1 else "s"))
    return HttpResponseRedirect(request.get_full_path())
