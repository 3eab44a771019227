#!/usr/bin/env python3
"""Simulates the proposed schema fixes on the served openapi.json (what the utoipa
annotations + a `Modify` pass in crates/server/src/api/mod.rs would produce), so the
fixes can be checked with schemathesis without rebuilding the server.

usage: patch_schema.py IN.json OUT.json
"""
import json, sys, copy

doc = json.load(open(sys.argv[1]))
S = doc["components"]["schemas"]
ERR = {"description": "", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}}

# ---- text rules, mirroring manageros_core (single_line / bounded_text / optional_*) ----------
# Rust `trim()` whitespace (Unicode White_Space), as a regex class body.
W = r"\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
CC_LINE = r"\x00-\x1f\x7f-\x9f\u2028\u2029"  # single_line refuses these
CC_TEXT = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"  # bounded_text refuses these (keeps \t \n \r)


def core(cc, mx):
    # first and last char: neither whitespace nor refused; <= mx chars in all
    return rf"[^{W}{cc}](?:[^{cc}]{{0,{mx-2}}}[^{W}{cc}])?"


def line(mx, optional=False):
    """single_line(1, mx); optional: blank (or only whitespace) means none."""
    p = rf"^[{W}]*{core(CC_LINE, mx)}[{W}]*$" if not optional else rf"^[{W}]*(?:{core(CC_LINE, mx)})?[{W}]*$"
    s = {"type": "string", "pattern": p}
    if not optional:
        s["minLength"] = 1
    return s


def text(mx, optional=False):
    """bounded_text(1, mx) (multi-line)."""
    p = rf"^[{W}]*{core(CC_TEXT, mx)}[{W}]*$" if not optional else rf"^[{W}]*(?:{core(CC_TEXT, mx)})?[{W}]*$"
    s = {"type": "string", "pattern": p}
    if not optional:
        s["minLength"] = 1
    return s


def long_text(mx):
    return {"type": "string", "maxLength": mx, "pattern": rf"^[^{CC_TEXT}]*$"}


# Email::parse, ASCII subset (the server also accepts Unicode letters and digits)
A = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]"
LBL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,20}[A-Za-z0-9])?"
EMAIL = {"type": "string", "maxLength": 254,
         "pattern": rf"^{A}{{1,20}}(?:\.{A}{{1,20}}){{0,2}}@{LBL}(?:\.{LBL}){{1,3}}$"}
PASSWORD = {"type": "string", "minLength": 8, "maxLength": 128}
ID = {"type": "string", "minLength": 1, "pattern": r"^\S+$"}  # an id: wrong shape is a 404
TOKEN = {"type": "string", "minLength": 1, "pattern": r"^\S+$"}
DATE_OR_TIME = {"type": "string", "anyOf": [{"format": "date-time"}, {"format": "date"}]}
DATE_TIME = {"type": "string", "format": "date-time"}
SLUG = {"type": "string", "minLength": 2, "maxLength": 50, "pattern": r"^[a-z0-9]+(?:-[a-z0-9]+)*$"}


def enum(*v):
    return {"type": "string", "enum": list(v)}


def nullable(s):
    s = copy.deepcopy(s)
    if "enum" in s:
        s["enum"] = s["enum"] + [None]
    s["type"] = [s["type"], "null"] if isinstance(s["type"], str) else s["type"]
    return s


def integer(lo, hi):
    return {"type": "integer", "minimum": lo, "maximum": hi}


def arr(items, mx=None):
    s = {"type": "array", "items": items}
    if mx is not None:
        s["maxItems"] = mx
    return s


PERSON_STATUS = enum("active", "inactive", "on_leave")
TASK_STATUS = enum("todo", "doing", "blocked", "done", "dropped")
INIT_STATUS = enum("planned", "in_progress", "paused", "done", "canceled")
RAG = enum("green", "amber", "red")
FB_KIND = enum("praise", "concern", "note")
CAMP_STATUS = enum("draft", "active", "completed", "cancelled")
REPORT_KIND = enum("oneonone-cadence", "task-status")
CADENCE = enum("weekly", "every-two-weeks", "monthly")
ROLE = enum("ADMIN", "USER")
AUDIT_KIND = enum("sign_in_failed", "role_changed", "member_removed", "member_left", "person_linked",
                  "person_unlinked", "invitation_sent", "invitation_revoked", "invitation_reactivated",
                  "invitation_accepted", "oneonone_admin_access", "permission_denied")
