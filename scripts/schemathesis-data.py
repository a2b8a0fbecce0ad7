#!/usr/bin/env python3
"""Writes a role's schemathesis configuration: the committed one (scripts/schemathesis.toml) and,
after it, dictionaries of the real identifiers and values that role sees in the demo company,
bound to the operations' parameters (called by scripts/schemathesis.sh).

Generated values alone rarely name an existing report, interview or escalation, so most requests
to `/reports/{id}` and the like would stop at 404 before the handler reads the body. This reads
what the role's list operations answer (every GET without a path parameter it may call, and a
few of the items they list), then binds, for each operation the role is tested on:

* a path's `{id}` to the ids listed by the operation's collection (`/api/v1/reports/{id}/submit`:
  the ids of `GET /api/v1/reports`), `{rid}` to the ids of the collection's nested lists;
* a body field or query parameter to the values the answers hold under the same name
  (`employee_number`, `version`, `cycle_id`, ...), a field `X_id` also to the ids of `/api/v1/Xs`,
  and a `cycle` query parameter that takes a name to the cycles' names and ids.

Each binding is taken with a probability below 1, so the generated values (valid and invalid)
are still sent too.

Usage:
  schemathesis-data.py config BASE_URL OPENAPI_JSON OPERATIONS_FILE BASE_TOML OUT_TOML
      with the role's credentials as headers in $SCHEMATHESIS_HEADERS ("Name: value" lines);
  schemathesis-data.py sign-in BASE_URL TENANT LOGIN PASSWORD
      signs in on the sign-in form as a person would and prints the session's headers (its
      cookie and its CSRF token), for a role that holds no API token (employee).
"""

import html
import http.cookiejar
import json
import os
import re
import sys
import urllib.error
import urllib.parse
import urllib.request

PATH_PROBABILITY = 0.7
FIELD_PROBABILITY = 0.5
MAX_VALUES = 40


def sign_in(base, tenant, login, password):
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))

    def csrf_of(page):
        m = re.search(r'name="csrf" value="([^"]+)"', page)
        if not m:
            sys.exit("schemathesis-data: no CSRF token on the page")
        return html.unescape(m.group(1))

    with opener.open(base + "/login", timeout=30) as res:
        token = csrf_of(res.read().decode("utf-8"))
    form = urllib.parse.urlencode({"tenant": tenant, "login": login, "password": password, "csrf": token}).encode()
    with opener.open(urllib.request.Request(base + "/login", data=form), timeout=30) as res:
        home = res.read().decode("utf-8")
    session = next((c.value for c in jar if c.name == "cd_session"), None)
    if session is None:
        sys.exit(f"schemathesis-data: signing in as {login} gave no session")
    print(f"Cookie: cd_session={session}")
    print(f"X-CSRF-Token: {csrf_of(home)}")


