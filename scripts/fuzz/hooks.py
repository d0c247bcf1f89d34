"""Schemathesis hooks for scripts/fuzz-graphql.sh (loaded through SCHEMATHESIS_HOOKS).

* `sanal_no_server_error` — the only check the fuzz run enables. A response fails it when its
  status is 5xx, when its body is not a JSON object, or when any `errors[*].extensions.code` is
  `INTERNAL`. Every other GraphQL error (GRAPHQL_VALIDATION_FAILED, BAD_USER_INPUT, NOT_FOUND,
  FORBIDDEN, UNAUTHENTICATED, CONFLICT, RATE_LIMITED, QUERY_LIMIT_EXCEEDED, ...) is an expected
  answer to random input. Schemathesis's own `not_a_server_error` is NOT used: for GraphQL it
  counts every error that carries a `path` and no "client error" code (NOT_FOUND, FORBIDDEN, ...)
  as a server error.
* Scalar strategies (when SANAL_FUZZ_VALUES names the file written by seed_values.py): `ID`
  draws half of its values from the ids of existing objects, `String` a third from existing codes,
  question keys, region codes, e-mails and locales; `Date` favours the first days of months
  around now (periods start on them) besides any day the server accepts or refuses. The rest
  stays random: arbitrary Unicode text (NUL and control characters included), integers.
  `DateTime` favours the last 40 days (invitations must be delivered recently).
* `flatmap_body`: an argument or input field that takes the id of one kind of object
  (`serviceId`, `surveyVersionId`, `updateService(id:)`, ...) gets, half of the time, the id of
  an existing object of that kind, so that combinations of ids (service + service point +
  survey version ...) are consistent often enough to reach the code behind the lookups; the
  same for strings of a known kind (invitation `token`/`code`, question `key`s, region codes,
  locales, `after` cursors, e-mails, open-channel poster codes, kiosk device keys).
* `SanalBearer` — an auth provider, registered only when SANAL_FUZZ_ACCESS_TOKEN is set: sends
  that token (the script signs in before fuzzing starts, so the fuzzer's random `login` calls
  cannot throttle it) and renews it with `refreshSession` before it expires.

Environment:
  SANAL_FUZZ_ACCESS_TOKEN / SANAL_FUZZ_REFRESH_TOKEN  admin tokens (unset: anonymous pass)
  SANAL_FUZZ_GRAPHQL_URL       endpoint used to renew the token
  SANAL_FUZZ_RENEW_SECS        renew the token this often (default 600)
  SANAL_FUZZ_STATS             file that receives request/answer counts as JSON at exit
  SANAL_FUZZ_FAILURES          file that receives one JSON line per failing response
  SANAL_FUZZ_VALUES            the JSON file written by seed_values.py
  SANAL_FUZZ_TRACE             (debugging) file that receives every request and answer
"""

from __future__ import annotations

import atexit
import datetime
import json
import os
import threading
from collections import Counter

import requests
import schemathesis
from hypothesis import strategies as st
from schemathesis.graphql import nodes

_LOCK = threading.Lock()
_STATS: dict = {
    "requests": 0,
    "failures": 0,
    "operations": set(),
    "status": Counter(),
    "codes": Counter(),
    "unauthenticated": 0,
    "lost_examples": [],
    "renewals": 0,
}
_FAILURES_PATH = os.environ.get("SANAL_FUZZ_FAILURES")
_STATS_PATH = os.environ.get("SANAL_FUZZ_STATS")
_TRACE_PATH = os.environ.get("SANAL_FUZZ_TRACE")
_AUTHENTICATED = bool(os.environ.get("SANAL_FUZZ_ACCESS_TOKEN"))


def _write_stats() -> None:
    if not _STATS_PATH:
        return
    with _LOCK:
        out = {
            "requests": _STATS["requests"],
            "failures": _STATS["failures"],
            "operations": len(_STATS["operations"]),
            "operation_names": sorted(_STATS["operations"]),
            "status": dict(_STATS["status"]),
            "codes": dict(_STATS["codes"].most_common()),
            "lost_session": _STATS["unauthenticated"],
            "lost_session_examples": _STATS["lost_examples"],
            "renewals": _STATS["renewals"],
        }
    with open(_STATS_PATH, "w", encoding="utf-8") as f:
        json.dump(out, f, indent=1)