ACTIONS = enum('task.create', 'task.edit', 'task.delete', 'task.view', 'meeting.create', 'meeting.edit',
               'meeting.delete', 'meeting.view', 'meeting-instance.create', 'meeting-instance.edit',
               'meeting-instance.delete', 'meeting-instance.view', 'initiative.create', 'initiative.edit',
               'initiative.delete', 'initiative.view', 'report.access', 'report.create', 'report.edit',
               'report.delete', 'report.view', 'feedback.create', 'feedback.edit', 'feedback.delete',
               'feedback.view', 'oneonone.create', 'oneonone.edit', 'oneonone.delete', 'oneonone.view',
               'oneonone.talking-points', 'oneonone.private-notes', 'oneonone.action-items',
               'feedback-campaign.create', 'feedback-campaign.edit', 'feedback-campaign.delete',
               'feedback-campaign.view', 'user.link-person')

OPT_ID = nullable({"type": "string"})  # optional reference: blank = none, wrong shape = 404


def obj(required, props):
    return {"type": "object", "required": required, "properties": props}


# ---- request bodies --------------------------------------------------------------------------
B = {}
B["SignupRequest"] = obj(["name", "email", "password"], {"name": line(100), "email": EMAIL, "password": PASSWORD})
B["LoginRequest"] = obj(["email", "password"], {"email": {"type": "string"}, "password": {"type": "string"}})
B["ForgotPasswordRequest"] = obj(["email"], {"email": EMAIL})
B["ResetPasswordRequest"] = obj(["token", "password"], {"token": TOKEN, "password": PASSWORD})
B["VerifyEmailRequest"] = obj(["token"], {"token": TOKEN})
B["AcceptTokenRequest"] = obj(["token"], {"token": TOKEN})
B["CreateOrganizationRequest"] = obj(["name", "slug"], {"name": line(100), "slug": SLUG})
B["CreateInvitationRequest"] = obj(["email"], {"email": EMAIL, "personId": OPT_ID})
B["ChangeRoleRequest"] = obj(["role"], {"role": ROLE})
B["LinkPersonRequest"] = obj(["personId"], {"personId": ID})
B["LinkSelfRequest"] = obj(["personId"], {"personId": ID})
B["CreatePersonRequest"] = obj(["name"], {
    "name": line(100), "email": {"anyOf": [{"type": "null"}, EMAIL, {"type": "string", "pattern": rf"^[{W}]*$"}]},
    "role": nullable(line(100, True)), "status": nullable(PERSON_STATUS), "teamId": OPT_ID, "managerId": OPT_ID})
B["UpdatePersonRequest"] = obj([], {
    "name": line(100), "email": B["CreatePersonRequest"]["properties"]["email"], "role": nullable(line(100, True)),
    "status": PERSON_STATUS, "teamId": OPT_ID, "managerId": OPT_ID})
B["CreateTeamRequest"] = obj(["name"], {"name": line(100), "description": nullable(text(2000, True)), "parentId": OPT_ID})
B["UpdateTeamRequest"] = obj([], {"name": line(100), "description": nullable(text(2000, True)), "parentId": OPT_ID})
B["CreateTaskRequest"] = obj(["title"], {
    "title": line(200), "description": nullable(text(10000, True)), "status": nullable(TASK_STATUS),
    "priority": nullable(integer(1, 5)), "dueDate": nullable(DATE_OR_TIME), "assigneeId": OPT_ID, "initiativeId": OPT_ID})
B["UpdateTaskRequest"] = obj([], {
    "title": line(200), "description": nullable(text(10000, True)), "status": TASK_STATUS,
    "priority": integer(1, 5), "dueDate": nullable(DATE_OR_TIME), "assigneeId": OPT_ID, "initiativeId": OPT_ID})
B["CreateInitiativeRequest"] = obj(["title"], {
    "title": line(200), "summary": nullable(text(10000, True)), "status": nullable(INIT_STATUS), "rag": nullable(RAG),
    "confidence": nullable(integer(0, 100)), "teamId": OPT_ID, "ownerIds": arr({"type": "string"}),
    "startDate": nullable(DATE_OR_TIME), "targetDate": nullable(DATE_OR_TIME)})
