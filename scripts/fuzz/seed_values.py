"""Collects real ids and strings from a running Sanal server, as the administrator, into a JSON
file that hooks.py mixes into the generated `ID`, `String` and `Date` values, so that fuzzed
operations reach existing institutions, services, surveys, questions, users and so on instead of
stopping at "not a valid id" / NOT_FOUND.

It also creates an API key covering every top-level institution (written as "apiKey", for the
API-key pass), issues a few invitations with it (sampling rate 1), opens a few open channels and
registers a few kiosks, so that invitation tokens and codes, poster codes and kiosk device keys
are among the values (submitResponse, invitation and submitOpenResponse reach real surveys).

Output: {"ids": [...], "idsByKind": {"service": [...], ...}, "strings": [...],
         "stringsByKind": {"invitationToken": [...], "questionKey": [...], ...}, "apiKey": "..."}

usage: python seed_values.py GRAPHQL_URL ACCESS_TOKEN OUT.json [EXCLUDED_ID ...]

EXCLUDED_ID: ids never handed to the fuzzer (the fuzzing administrator itself, so that it is
not likely to be deactivated by a fuzzed `updateUser`).
"""

from __future__ import annotations

import datetime
import json
import sys
import urllib.request

QUERIES = {
    "institutions": "{ institutions(first: 100) { edges { cursor node { id code regionCode parentId } } } }",
    "services": "{ services(first: 100) { edges { cursor node { id code institutionId channels } } } }",
    "servicePoints": "{ servicePoints(first: 100) { edges { cursor node { id code institutionId regionCode } } } }",
    "surveys": (
        "{ surveys(first: 100) { edges { cursor node { id institutionId versions { id questions {"
        " key options { key } } } } } } }"
    ),
    "users": "{ users(first: 100) { edges { cursor node { id email } } } }",
    "apiKeys": "{ apiKeys(first: 100, includeRevoked: true) { edges { cursor node { id institutionId } } } }",
    "conclusions": "{ conclusions(first: 100) { edges { cursor node { id scopeId institutionId } } } }",
    "responses": (
        "{ responses(first: 100) { edges { cursor node { id serviceId servicePointId surveyVersionId } } } }"
    ),
    "auditLog": "{ auditLog(first: 5) { edges { cursor } } }",
    "regions": "{ regions { code parentCode } }",
}

KINDS = {
    "institutions": "institution",
    "services": "service",
    "servicePoints": "servicePoint",
    "surveys": "survey",
    "users": "user",
    "apiKeys": "apiKey",
    "conclusions": "conclusion",
    "responses": "response",
}


def post(url: str, token: str, query: str, variables: dict | None = None, api_key: str | None = None) -> dict:
    headers = {"Content-Type": "application/json"}
    if api_key:
        headers["X-Api-Key"] = api_key
    else:
        headers["Authorization"] = f"Bearer {token}"
    req = urllib.request.Request(
        url, data=json.dumps({"query": query, "variables": variables or {}}).encode(), headers=headers
    )
    with urllib.request.urlopen(req, timeout=60) as r:
        return json.load(r)


def invitations(url: str, token: str, data: dict, problems: list[str], out: dict[str, set[str]]) -> str | None:
    """An API key over all top-level institutions; the tokens and codes of a few invitations, the
    poster codes of a few open channels and the device keys of a few kiosks go into `out`."""
    institutions = [e["node"] for e in data["institutions"]["institutions"]["edges"]]
    roots = [i["id"] for i in institutions if not i.get("parentId")]
    if not roots:
        return None
    created = post(
        url,
        token,
        "mutation($i:CreateApiKeyInput!){ createApiKey(input:$i){ key } }",
        {"i": {"institutionId": roots[0], "alsoCovers": roots[1:], "name": "fuzz key", "kind": "NATIONAL_PLATFORM"}},
    )
    if created.get("errors"):
        problems.append(f"createApiKey: {created['errors'][0].get('message')}")
        return None
    key = created["data"]["createApiKey"]["key"]
    services = [e["node"] for e in data["services"]["services"]["edges"]]
    points = [e["node"] for e in data["servicePoints"]["servicePoints"]["edges"]]
    delivered = (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(hours=1)).isoformat()
    tokens, codes, points_done = out["invitationToken"], out["invitationCode"], set()
    n = 0
    for service in services:
        post(
            url,
            token,
            "mutation($s:ID!){ setInvitationSettings(serviceId:$s, input:{samplingRate:1, expiryDays:7, cooldownDays:0}){ samplingRate } }",
            {"s": service["id"]},
        )
        for point in points:
            n += 1
            issued = post(
                url,
                token,
                "mutation($i:IssueInvitationInput!){ issueInvitation(input:$i){ invited token code } }",
                {
                    "i": {
                        "serviceId": service["id"],
                        "servicePointId": point["id"],
                        "channel": (service.get("channels") or ["IN_PERSON"])[0],
                        "deliveredAt": delivered,
                        "transactionRef": f"fuzz-seed-{n}",
                        "locale": "mn",
                    }
                },
                api_key=key,
            )
            got = (issued.get("data") or {}).get("issueInvitation") or {}
            if got.get("token"):
                tokens.add(got["token"])
            if got.get("code"):
                codes.add(got["code"])
            if "invited" in got and point["id"] not in points_done and len(points_done) < 5:
                # A service delivered at this point: open its poster channel, register a kiosk.
                points_done.add(point["id"])
                opened = post(
                    url,
                    token,
                    "mutation($s:ID!,$p:ID!){ enableOpenChannel(serviceId:$s, servicePointId:$p){ code } }",
                    {"s": service["id"], "p": point["id"]},
                )
                if (opened.get("data") or {}).get("enableOpenChannel"):
                    out["pointCode"].add(opened["data"]["enableOpenChannel"]["code"])
                kiosk = post(
                    url,
                    token,
                    "mutation($p:ID!){ createKioskDevice(name:\"fuzz kiosk\", servicePointId:$p){ deviceKey } }",
                    {"p": point["id"]},
                )
                if ((kiosk.get("data") or {}).get("createKioskDevice") or {}).get("deviceKey"):
                    out["deviceKey"].add(kiosk["data"]["createKioskDevice"]["deviceKey"])
            if len(tokens) >= 20 and len(points_done) >= 5:
                return key
    if not tokens:
        problems.append("no invitation was issued")
    return key