atexit.register(_write_stats)


def _request_body(response) -> str:
    body = getattr(response.request, "body", None)
    if isinstance(body, bytes):
        return body.decode("utf-8", "backslashreplace")
    return body if isinstance(body, str) else repr(body)


def _record_failure(case, response, reason: str) -> None:
    if not _FAILURES_PATH:
        return
    entry = {
        "operation": case.operation.label,
        "reason": reason,
        "status": response.status_code,
        "request": _request_body(response),
        "response": response.content[:4000].decode("utf-8", "backslashreplace"),
    }
    with _LOCK, open(_FAILURES_PATH, "a", encoding="utf-8") as f:
        f.write(json.dumps(entry, ensure_ascii=False) + "\n")


@schemathesis.check
def sanal_no_server_error(ctx, response, case):
    """5xx, a non-JSON answer, or an INTERNAL GraphQL error."""
    try:
        payload = json.loads(response.content)
    except ValueError:
        payload = None
    codes = []
    if isinstance(payload, dict) and isinstance(payload.get("errors"), list):
        for error in payload["errors"]:
            ext = error.get("extensions") if isinstance(error, dict) else None
            codes.append(ext.get("code") if isinstance(ext, dict) else None)
    with _LOCK:
        _STATS["requests"] += 1
        _STATS["operations"].add(case.operation.label)
        _STATS["status"][str(response.status_code)] += 1
        if codes:
            _STATS["codes"].update(str(c) for c in codes)
        else:
            _STATS["codes"]["(no error)"] += 1
        # Operations that answer UNAUTHENTICATED to random credentials; any other operation
        # answering it in an authenticated pass means the fuzzer's session was lost.
        if (
            "UNAUTHENTICATED" in codes
            and _AUTHENTICATED
            and case.operation.label.split(".")[-1] not in ("login", "refreshSession", "changePassword", "logout", "submitOpenResponse")
        ):
            _STATS["unauthenticated"] += 1
            if len(_STATS["lost_examples"]) < 3:
                _STATS["lost_examples"].append(
                    {
                        "operation": case.operation.label,
                        "authorization": bool(response.request.headers.get("Authorization")),
                        "request": _request_body(response)[:500],
                        "response": response.content[:500].decode("utf-8", "backslashreplace"),
                    }
                )

    if _TRACE_PATH:
        entry = {
            "operation": case.operation.label,
            "authorization": bool(response.request.headers.get("Authorization")),
            "status": response.status_code,
            "request": _request_body(response)[:2000],
            "response": response.content[:2000].decode("utf-8", "backslashreplace"),
        }
        with _LOCK, open(_TRACE_PATH, "a", encoding="utf-8") as f:
            f.write(json.dumps(entry, ensure_ascii=False) + "\n")

    reason = None
    if response.status_code >= 500:
        reason = f"HTTP {response.status_code}"
    elif not isinstance(payload, dict):
        reason = f"HTTP {response.status_code} with a body that is not a JSON object"
    elif "INTERNAL" in codes:
        messages = [
            e.get("message")
            for e in payload["errors"]
            if isinstance(e, dict) and isinstance(e.get("extensions"), dict) and e["extensions"].get("code") == "INTERNAL"
        ]
        reason = f"INTERNAL error: {messages}"
    if reason is not None:
        with _LOCK:
            _STATS["failures"] += 1
        _record_failure(case, response, reason)
        raise AssertionError(reason)