def main():
    if sys.argv[1:2] == ["sign-in"]:
        sign_in(*sys.argv[2:6])
        return
    base, doc_path, ops_path, base_toml, out = sys.argv[2:7]
    headers = {}
    for line in os.environ.get("SCHEMATHESIS_HEADERS", "").splitlines():
        if ":" in line:
            k, v = line.split(":", 1)
            headers[k.strip()] = v.strip()
    with open(doc_path, encoding="utf-8") as f:
        doc = json.load(f)
    with open(ops_path, encoding="utf-8") as f:
        ops = [tuple(line.split(" ", 1)) for line in f.read().splitlines() if line.strip()]
    allowed_get = {p for m, p in ops if m == "GET"}

    def get(path):
        req = urllib.request.Request(base + path, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=30) as res:
                return json.loads(res.read().decode("utf-8"))
        except (urllib.error.URLError, ValueError, OSError):
            return None

    seen = {}  # field name -> values (ints and short strings) found under it anywhere
    listed = {}  # collection path -> ids of its items
    nested = {}  # collection path -> ids of the objects in its items' lists

    def walk(value, top_ids, depth=0):
        if isinstance(value, dict):
            for k, v in value.items():
                if isinstance(v, bool) or v is None:
                    continue
                if isinstance(v, (int, str)) and (not isinstance(v, str) or 0 < len(v) <= 60):
                    seen.setdefault(k, set()).add(v)
                else:
                    walk(v, top_ids, depth + 1)
                    if isinstance(v, list) and depth >= 1:
                        for item in v:
                            if isinstance(item, dict) and isinstance(item.get("id"), int):
                                top_ids.add(item["id"])
        elif isinstance(value, list):
            for item in value:
                walk(item, top_ids, depth + 1)

    def items_of(answer):
        if isinstance(answer, dict) and isinstance(answer.get("items"), list):
            return answer["items"]
        return answer if isinstance(answer, list) else []

    for path in sorted(allowed_get):
        if "{" in path or not path.startswith("/api/v1/"):
            continue
        answer = get(path)
        if answer is None:
            continue
        inner = set()
        walk(answer, inner)
        listed[path] = [i["id"] for i in items_of(answer) if isinstance(i, dict) and isinstance(i.get("id"), int)]
        nested[path] = sorted(inner)
    # A few items read one by one: what only an item's own answer holds (a report's `version`).
    for path in sorted(allowed_get):
        m = re.fullmatch(r"(/api/v1/.+)/\{id\}", path)
        if m and listed.get(m.group(1)):
            for i in listed[m.group(1)][:8]:
                answer = get(f"{m.group(1)}/{i}")
                if answer is not None:
                    walk(answer, set())

    cycles = get("/api/v1/cycles") if "/api/v1/cycles" in allowed_get else None
    cycle_names = [c["name"] for c in items_of(cycles) if isinstance(c, dict) and isinstance(c.get("name"), str)]

    dictionaries = {}

    def dictionary(values, kind):
        values = sorted({v for v in values if isinstance(v, kind) and not isinstance(v, bool)}, key=str)[:MAX_VALUES]
        if not values:
            return None
        key = json.dumps(values, ensure_ascii=False)
        if key not in dictionaries:
            dictionaries[key] = f"d{len(dictionaries) + 1}"
        return dictionaries[key]

    def schema_of(s):
        while isinstance(s, dict) and "$ref" in s:
            s = doc["components"]["schemas"][s["$ref"].rsplit("/", 1)[-1]]
        return s if isinstance(s, dict) else {}

    def kind_of(s):
        s = schema_of(s)
        t = s.get("type")
        types = t if isinstance(t, list) else [t]
        if "integer" in types:
            return int
        if "string" in types:
            return str
        return None

    def collection_ids(field):
        # `report_id` -> the ids of /api/v1/reports, when the role lists them.
        stem = field[: -len("_id")].replace("_", "-")
        return listed.get(f"/api/v1/{stem}s", [])

    operations = []
    for method, path in ops:
        op = doc.get("paths", {}).get(path, {}).get(method.lower())
        if not op:
            continue
        bindings = {}
        collection = path.split("/{", 1)[0]
        for p in op.get("parameters", []):
            name, where, kind = p["name"], p["in"], kind_of(p.get("schema", {}))
            if kind is None:
                continue
            values = []
            if where == "path" and name == "id":
                values = listed.get(collection, [])
            elif where == "path":
                values = nested.get(collection, [])
            elif where == "query":
                values = list(seen.get(name, ()))
                if name.endswith("_id") or name == "cycle":
                    values += collection_ids(name if name.endswith("_id") else "cycle_id")
                if name == "cycle" and kind is str:
                    values += cycle_names + [str(v) for v in seen.get("cycle_id", ())] + ["latest"]
            d = dictionary(values, kind)
            if d:
                probability = PATH_PROBABILITY if where == "path" else FIELD_PROBABILITY
                bindings[f"{where}.{name}"] = (d, probability)
        body = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
        for name, prop in schema_of(body).get("properties", {}).items() if body else ():
            kind = kind_of(prop)
            if kind is None:
                continue
            values = list(seen.get(name, ()))
            if name.endswith("_id"):
                values += collection_ids(name)
            d = dictionary(values, kind)
            if d:
                bindings[f"body.{name}"] = (d, FIELD_PROBABILITY)
        if bindings:
            operations.append((f"{method} {path}", bindings))

    with open(base_toml, encoding="utf-8") as f:
        text = f.read()
    lines = [text.rstrip("\n"), "", "# ---- generated by scripts/schemathesis-data.py for this run"]
    for values, name in dictionaries.items():
        lines += [f"[dictionaries.{name}]", f"values = {values}"]
    for label, bindings in operations:
        pairs = ", ".join(f'"{k}" = {{ dictionary = "{d}", probability = {p} }}' for k, (d, p) in sorted(bindings.items()))
        lines += ["[[operations]]", f"include-name = {json.dumps(label, ensure_ascii=False)}", f"parameters = {{ {pairs} }}"]
    with open(out, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    print(f"{len(operations)} operations bound to {len(dictionaries)} dictionaries of real values")


if __name__ == "__main__":
    main()
