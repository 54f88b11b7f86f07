#!/usr/bin/env bash
# `make check` runs this: the three published packages carry one version. The workspace's
# [workspace.package] version (the crates inherit it) must equal the npm package's (package.json
# and its lockfile) and the Python package's: pyproject.toml's [project] version, or, when the
# version is dynamic there, the version maturin reads from bindings-python/Cargo.toml. The versions
# the published crates require of each other (Cargo.toml's alipay-openapi, the CLI's gateway) too.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo metadata --locked --no-deps --format-version 1 | python3 -c '
import json, sys, tomllib

crates = {p["name"]: p["version"] for p in json.load(sys.stdin)["packages"]}
with open("Cargo.toml", "rb") as f:
    manifest = tomllib.load(f)["workspace"]
workspace = manifest["package"]["version"]
with open("cli/Cargo.toml", "rb") as f:
    cli_gateway = tomllib.load(f)["dependencies"]["alipay-local-gateway"]["version"]
with open("bindings-python/pyproject.toml", "rb") as f:
    project = tomllib.load(f)["project"]
with open("bindings-wasm/package.json") as f:
    npm = json.load(f)["version"]
with open("bindings-wasm/package-lock.json") as f:
    lock = json.load(f)
if "version" in project:
    python = ("bindings-python/pyproject.toml", project["version"])
elif "version" in project.get("dynamic", []):
    python = ("bindings-python/Cargo.toml (pyproject.toml: dynamic)", crates["alipay-openapi-python"])
else:
    sys.exit("check-versions: bindings-python/pyproject.toml has neither a version nor a dynamic one")
found = [
    ("Cargo.toml [workspace.package]", workspace),
    ("core/Cargo.toml", crates["alipay-openapi"]),
    ("Cargo.toml [workspace.dependencies] alipay-openapi", manifest["dependencies"]["alipay-openapi"]["version"]),
    ("cli/Cargo.toml alipay-local-gateway", cli_gateway),
    ("tests/gateway/Cargo.toml", crates["alipay-local-gateway"]),
    ("cli/Cargo.toml", crates["alipay-cli"]),
    ("bindings-wasm/Cargo.toml", crates["alipay-openapi-wasm"]),
    python,
    ("bindings-wasm/package.json", npm),
    ("bindings-wasm/package-lock.json", lock["version"]),
    ("bindings-wasm/package-lock.json packages[\"\"]", lock["packages"][""]["version"]),
]
if len({version for _, version in found}) != 1:
    sys.exit("check-versions: the versions differ:\n" + "\n".join(f"  {v:10} {where}" for where, v in found))
print(f"check-versions: every package is at {workspace}")
'