def walk(value, ids: set[str], strings: dict[str, set[str]], key: str | None = None) -> None:
    """Every id into `ids`, every other string into `strings` under the name of its field."""
    if isinstance(value, dict):
        for k, v in value.items():
            walk(v, ids, strings, k)
    elif isinstance(value, list):
        for v in value:
            walk(v, ids, strings, key)
    elif isinstance(value, str) and key is not None:
        if key == "id" or key.endswith("Id"):
            ids.add(value)
        elif key != "channels":
            strings.setdefault(key, set()).add(value)


def main() -> int:
    url, token, out, *excluded = sys.argv[1:]
    ids: set[str] = set()
    by_field: dict[str, set[str]] = {}
    problems: list[str] = []
    data = {}
    for name, query in QUERIES.items():
        payload = post(url, token, query)
        if payload.get("errors"):
            problems.append(f"{name}: {payload['errors'][0].get('message')}")
        data[name] = payload.get("data") or {}
        walk(payload.get("data"), ids, by_field)
    ids.difference_update(excluded)
    # The ids of each kind, for the arguments that take that kind (hooks.py `flatmap_body`).
    by_kind: dict[str, set[str]] = {}
    for list_name, kind in KINDS.items():
        for edge in (data.get(list_name) or {}).get(list_name, {}).get("edges", []):
            node = edge["node"]
            by_kind.setdefault(kind, set()).add(node["id"])
            for version in node.get("versions") or []:
                by_kind.setdefault("surveyVersion", set()).add(version["id"])
    for kind_ids in by_kind.values():
        kind_ids.difference_update(excluded)
    made: dict[str, set[str]] = {k: set() for k in ("invitationToken", "invitationCode", "pointCode", "deviceKey")}
    try:
        key = invitations(url, token, data, problems, made)
    except (KeyError, TypeError) as e:
        key = None
        problems.append(f"invitations: {e!r}")
    # Strings of each kind, for the arguments that take that kind (hooks.py `flatmap_body`).
    regions = {r["code"] for r in (data.get("regions") or {}).get("regions") or []}
    strings_by_kind = {
        **made,
        "questionKey": by_field.get("key", set()),
        "regionCode": regions,
        "locale": {"mn", "en", "kk", "mn-Mong", "mnMong"},
        "cursor": by_field.get("cursor", set()),
        "email": by_field.get("email", set()),
    }
    strings = set().union(*by_field.values(), *strings_by_kind.values())
    with open(out, "w", encoding="utf-8") as f:
        json.dump(
            {
                "ids": sorted(ids),
                "idsByKind": {k: sorted(v) for k, v in by_kind.items() if v},
                "strings": sorted(strings),
                "stringsByKind": {k: sorted(v) for k, v in strings_by_kind.items() if v},
                "apiKey": key,
            },
            f,
            ensure_ascii=False,
            indent=0,
        )
    print(
        f"seed values: {len(ids)} ids, {len(strings)} strings, {len(made['invitationToken'])} invitations, "
        f"{len(made['pointCode'])} open channels, {len(made['deviceKey'])} kiosks, "
        f"API key {'created' if key else 'missing'}" + (f" ({'; '.join(problems)})" if problems else "")
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