B["UpdateInitiativeRequest"] = obj([], {
    "title": line(200), "summary": nullable(text(10000, True)), "status": INIT_STATUS, "rag": RAG,
    "confidence": integer(0, 100), "teamId": OPT_ID, "ownerIds": nullable(arr({"type": "string"})),
    "startDate": nullable(DATE_OR_TIME), "targetDate": nullable(DATE_OR_TIME)})
B["CreateMeetingRequest"] = obj(["title", "scheduledAt"], {
    "title": line(200), "description": nullable(text(10000, True)), "scheduledAt": DATE_TIME,
    "durationMinutes": nullable(integer(1, 1440)), "location": nullable(line(200, True)), "isPrivate": {"type": "boolean"},
    "ownerId": OPT_ID, "teamId": OPT_ID, "initiativeId": OPT_ID, "participantIds": arr({"type": "string"})})
B["UpdateMeetingRequest"] = obj([], {
    "title": line(200), "description": nullable(text(10000, True)), "scheduledAt": DATE_TIME,
    "durationMinutes": integer(1, 1440), "location": nullable(line(200, True)), "isPrivate": {"type": "boolean"},
    "ownerId": OPT_ID, "teamId": OPT_ID, "initiativeId": OPT_ID, "participantIds": nullable(arr({"type": "string"}))})
B["CreateInstanceRequest"] = obj(["scheduledAt"], {
    "scheduledAt": DATE_TIME, "notes": nullable(text(20000, True)), "participantIds": nullable(arr({"type": "string"}))})
B["UpdateInstanceRequest"] = obj([], {
    "scheduledAt": DATE_TIME, "notes": nullable(text(20000, True)), "participantIds": nullable(arr({"type": "string"}))})
B["CreateFeedbackRequest"] = obj(["aboutId", "body"], {
    "aboutId": ID, "kind": nullable(FB_KIND), "isPrivate": {"type": "boolean"}, "body": text(10000)})
B["UpdateFeedbackRequest"] = obj([], {"kind": FB_KIND, "isPrivate": {"type": "boolean"}, "body": text(10000)})
B["CreateCampaignRequest"] = obj(["name", "targetPersonId", "startDate", "endDate"], {
    "name": line(200), "targetPersonId": ID, "startDate": DATE_OR_TIME, "endDate": DATE_OR_TIME,
    "inviteEmails": arr(EMAIL, 200), "status": nullable(CAMP_STATUS), "questions": arr(text(500), 20),
    "minResponses": nullable(integer(3, 200))})
B["UpdateCampaignRequest"] = obj([], {
    "name": line(200), "targetPersonId": ID, "startDate": DATE_OR_TIME, "endDate": DATE_OR_TIME,
    "inviteEmails": nullable(arr(EMAIL, 200)), "status": CAMP_STATUS,
    "questions": {**arr(text(500), 20), "minItems": 1}, "minResponses": integer(3, 200)})
B["PublicAnswerRequest"] = obj([], {"answers": arr(text(5000, True), 20)})
CAD_P = {"type": ["object", "null"], "additionalProperties": False,
         "properties": {"from": nullable(DATE_OR_TIME), "to": nullable(DATE_OR_TIME)}}
TASK_P = {"type": ["object", "null"], "additionalProperties": False,
          "properties": {"assigneeId": OPT_ID, "initiativeId": OPT_ID}}
B["CreateReportRequest"] = obj(["name", "kind"], {"name": line(200), "kind": REPORT_KIND, "parameters": {"type": ["object", "null"]}})
B["UpdateReportRequest"] = obj([], {"name": nullable(line(200)), "kind": nullable(REPORT_KIND), "parameters": {"type": ["object", "null"]}})
B["OneOnOneRequest"] = obj(["participant1Id", "participant2Id", "scheduledAt"], {
    "participant1Id": ID, "participant2Id": ID, "scheduledAt": DATE_TIME, "notes": nullable(long_text(20000))})
B["CadenceRequest"] = obj([], {"cadence": {"enum": ["weekly", "every-two-weeks", "monthly", "", None]}})
B["PrivateNotesRequest"] = obj([], {"notes": nullable(long_text(20000))})
B["NewPointRequest"] = obj(["text"], {"text": line(500)})
B["PointPatch"] = obj([], {"text": line(500), "done": {"type": "boolean"}})
B["ReorderRequest"] = obj(["ids"], {"ids": arr({"type": "string"})})
B["ActionItemRequest"] = obj([], {"assigneeId": OPT_ID, "dueDate": nullable(DATE_OR_TIME)})
B["HandoffRequest"] = obj([], {"pointIds": nullable(arr({"type": "string"})), "taskIds": nullable(arr({"type": "string"}))})

