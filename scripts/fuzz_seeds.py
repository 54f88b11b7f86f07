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


DER_SEPARATOR = b"--cut--"  # fuzz/common.rs: DER blocks of one PEM input


def pem_files():
    certs = os.path.join(ROOT, "certs")
    names = [n for n in sorted(os.listdir(certs)) if n.endswith(".crt")]
    names += [f"generated/{n}" for n in sorted(os.listdir(os.path.join(certs, "generated"))) if n.endswith(".pem")]
    return {name: open(os.path.join(certs, name), "rb").read() for name in names}


def der_blocks(pem):
    """The input of fuzz/common.rs `pem` in DER mode (flag bit 0) for the certificates of `pem`."""
    blocks = []
    for part in pem.split(b"-----BEGIN CERTIFICATE-----")[1:]:
        blocks.append(base64.b64decode(b"".join(part.split(b"-----END CERTIFICATE-----")[0].split())))
    return DER_SEPARATOR.join(blocks)


def certificate_seeds(out):
    files = pem_files()
    for pem in files.values():
        write(f"{out}/certs", b"\0" + pem)
        write(f"{out}/certs", b"\3" + der_blocks(pem))
    # cert_chain flag bits 4-5: the input is the chain (0), the root bundle (1), the Alipay
    # certificate (2) or the app certificate (3); bits 2-3 the moment (0: inside the validity).
    for name, pem in files.items():
        role = 1 if "Root" in name or "root_bundle" in name else 3 if "app" in name.lower() else 0
        write(f"{out}/cert_chain", bytes([role << 4]) + pem)
        write(f"{out}/cert_chain", bytes([role << 4 | 1]) + der_blocks(pem))
        if role == 0:
            write(f"{out}/cert_chain", bytes([2 << 4 | 3]) + der_blocks(pem))


def notify_pair_seeds(out, cases):
    for case in cases:
        fields = case["inputs"]["params_decoded"]
        records = "\x1e".join(f"{k}\x1f{v}" for k, v in fields.items()).encode()
        sign_type = 1 if case["inputs"].get("sign_type") == "RSA" else 0
        write(f"{out}/notify_pairs", bytes([sign_type]) + records)
        write(f"{out}/notify_pairs", bytes([sign_type | 2]) + records)


def aes_seeds(out, nodes):
    # fuzz/common.rs `aes_key`: flag bits 0-1 the key size (3: a length byte follows), key bytes,
    # then the target's input; aes_response reads flag bit 2 as GBK, bit 3 as "input is the ciphertext".
    key = bytes(range(1, 33))
    for size, node in enumerate(nodes[:3]):
        write(f"{out}/aes", bytes([size]) + key[: 16 + 8 * size] + node)
    write(f"{out}/aes", b"\3\x14" + key[:20] + b"wrong key size")
    write(f"{out}/aes", b"\0" + key[:16] + b"dGhpcyBpcyBub3QgY2lwaGVydGV4dA==")
    for node in nodes:
        write(f"{out}/aes_response", b"\0" + key[:16] + node)
    write(f"{out}/aes_response", b"\4" + key[:16] + nodes[0])  # GBK
    try:
        from cryptography.hazmat.primitives import padding
        from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
    except ImportError:
        return  # ciphertext seeds are optional; the target encrypts nodes itself too
    for node in nodes:
        padder = padding.PKCS7(128).padder()
        encryptor = Cipher(algorithms.AES(key[:16]), modes.CBC(bytes(16))).encryptor()
        ciphertext = encryptor.update(padder.update(node) + padder.finalize()) + encryptor.finalize()
        write(f"{out}/aes_response", b"\x08" + key[:16] + base64.b64encode(ciphertext))


def response_nodes(cases):
    nodes = []
    for case in cases:
        try:
            body = json.loads(base64.b64decode(case["inputs"]["body_b64"]).decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            continue
        for key, value in body.items():
            if key.endswith("_response") and isinstance(value, dict):
                nodes.append(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode())
    return sorted(set(nodes))


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
    certificate_seeds(out)
    notify_pair_seeds(out, load("notifies.json"))
    aes_seeds(out, response_nodes(load("responses.json")))
    v3_seeds(out, load("v3/responses.json")["cases"])
    options_seeds(out)


def v3_seeds(out, cases):
    """The v3 golden answers as the v3_response target reads them: status, header lines, body."""
    for case in cases:
        head = "".join(f"{name}: {value}\n" for name, value in case["headers"])
        body = base64.b64decode(case["body_b64"]) if "body_b64" in case else case.get("body", "").encode()
        write(f"{out}/v3_response", (case["status"] - 100).to_bytes(2, "big") + head.encode() + b"\n" + body)


def options_seeds(out):
    """The parity table's rows as the options target reads them: one JSON object of parts."""
    table = json.load(open(os.path.join(ROOT, "..", "parity", "cases.json"), encoding="utf-8"))
    part = {"sign": "request", "sign_v3": "v3", "check_order": "order"}
    for row in table["cases"]:
        client = row["client"] if isinstance(row["client"], dict) else table["clients"][row["client"]]
        seed = {"client": client}
        if row["op"] in part:
            given = row["input"]["order"] if row["op"] == "check_order" else row["input"]
            seed[part[row["op"]]] = given
        write(f"{out}/options", json.dumps(seed, ensure_ascii=False).encode())


if __name__ == "__main__":
    main(sys.argv[1])
