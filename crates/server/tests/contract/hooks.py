"""Schemathesis hooks for ManagerOS: drop generated *positive* cases that break a rule
between two fields, which JSON Schema cannot express (the server rightly answers 400).
Loaded with `hooks = "ci/hooks.py"` in the config file (or SCHEMATHESIS_HOOKS)."""
import os
from datetime import datetime, timedelta, timezone

import schemathesis


def _t(v):
    if not isinstance(v, str):
        return None
    v = v.strip()
    try:
        if len(v) == 10:
            return datetime.fromisoformat(v).replace(tzinfo=timezone.utc)
        return datetime.fromisoformat(v.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None


def _reversed(a, b):
    a, b = _t(a), _t(b)
    return a is not None and b is not None and b < a


SELF_PERSON = os.environ.get("MANAGEROS_SELF_PERSON_ID")


@schemathesis.hook
def filter_case(ctx, case):
    meta = getattr(case, "_meta", None)
    if meta is not None and meta.generation.mode.is_negative:
        return True
    label = f"{case.method.upper()} {case.path}"
    body = case.body if isinstance(case.body, dict) else {}
    if label in ("POST /api/oneonones", "PUT /api/oneonones/{id}"):
        p1, p2 = body.get("participant1Id"), body.get("participant2Id")
        if isinstance(p1, str) and isinstance(p2, str) and p1.strip() == p2.strip():
            return False  # "Both participants must be different people"
    if label in ("POST /api/initiatives", "PATCH /api/initiatives/{id}"):
        if _reversed(body.get("startDate"), body.get("targetDate")):
            return False  # "Target date must not be before the start date"
    if label in ("POST /api/feedback-campaigns", "PATCH /api/feedback-campaigns/{id}"):
        if _reversed(body.get("startDate"), body.get("endDate")):
            return False  # "End date must not be before the start date"
    if label in ("POST /api/reports", "PATCH /api/reports/{id}"):
        p = body.get("parameters")
        if isinstance(p, dict) and _reversed(p.get("from"), p.get("to")):
            return False  # "to must not be before from"
    if label == "PUT /api/oneonones/series/{personId}/schedule":
        start = _t(body.get("startsOn"))
        # "Start date must be today or later" in the schedule's zone: up to a day ahead of UTC.
        if start is not None and start < datetime.now(timezone.utc).replace(
                hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1):
            return False
        if _reversed(body.get("startsOn"), body.get("endsOn")):
            return False  # "End date must be … on or after the start date"
    if label == "POST /api/auth/signup":
        token = body.get("invitationToken")
        if isinstance(token, str) and token.strip():
            # An invitation link's token is server state, like the verification and reset
            # tokens: one the server never mailed is "no longer valid" (docs/API.md §2).
            return False
    if SELF_PERSON and label in ("GET /api/oneonones/series/{personId}",
                                 "PUT /api/oneonones/series/{personId}/cadence",
                                 "PUT /api/oneonones/series/{personId}/schedule",
                                 "DELETE /api/oneonones/series/{personId}/schedule"):
        pid = (case.path_parameters or {}).get("personId")
        if isinstance(pid, str) and pid.strip() == SELF_PERSON:
            return False  # "A series is between you and someone else"
    return True