for name, sch in B.items():
    assert name in S, name
    for k in sch["properties"]:
        assert k in S[name]["properties"], (name, k)
    desc = S[name].get("description")
    for k, v in sch["properties"].items():
        d = S[name]["properties"][k].get("description")
        if d:
            v["description"] = d
    if desc:
        sch["description"] = desc
    if not sch["required"]:
        del sch["required"]
    S[name] = sch

S["CreateReportRequest"]["oneOf"] = [
    {"properties": {"kind": {"const": "oneonone-cadence"}, "parameters": CAD_P}},
    {"properties": {"kind": {"const": "task-status"}, "parameters": TASK_P}}]
# proposed server rule: `parameters` only together with `kind`
S["UpdateReportRequest"]["dependentRequired"] = {"parameters": ["kind"]}
S["UpdateReportRequest"]["oneOf"] = [
    {"not": {"required": ["parameters"]}},
    {"required": ["kind", "parameters"], "properties": {"kind": {"const": "oneonone-cadence"}, "parameters": CAD_P}},
    {"required": ["kind", "parameters"], "properties": {"kind": {"const": "task-status"}, "parameters": TASK_P}}]

# ---- query parameters ------------------------------------------------------------------------
SEARCH = text(200, True)
import itertools
def _key(f):
    return rf"[{W}]*{f}(?:[{W}]*:[{W}]*(?:asc|desc))?[{W}]*"
SORT = "^[" + W + "]*(?:" + "|".join(",".join(_key(f) for f in perm) for k in (1, 2, 3)
        for perm in itertools.permutations(["scheduledAt", "manager", "report"], k)) + ")?[" + W + "]*$"
AUDIT_KIND["enum"].append("")
Q = {
    "page": integer(1, 1_000_000_000), "limit": integer(1, 100), "search": SEARCH,
    "scheduledFrom": DATE_OR_TIME, "scheduledTo": DATE_OR_TIME,
}
Q_BY_OP = {
    "list_people": {"status": PERSON_STATUS}, "list_tasks": {"status": TASK_STATUS},
    "initiative_tasks": {"status": TASK_STATUS}, "list_initiatives": {"status": INIT_STATUS, "rag": RAG},
    "list_feedback": {"kind": FB_KIND}, "list_campaigns": {"status": CAMP_STATUS},
    "audit_log": {"kind": AUDIT_KIND}, "check_permission": {"action": ACTIONS},
    "list_oneonones": {"sort": {"type": "string", "pattern": SORT}},
}
for path, ops in doc["paths"].items():
    for m, o in ops.items():
        oid = o.get("operationId")
        for prm in o.get("parameters", []):
            if prm["in"] != "query":
                continue
            n = prm["name"]
            new = Q_BY_OP.get(oid, {}).get(n) or Q.get(n)
            if n == "immutableFilters":
                prm.pop("schema")
                prm["content"] = {"application/json": {"schema": {
                    "type": "object", "additionalProperties": False, "properties": {
                        "scheduledFrom": nullable(DATE_OR_TIME), "scheduledTo": nullable(DATE_OR_TIME),
                        "search": nullable(SEARCH)}}}}
            elif new:
                prm["schema"] = copy.deepcopy(new)
            if oid == "check_permission" and n == "action":
                prm["required"] = True
        # ---- responses: every JSON body can be refused as unreadable (400) or not JSON (415)
        if "requestBody" in o:
            o["responses"].setdefault("400", ERR)
            o["responses"].setdefault("415", ERR)

# ---- statuses the server gives that are not documented ---------------------------------------
# a write authenticated by the session cookie without our Origin is a 403 (session::check_same_origin)
for path, ops in doc["paths"].items():
    for m, o in ops.items():
        if m in ("post", "put", "patch", "delete") and o.get("security"):
            o["responses"].setdefault("403", ERR)
doc["paths"]["/api/invitations/{id}/accept"]["post"]["responses"].setdefault("403", ERR)

json.dump(doc, open(sys.argv[2], "w"), indent=1)
print("patched", len(B), "request schemas")
