#!/usr/bin/env python3
"""Writes seed corpora for the fuzz targets from tests/vectors (first byte = flags, see fuzz/common.rs)."""
import base64
import hashlib
import json
import os
import sys

ROOT = os.path.join(os.path.dirname(__file__), "..", "tests", "vectors")
METHODS = [
    "alipay.marketing.voucher.send",
    "alipay.marketing.voucher.query",
    "alipay.marketing.voucher.stock.use",
    "koubei.trade.ticket.ticketcode.sync",
    "alipay.open.app.alipaycert.download",
]


def flags(charset, sign_type, method):
    index = METHODS.index(method) if method in METHODS else 7
    return bytes([(1 if charset.upper() == "GBK" else 0) | (2 if sign_type == "RSA" else 0) | (index << 2)])


def write(directory, data):
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, hashlib.sha1(data).hexdigest()), "wb") as f:
        f.write(data)


def main(out):
    load = lambda name: json.load(open(os.path.join(ROOT, name), encoding="utf-8"))
    for case in load("responses.json"):
        i = case["inputs"]
        write(f"{out}/verify_response", flags(i["charset"], i["client_sign_type"], i["method"]) + base64.b64decode(i["body_b64"]))
    for case in load("notifies.json"):
        write(f"{out}/notify", b"\0" + case["inputs"]["body"].encode())
    for case in load("requests.json"):
        p = dict(case["inputs"]["params"])
        head = flags(case["inputs"]["charset"], case["inputs"]["sign_type"], p["method"])
        lines = [p.pop("biz_content", "")] + [f"{k}={v}" for k, v in p.items() if k in ("notify_url", "return_url", "app_auth_token")]
        write(f"{out}/build_request", head + "\n".join(lines).encode())
    for name in sorted(os.listdir(os.path.join(ROOT, "keys"))):
        if name.endswith((".pem", ".b64")):
            write(f"{out}/keys", open(os.path.join(ROOT, "keys", name), "rb").read())


if __name__ == "__main__":
    main(sys.argv[1])