def _register_scalars(path: str) -> None:
    with open(path, encoding="utf-8") as f:
        values = json.load(f)
    text = st.text()
    ids, strings = values.get("ids") or [], values.get("strings") or []
    if ids:
        known = st.sampled_from(ids)
        schemathesis.graphql.scalar(
            "ID",
            st.one_of(known.map(nodes.String), known.map(nodes.String), text.map(nodes.String), st.integers().map(nodes.Int)),
        )
    if strings:
        schemathesis.graphql.scalar("String", st.one_of(st.sampled_from(strings), text, text).map(nodes.String))
    months = st.builds(
        lambda y, m: f"{y:04}-{m:02}-01", st.integers(min_value=2023, max_value=2028), st.integers(min_value=1, max_value=12)
    )
    recent = st.dates(min_value=datetime.date(2024, 1, 1), max_value=datetime.date(2027, 12, 31)).map(str)
    schemathesis.graphql.scalar("Date", st.one_of(months, recent, st.dates().map(str)).map(nodes.String))
    # Invitations must be delivered "not in the future, not older than the expiry window".
    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    near_now = st.integers(min_value=-40 * 86400, max_value=3600).map(
        lambda s: (now + datetime.timedelta(seconds=s)).isoformat().replace("+00:00", "Z")
    )
    anytime = st.datetimes(timezones=st.just(datetime.timezone.utc)).map(lambda d: d.isoformat().replace("+00:00", "Z"))
    schemathesis.graphql.scalar("DateTime", st.one_of(near_now, anytime).map(nodes.String))


# Arguments and input fields that take the id of one kind of object (by their name), and the
# `id` argument of root fields (by the field's name). ReportScopeInput.id is any scope.
_KIND_OF_ARGUMENT = {
    "serviceId": "service",
    "servicePointId": "servicePoint",
    "institutionId": "institution",
    "parentId": "institution",
    "within": "institution",
    "alsoCovers": "institution",
    "institutionIds": "institution",
    "surveyId": "survey",
    "surveyVersionId": "surveyVersion",
    "conclusionId": "conclusion",
    "scopeId": "scope",
    # Strings
    "token": "invitationToken",
    "questionKey": "questionKey",
    "key": "questionKey",
    "keys": "questionKey",
    "regionCode": "regionCode",
    "parentCode": "regionCode",
    "locale": "locale",
    "after": "cursor",
    "email": "email",
    "pointCode": "pointCode",
    "deviceKey": "deviceKey",
}
_KIND_OF_ID = {
    "institution": "institution",
    "updateInstitution": "institution",
    "service": "service",
    "updateService": "service",
    "servicePoint": "servicePoint",
    "updateServicePoint": "servicePoint",
    "survey": "survey",
    "archiveSurvey": "survey",
    "publishSurvey": "survey",
    "updateSurvey": "survey",
    "surveyVersion": "surveyVersion",
    "user": "user",
    "updateUser": "user",
    "revokeApiKey": "apiKey",
    "setApiKeyCoverage": "apiKey",
    "conclusion": "conclusion",
    "publishConclusion": "conclusion",
}
_STRING_KINDS = {
    "invitationToken",
    "invitationCode",
    "questionKey",
    "regionCode",
    "locale",
    "cursor",
    "email",
    "pointCode",
    "deviceKey",
}
_IDS_BY_KIND: dict[str, list[str]] = {}


def _rewrite_value(node, kind, pick):
    """`node` with the ids at known-kind positions replaced by `pick(kind)` (None: unchanged)."""
    import dataclasses

    import graphql

    if kind and (
        isinstance(node, graphql.StringValueNode) or (isinstance(node, graphql.IntValueNode) and kind not in _STRING_KINDS)
    ):
        # An id (given as a string or an integer), or a string of a known kind.
        new = pick(kind)
        return node if new is None else graphql.StringValueNode(value=new)
    if isinstance(node, graphql.ListValueNode):
        return dataclasses.replace(node, values=tuple(_rewrite_value(v, kind, pick) for v in node.values))
    if isinstance(node, graphql.ObjectValueNode):
        fields = tuple(
            dataclasses.replace(
                f,
                value=_rewrite_value(
                    f.value, "scope" if f.name.value == "id" else _KIND_OF_ARGUMENT.get(f.name.value), pick
                ),
            )
            for f in node.fields
        )
        return dataclasses.replace(node, fields=fields)
    return node


