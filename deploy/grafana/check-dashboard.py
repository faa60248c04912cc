#!/usr/bin/env python3
"""Validates deploy/grafana/rtpscope.json against Grafana's dashboard JSON schema and the panel
plugins' schemas (vendored in schema/, see schema/README.md), plus the rules the schema cannot say:
every panel has a description, panel ids are unique, every per-stream query follows the
`direction` variable.

    check-dashboard.py [DASHBOARD]    exit 1 with one line per problem
    check-dashboard.py --self-test    also shows that broken copies of the dashboard are rejected

Needs python3-jsonschema (Debian; `make deps`). Without it this fails: it never passes unchecked.
"""
import copy
import json
import sys
from pathlib import Path

import jsonschema

HERE = Path(__file__).resolve().parent
sys.dont_write_bytecode = True  # no __pycache__ in the repository
sys.path.insert(0, str(HERE.parent))
import deploycheck  # noqa: E402
SCHEMAS = HERE / "schema"
DASHBOARD = HERE / "rtpscope.json"
# Panel plugins whose options and field config have a vendored schema; any other panel type fails.
PANEL_SCHEMAS = {"timeseries": "timeseries.jsonschema.json", "heatmap": "heatmap.jsonschema.json"}
# Per-stream series (labels ssrc and direction): the queries over them must follow $direction.
STREAM_METRICS = ("rtpscope_rtp_", "rtpscope:rtp_")


def load(name):
    return json.loads((SCHEMAS / name).read_text())


def validator(schema, definition=None):
    """A Draft-07 validator for the schema, or for one of its definitions (refs resolve in it)."""
    if definition is not None:
        schema = {"$ref": f"#/definitions/{definition}", "definitions": schema["definitions"]}
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema)


def schema_problems(document, where, check):
    found = []
    for error in sorted(check.iter_errors(document), key=lambda e: list(e.absolute_path)):
        # A panel is oneOf(Panel, RowPanel): name what is wrong for a Panel, not the whole panel.
        while error.context:
            first_branch = [e for e in error.context if e.relative_schema_path and e.relative_schema_path[0] == 0]
            error = (first_branch or error.context)[0]
        found.append(f"{where}/{'/'.join(map(str, error.absolute_path))}: {error.message[:200]}")
    return found


def problems(dashboard):
    found = schema_problems(dashboard, "dashboard", validator(load("dashboard.jsonschema.json")))
    plugins = {kind: load(name) for kind, name in PANEL_SCHEMAS.items()}
    ids = set()
    variables = {v.get("name") for v in dashboard.get("templating", {}).get("list", [])}
    if "direction" not in variables:
        found.append("templating: no `direction` variable")
    for index, panel in enumerate(dashboard.get("panels", [])):
        where = f"panels/{index} ({panel.get('title', '?')})"
        kind = panel.get("type")
        if kind not in plugins:
            found.append(f"{where}: panel type {kind!r} has no vendored schema ({', '.join(PANEL_SCHEMAS)})")
        else:
            if "options" in panel:
                found += schema_problems(panel["options"], f"{where}/options", validator(plugins[kind], "Options"))
            custom = panel.get("fieldConfig", {}).get("defaults", {}).get("custom")
            if custom is not None:
                found += schema_problems(custom, f"{where}/fieldConfig/defaults/custom",
                                         validator(plugins[kind], "FieldConfig"))
        if not str(panel.get("description", "")).strip():
            found.append(f"{where}: no description")
        if panel.get("id") in ids:
            found.append(f"{where}: duplicate id {panel.get('id')}")
        ids.add(panel.get("id"))
        for target in panel.get("targets", []):
            expr = target.get("expr", "")
            if any(m in expr for m in STREAM_METRICS) and 'direction=~"$direction"' not in expr:
                found.append(f"{where}/{target.get('refId')}: a per-stream query without direction=~\"$direction\": {expr}")
    return found


def broken_copies(dashboard):
    """(what is broken, a copy broken that way): each must be rejected."""
    def variant(change):
        broken = copy.deepcopy(dashboard)
        change(broken)
        return broken
    first = lambda d: d["panels"][0]
    timeseries = lambda d: next(p for p in d["panels"] if p["type"] == "timeseries")
    return [
        ("no schemaVersion", variant(lambda d: d.pop("schemaVersion"))),
        ("gridPos width as a string", variant(lambda d: first(d)["gridPos"].update(w="12"))),
        ("misspelt panel key", variant(lambda d: first(d).update(titel=first(d).pop("title")))),
        ("annotation without iconColor", variant(lambda d: d["annotations"]["list"][0].pop("iconColor"))),
        ("variable query as an object of strings", variant(lambda d: d["templating"]["list"][1].update(query={"query": "x"}))),
        ("unknown legend display mode", variant(lambda d: timeseries(d).update(
            options={"legend": {"displayMode": "sideways", "placement": "bottom", "showLegend": True, "calcs": []},
                     "tooltip": {"mode": "multi", "sort": "none"}}))),
        ("panel without description", variant(lambda d: first(d).pop("description"))),
        ("stream query ignoring $direction", variant(lambda d: first(d)["targets"][0].update(
            expr="rtpscope_rtp_jitter_seconds{ssrc=~\"$ssrc\"}"))),
        ("panel type without schema", variant(lambda d: first(d).update(type="graph"))),
    ]


def main(arguments):
    paths = [a for a in arguments if a != "--self-test"]
    path = Path(paths[0]) if paths else DASHBOARD
    dashboard = json.loads(path.read_text())
    broken = [(what, (copy_,)) for what, copy_ in broken_copies(dashboard)] if "--self-test" in arguments else None
    return deploycheck.report(path, problems(dashboard),
                              f"valid against Grafana's dashboard schema ({len(dashboard['panels'])} panels)",
                              broken, problems)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
