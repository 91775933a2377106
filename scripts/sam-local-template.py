#!/usr/bin/env python3
"""Writes the template `sam local start-api` serves (make local-api) next to the built one.

Usage: python scripts/sam-local-template.py BUILT_TEMPLATE OUT_TEMPLATE

`sam local start-api` mounts every event of one function on one path as a single route, so
an authorized `GET /api/v1/apikey/self` and the same path's `ANY` (which gives the other
methods the function's 405) become one route without the authorizer: locally the self route
would skip it (aws/aws-sam-cli#1064, #9165; API Gateway itself keeps them apart). This
copy drops, on each path that has an event with an `Auth` authorizer, the same function's
other events for that path, so that locally the path serves its authorized method only
(other methods get SAM's own 403/404 instead of the function's 405). Nothing else changes;
the deployed template keeps every route. Run it with the SAM CLI's own interpreter
(`.tools/venv/bin/python`).
"""
import sys

from samcli.yamlhelper import yaml_dump, yaml_parse


def local_template(template):
    """`template` (parsed) with the unauthorized events of authorized paths removed."""
    for resource in template.get("Resources", {}).values():
        if resource.get("Type") != "AWS::Serverless::Function":
            continue
        events = resource.get("Properties", {}).get("Events") or {}
        authorized = {
            event["Properties"].get("Path")
            for event in events.values()
            if event.get("Type") == "Api" and (event["Properties"].get("Auth") or {}).get("Authorizer")
        }
        for name in [
            name
            for name, event in events.items()
            if event.get("Type") == "Api"
            and event["Properties"].get("Path") in authorized
            and not (event["Properties"].get("Auth") or {}).get("Authorizer")
        ]:
            del events[name]
    return template


def main():
    built, out = sys.argv[1], sys.argv[2]
    with open(built, encoding="utf-8") as f:
        template = yaml_parse(f.read())
    with open(out, "w", encoding="utf-8") as f:
        f.write(yaml_dump(local_template(template)))


if __name__ == "__main__":
    main()