def _argument_kind(field_name: str, argument: str):
    if argument == "id":
        return _KIND_OF_ID.get(field_name)
    if argument == "code" and field_name == "invitation":
        return "invitationCode"
    return _KIND_OF_ARGUMENT.get(argument)


def _rewrite_document(document, field_name, pick):
    import dataclasses

    definitions = []
    for definition in document.definitions:
        selection_set = getattr(definition, "selection_set", None)
        if selection_set is None:
            definitions.append(definition)
            continue
        selections = []
        for field in selection_set.selections:
            arguments = tuple(
                dataclasses.replace(
                    a,
                    value=_rewrite_value(a.value, _argument_kind(field_name, a.name.value), pick),
                )
                for a in (getattr(field, "arguments", None) or ())
            )
            selections.append(dataclasses.replace(field, arguments=arguments) if arguments else field)
        definitions.append(
            dataclasses.replace(definition, selection_set=dataclasses.replace(selection_set, selections=tuple(selections)))
        )
    return dataclasses.replace(document, definitions=tuple(definitions))


def _flatmap_body(ctx, body):
    """Half of the ids at positions of a known kind become ids of existing objects of that kind."""
    import graphql

    if not isinstance(body, graphql.DocumentNode) or ctx.operation is None:
        return st.just(body)
    field_name = ctx.operation.label.split(".")[-1]
    sites: list[str] = []

    def count(kind):
        if _IDS_BY_KIND.get(kind):
            sites.append(kind)
        return None

    _rewrite_document(body, field_name, count)
    if not sites:
        return st.just(body)

    def apply(choices):
        it = iter(choices)
        return _rewrite_document(body, field_name, lambda kind: next(it) if _IDS_BY_KIND.get(kind) else None)

    return st.tuples(*[st.one_of(st.none(), st.sampled_from(_IDS_BY_KIND[k])) for k in sites]).map(apply)


if os.environ.get("SANAL_FUZZ_VALUES"):
    _register_scalars(os.environ["SANAL_FUZZ_VALUES"])
    with open(os.environ["SANAL_FUZZ_VALUES"], encoding="utf-8") as _f:
        _values = json.load(_f)
        _IDS_BY_KIND.update(_values.get("idsByKind") or {})
        _IDS_BY_KIND.update(_values.get("stringsByKind") or {})
    _scope = [i for k in ("institution", "service", "servicePoint") for i in _IDS_BY_KIND.get(k, [])]
    if _scope:
        _IDS_BY_KIND["scope"] = _scope
    schemathesis.hook("flatmap_body")(_flatmap_body)


_ACCESS = os.environ.get("SANAL_FUZZ_ACCESS_TOKEN")

if _ACCESS:

    @schemathesis.auth(refresh_interval=int(os.environ.get("SANAL_FUZZ_RENEW_SECS", "600")))
    class SanalBearer:
        """The admin's bearer token; renewed through `refreshSession` after the first use."""

        def __init__(self) -> None:
            self.access = _ACCESS
            self.refresh = os.environ.get("SANAL_FUZZ_REFRESH_TOKEN")
            self.url = os.environ.get("SANAL_FUZZ_GRAPHQL_URL")
            self.first = True

        def get(self, case, ctx):
            if self.first or not (self.refresh and self.url):
                self.first = False
                return self.access
            r = requests.post(
                self.url,
                json={
                    "query": "mutation($t:String!){ refreshSession(refreshToken:$t){ accessToken refreshToken } }",
                    "variables": {"t": self.refresh},
                },
                timeout=30,
            )
            data = r.json()
            payload = (data.get("data") or {}).get("refreshSession")
            if not payload:
                raise RuntimeError(f"refreshSession failed: {r.status_code} {r.text[:500]}")
            self.access, self.refresh = payload["accessToken"], payload["refreshToken"]
            with _LOCK:
                _STATS["renewals"] += 1
            return self.access

        def set(self, case, data, ctx):
            case.headers = case.headers or {}
            case.headers["Authorization"] = f"Bearer {data}"
