#!/usr/bin/env python3
"""Prints SAM's translation of a template (AWS::Serverless-2016-10-31 -> plain CloudFormation) as JSON.

Usage: python scripts/sam-translate.py [TEMPLATE] [Name=Value ...]   (default: template.yaml)

Runs the SAM translator (samtranslator) that the AWS SAM CLI ships, offline, the way
`sam validate` does: a local CodeUri is replaced by a placeholder S3 URI (the translator accepts
only S3 locations) and the Region is us-east-1 unless AWS_REGION or AWS_DEFAULT_REGION says
otherwise. Run it with the SAM CLI's own interpreter, e.g. `.tools/venv/bin/python`, so the
translator is the one `sam deploy` uses. tests/sam_template.rs asserts on its output.
"""
import json
import os
import sys

from samtranslator.translator.transform import transform
from samtranslator.yaml_helper import yaml_parse


class NoManagedPolicies:
    """The template attaches no managed policy by name, so nothing has to be looked up in IAM."""

    def load(self):
        return {}


def main() -> None:
    args = sys.argv[1:]
    path = args.pop(0) if args and "=" not in args[0] else "template.yaml"
    parameters = dict(arg.split("=", 1) for arg in args)
    os.environ.setdefault("AWS_DEFAULT_REGION", os.environ.get("AWS_REGION", "us-east-1"))
    with open(path, encoding="utf-8") as f:
        template = yaml_parse(f.read())
    for resource in template.get("Resources", {}).values():
        properties = resource.get("Properties", {})
        if resource.get("Type") == "AWS::Serverless::Function":
            uri = properties.get("CodeUri")
            if isinstance(uri, str) and not uri.startswith("s3://"):
                properties["CodeUri"] = "s3://placeholder-bucket/code.zip"
    translated = transform(template, parameters, NoManagedPolicies())
    json.dump(translated, sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
