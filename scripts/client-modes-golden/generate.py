"""Golden client-mode cases from the official SDKs; run through generate.sh.

Runs npm `alipay-sdk` (`pageExecute` GET and POST, `sdkExecute`, through node-sdk.mjs) and PyPI
`alipay-sdk-python` (`page_execute` GET and POST, `sdk_execute`) for alipay.trade.page.pay,
alipay.trade.wap.pay and alipay.trade.app.pay with the fixed test keys and one fixed instant, and
decodes what each returned the way a browser or the Alipay app would (percent-decoding in the
request charset; HTML's attribute rules for forms). Each case records the parameters the SDK signed, its
signature, its exact output, what that output decodes to and whether the two agree. Return
queries are signed here the way Alipay signs them (rsaCheckV1 content, RSA2, the alipay_2048 key)
and tampered with, each with the verdict the core must give and the one the Python SDK's own
check gives. Uploads of alipay.offline.material.image.upload go through each SDK's own HTTP call
(npm: `exec` with `AlipayFormData`; PyPI: `execute` with a `FileItem`) to a recorder on 127.0.0.1
started here, which keeps the raw request (query, content type, body) and answers a harmless
business error. Writes tests/vectors/client-modes.json.
"""

import base64
import datetime
import html.entities
import json
import os
import re
import subprocess
import sys
import threading
import types
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, quote_plus, urlsplit

import rsa
from alipay.aop.api import DefaultAlipayClient as client_module
from alipay.aop.api.AlipayClientConfig import AlipayClientConfig
from alipay.aop.api.DefaultAlipayClient import DefaultAlipayClient
from alipay.aop.api.FileItem import FileItem
from alipay.aop.api.request.AlipayOfflineMaterialImageUploadRequest import AlipayOfflineMaterialImageUploadRequest
from alipay.aop.api.request.AlipayTradeAppPayRequest import AlipayTradeAppPayRequest
from alipay.aop.api.request.AlipayTradePagePayRequest import AlipayTradePagePayRequest
from alipay.aop.api.request.AlipayTradeWapPayRequest import AlipayTradeWapPayRequest
from alipay.aop.api.util import WebUtils
from Crypto.Cipher import AES
from Crypto.Util.Padding import pad
from alipay.aop.api.util.SignatureUtils import get_sign_content, verify_with_rsa

HERE = Path(__file__).resolve().parent
VECTORS = HERE.parent.parent / "tests" / "vectors"
KEYS = VECTORS / "keys"
APP_ID = "2021000000000001"
GATEWAY = "https://openapi.alipay.com/gateway.do"
# 2024-05-13 17:49:20 in Beijing (UTC+8).
MILLIS = 1_715_593_760_000
BEIJING = datetime.datetime(2024, 5, 13, 17, 49, 20)
PY_VERSION = "3.7.1411"

HOSTILE_SUBJECT = "\"><script>alert('x')</script> &amp; &lt;b&gt;"
HOSTILE_RETURN = "https://m.example/r?a=\"'<>&b=1"

ORDERS = {
    "page": (
        "alipay.trade.page.pay",
        {"out_trade_no": "CM20240513001", "total_amount": "88.88", "subject": "测试商品 Book",
         "product_code": "FAST_INSTANT_TRADE_PAY"},
        {"notify_url": "https://m.example/notify", "return_url": "https://m.example/return?order=1&x=y"},
    ),
    "wap": (
        "alipay.trade.wap.pay",
        {"out_trade_no": "CM20240513002", "total_amount": "0.01", "subject": "WAP 支付",
         "product_code": "QUICK_WAP_WAY", "quit_url": "https://m.example/quit"},
        {"return_url": "https://m.example/return"},
    ),
    "app": (
        "alipay.trade.app.pay",
        {"out_trade_no": "CM20240513003", "total_amount": "1.00", "subject": "App 支付",
         "product_code": "QUICK_MSECURITY_PAY"},
        {"notify_url": "https://m.example/notify"},
    ),
    "hostile": (
        "alipay.trade.page.pay",
        {"out_trade_no": "CM20240513004", "total_amount": "5.00", "subject": HOSTILE_SUBJECT,
         "product_code": "FAST_INSTANT_TRADE_PAY"},
        {"return_url": HOSTILE_RETURN},
    ),
}

# (order, sdk, call, charset)
PLAN = [
    ("page", "node", "pageExecute GET", "utf-8"),
    ("page", "node", "pageExecute POST", "utf-8"),
    ("page", "python", "page_execute GET", "utf-8"),
    ("page", "python", "page_execute POST", "utf-8"),
    ("page", "python", "page_execute GET", "GBK"),
    ("page", "python", "page_execute POST", "GBK"),
    ("wap", "node", "pageExecute GET", "utf-8"),
    ("wap", "node", "pageExecute POST", "utf-8"),
    ("wap", "python", "page_execute GET", "utf-8"),
    ("wap", "python", "page_execute POST", "utf-8"),
    ("app", "node", "sdkExecute", "utf-8"),
    ("app", "python", "sdk_execute", "utf-8"),
    ("app", "python", "sdk_execute", "GBK"),
    ("hostile", "node", "pageExecute GET", "utf-8"),
    ("hostile", "node", "pageExecute POST", "utf-8"),
    ("hostile", "python", "page_execute POST", "utf-8"),
]

MODES = {"GET": "page_link", "POST": "page_form"}


def key_text(name):
    return (KEYS / name).read_text()


def biz_text(biz, sdk="node"):
    """`biz_content` as each SDK writes it: the Node SDK keeps the members' order, the Python SDK's
    models sort them."""
    return json.dumps(biz, ensure_ascii=False, separators=(",", ":"), sort_keys=sdk == "python")


TAG = re.compile(r'<(form|input)((?:\s+[\w-]+(?:="[^"]*")?)*)\s*/?>')
ATTRIBUTE = re.compile(r'([\w-]+)(?:="([^"]*)")?')
REFERENCE = re.compile(r"&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[A-Za-z][A-Za-z0-9]*;?)")


def attribute_value(raw):
    """A double-quoted attribute value as a browser reads it (HTML's rules for character
    references in attributes: a legacy reference without `;`, such as `&not`, stays as written
    when a letter, digit or `=` follows it, so `&notify_url=` is not `¬ify_url=`)."""

    def replace(match):
        ref = match.group(1)
        if ref.startswith("#"):
            digits = ref[1:].rstrip(";")
            return chr(int(digits[1:], 16) if digits[:1] in "xX" else int(digits))
        for end in range(len(ref), 0, -1):
            name = ref[:end]
            if name in html.entities.html5:
                rest = ref[end:] + raw[match.end():match.end() + 1]
                if not name.endswith(";") and rest[:1] and (rest[:1].isalnum() or rest[:1] == "="):
                    return match.group(0)
                return html.entities.html5[name] + ref[end:]
        return match.group(0)

    return REFERENCE.sub(replace, raw)


def form_fields(text):
    """The action and the hidden inputs of a form, as a browser would submit them."""
    action, inputs = None, []
    for tag, attributes in TAG.findall(text):
        attrs = {name: attribute_value(value) for name, value in ATTRIBUTE.findall(attributes)}
        if tag == "form":
            action = attrs.get("action")
        elif attrs.get("type") == "hidden":
            inputs.append((attrs["name"], attrs.get("value", "")))
    return action, inputs


def decode_query(query, charset):
    return parse_qsl(query, keep_blank_values=True, encoding=charset, errors="strict")


def decode_output(mode, output, charset):
    """The pairs a browser (a form, a link) or the app SDK (an order string) would send."""
    if mode == "page_form":
        action, inputs = form_fields(output)
        gateway, _, query = action.partition("?")
        return gateway, decode_query(query, charset) + inputs
    if mode == "page_link":
        gateway, _, query = output.partition("?")
        return gateway, decode_query(query, charset)
    return None, decode_query(output, charset)


class Fixed(datetime.datetime):
    """The Python SDK's clock, pinned to the vectors' instant."""

    @classmethod
    def now(cls, tz=None):
        return BEIJING


def python_sdk(order, call, charset):
    method, biz, params = ORDERS[order]
    config = AlipayClientConfig()
    config.server_url = GATEWAY
    config.app_id = APP_ID
    config.app_private_key = key_text("app_2048.private.pkcs1.pem")
    config.charset = charset
    request = {"page": AlipayTradePagePayRequest, "wap": AlipayTradeWapPayRequest,
               "app": AlipayTradeAppPayRequest, "hostile": AlipayTradePagePayRequest}[order]()
    request.biz_content = biz
    for key, value in params.items():
        setattr(request, key, value)

    real = client_module.datetime
    client_module.datetime = types.SimpleNamespace(datetime=Fixed)
    try:
        client = DefaultAlipayClient(alipay_client_config=config)
        if call == "sdk_execute":
            return client.sdk_execute(request)
        return client.page_execute(request, http_method=call.split()[1])
    finally:
        client_module.datetime = real


def node_sdk(cases):
    stdin = json.dumps({"keyFile": str(KEYS / "app_2048.private.pkcs1.pem"), "cases": cases})
    run = subprocess.run(["node", str(HERE / "node-sdk.mjs")], input=stdin, capture_output=True, text=True,
                         check=True, env={**os.environ, "TZ": "Asia/Shanghai"})
    answer = json.loads(run.stdout)
    return answer["version"], {item["id"]: item["output"] for item in answer["out"]}


def app_public_key():
    return rsa.PublicKey.load_pkcs1_openssl_pem(key_text("app_2048.public.spki.pem").encode())


def signed_params(pairs, biz, charset):
    """What the SDK signed: the decoded pairs with `biz_content` as the SDK built it, checked by
    verifying the SDK's signature over their sign content with the app public key."""
    fields = dict(pairs)
    fields["biz_content"] = biz
    sign = fields.pop("sign")
    content = get_sign_content(fields).encode(charset)
    rsa.verify(content, base64.b64decode(sign), app_public_key())
    return fields, sign


def request_cases():
    ids = {}
    node_calls = []
    for n, (order, sdk, call, charset) in enumerate(PLAN, start=1):
        ids[n] = f"cm-{n:03}"
        if sdk == "node":
            method, biz, params = ORDERS[order]
            node_calls.append({
                "id": ids[n], "app_id": APP_ID, "gateway": GATEWAY, "charset": charset, "millis": MILLIS,
                "method": method, "biz_content": biz_text(biz), "params": params,
                "call": call.split()[0], "http_method": call.split()[1] if " " in call else None,
            })
    node_version, node_out = node_sdk(node_calls)
    cases = []
    for n, (order, sdk, call, charset) in enumerate(PLAN, start=1):
        method, biz, _ = ORDERS[order]
        output = node_out[ids[n]] if sdk == "node" else python_sdk(order, call, charset)
        mode = MODES.get(call.split()[-1], "order_string")
        gateway, pairs = decode_output(mode, output, charset)
        params, sign = signed_params(pairs, biz_text(biz, sdk), charset)
        decoded = dict(pairs)
        faithful = len(decoded) == len(pairs) and decoded == {**params, "sign": sign}
        cases.append({
            "id": ids[n],
            "sdk": f"npm alipay-sdk {node_version}" if sdk == "node" else f"PyPI alipay-sdk-python {PY_VERSION}",
            "call": call,
            "mode": mode,
            "charset": charset,
            "gateway": gateway,
            "params": params,
            "signature": sign,
            "sdk_output": output,
            "sdk_decoded": decoded,
            "sdk_faithful": faithful,
        })
    return cases


UPLOAD_METHOD = "alipay.offline.material.image.upload"
UPLOAD_FIELDS = {"image_type": "jpg", "image_name": "海报 1"}
# Not a real JPEG: its marker bytes, CR LF, `--` and a NUL, so a runner sees the bytes kept as they are.
UPLOAD_FILE = {"field": "image_content", "file_name": "logo.jpg", "content_type": "image/jpeg",
               "content": base64.b64encode(b"\xff\xd8\xff\xe0 golden upload \r\n-- \x00\xff\xd9").decode()}
# (sdk, call, charset)
UPLOAD_PLAN = [
    ("node", "exec AlipayFormData", "utf-8"),
    ("python", "execute FileItem", "utf-8"),
    ("python", "execute FileItem", "GBK"),
]
UPLOAD_ANSWER = json.dumps({"alipay_offline_material_image_upload_response": {
    "code": "40004", "msg": "Business Failed", "sub_code": "golden.recorded", "sub_msg": "recorded, not processed"}})


class Recorder:
    """A gateway on 127.0.0.1 that keeps each request it gets (path and query, content type, body)
    and answers every one with the same business error."""

    def __init__(self):
        self.requests = []
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                if self.headers.get("transfer-encoding", "").lower() == "chunked":
                    body = b""
                    while True:
                        size = int(self.rfile.readline().split(b";")[0], 16)
                        chunk = self.rfile.read(size + 2)[:size]
                        if size == 0:
                            break
                        body += chunk
                else:
                    body = self.rfile.read(int(self.headers.get("content-length", "0")))
                recorder.requests.append({"target": self.path, "content_type": self.headers.get("content-type"),
                                          "body": body})
                answer = UPLOAD_ANSWER.encode()
                self.send_response(200)
                self.send_header("content-type", "application/json;charset=utf-8")
                self.send_header("content-length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.gateway = f"http://127.0.0.1:{self.server.server_port}/gateway.do"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def multipart_parts(content_type, body, charset):
    """The parts of a `multipart/form-data` body: name, file name, content type, the other header
    lines, and the content (text in `charset` for a part without a file name, else base64)."""
    boundary = re.search(r'boundary="?([^";]+)"?', content_type).group(1).encode()
    chunks = body.split(b"--" + boundary)
    assert chunks[-1] in (b"--\r\n", b"--"), chunks[-1]
    parts = []
    for chunk in chunks[1:-1]:
        assert chunk.startswith(b"\r\n") and chunk.endswith(b"\r\n"), chunk[:40]
        head, _, content = chunk[2:-2].partition(b"\r\n\r\n")
        lines = head.decode(charset).split("\r\n")
        disposition = next(line for line in lines if line.lower().startswith("content-disposition:"))
        name = re.search(r'; name="([^"]*)"', disposition).group(1)
        file_name = re.search(r'; filename="([^"]*)"', disposition)
        type_line = next((line for line in lines if line.lower().startswith("content-type:")), None)
        part = {"name": name, "file_name": file_name.group(1) if file_name else None,
                "content_type": type_line.split(":", 1)[1].strip() if type_line else None,
                "other_headers": [line for line in lines if line not in (disposition, type_line)]}
        if file_name:
            part["content"] = base64.b64encode(content).decode()
        else:
            part["value"] = content.decode(charset)
        parts.append(part)
    return parts


def python_upload(recorder, charset):
    """The Python SDK's upload. Its HTTP layer connects to port 80 whatever the gateway URL says (and
    a URL with a port fails, concatenating the port number to text), so the gateway is written
    without a port and its connection class is pointed at the recorder's."""
    recorder_port = recorder.server.server_port

    class ToRecorder(WebUtils.httplib.HTTPConnection):
        def __init__(self, host, port=None, **kwargs):
            super().__init__(host, recorder_port, **kwargs)

    config = AlipayClientConfig()
    config.server_url = recorder.gateway.replace(f":{recorder_port}", "")
    config.app_id = APP_ID
    config.app_private_key = key_text("app_2048.private.pkcs1.pem")
    config.charset = charset
    request = AlipayOfflineMaterialImageUploadRequest()
    for key, value in UPLOAD_FIELDS.items():
        setattr(request, key, value)
    request.image_content = FileItem(file_name=UPLOAD_FILE["file_name"],
                                     file_content=base64.b64decode(UPLOAD_FILE["content"]),
                                     mime_type=UPLOAD_FILE["content_type"])
    real, real_connection = client_module.datetime, WebUtils.httplib.HTTPConnection
    client_module.datetime = types.SimpleNamespace(datetime=Fixed)
    WebUtils.httplib.HTTPConnection = ToRecorder
    try:
        return DefaultAlipayClient(alipay_client_config=config).execute(request)
    except Exception as error:  # the answer is a business error; what the SDK made of it is kept
        return {"error": f"{type(error).__name__}: {error}"}
    finally:
        client_module.datetime, WebUtils.httplib.HTTPConnection = real, real_connection


def upload_cases():
    recorder = Recorder()
    try:
        answers = {}
        node_calls = [{
            "id": f"upl-{n:03}", "app_id": APP_ID, "gateway": recorder.gateway, "charset": charset, "millis": MILLIS,
            "method": UPLOAD_METHOD, "call": "exec", "fields": UPLOAD_FIELDS, "files": [UPLOAD_FILE],
        } for n, (sdk, _, charset) in enumerate(UPLOAD_PLAN, start=1) if sdk == "node"]
        recorded = []
        for n, (sdk, call, charset) in enumerate(UPLOAD_PLAN, start=1):
            before = len(recorder.requests)
            if sdk == "node":
                node_version, node_out = node_sdk([c for c in node_calls if c["id"] == f"upl-{n:03}"])
                answers[n] = node_out[f"upl-{n:03}"]
            else:
                answers[n] = python_upload(recorder, charset)
            assert len(recorder.requests) == before + 1, f"upl-{n:03}: the SDK sent {len(recorder.requests) - before}"
            recorded.append(recorder.requests[-1])
    finally:
        recorder.close()
    cases = []
    for n, ((sdk, call, charset), request) in enumerate(zip(UPLOAD_PLAN, recorded), start=1):
        query = decode_query(urlsplit(request["target"]).query, charset)
        parts = multipart_parts(request["content_type"], request["body"], charset)
        text = [(part["name"], part["value"]) for part in parts if part["file_name"] is None]
        sent = dict(query + text)
        signature = sent.pop("sign")
        content = get_sign_content(sent).encode(charset)
        try:
            rsa.verify(content, base64.b64decode(signature), app_public_key())
            verifies = True
        except rsa.VerificationError:
            verifies = False
        cases.append({
            "id": f"upl-{n:03}",
            "sdk": f"npm alipay-sdk {node_version}" if sdk == "node" else f"PyPI alipay-sdk-python {PY_VERSION}",
            "call": call,
            "charset": charset,
            "method": UPLOAD_METHOD,
            "fields": UPLOAD_FIELDS,
            "files": [UPLOAD_FILE],
            "params": sent,
            "signature": signature,
            "signature_verifies": verifies,
            "sdk_faithful": verifies and len(dict(query + text)) == len(query) + len(text),
            "query": query,
            "media_type": request["content_type"].split(";")[0],
            # The Node SDK draws a new boundary for each request; the Python SDK's is a constant.
            "fixed_boundary": re.search(r"boundary=(\S+)", request["content_type"]).group(1) if sdk == "python" else None,
            "parts": parts,
            "sdk_answer": json.loads(re.sub(r"\[[0-9a-f-]{36}\]", "[log-uuid]", json.dumps(answers[n]))),
        })
    return cases


def alipay_sign(content, signer="alipay_2048"):
    key = rsa.PrivateKey.load_pkcs1(key_text(f"{signer}.private.pkcs1.pem").encode())
    return base64.b64encode(rsa.sign(content.encode(), key, "SHA-256")).decode()


def v1_content(fields):
    return get_sign_content({k: v for k, v in fields.items() if k not in ("sign", "sign_type")})


def query_of(pairs):
    return "&".join(f"{k}={quote_plus(v)}" for k, v in pairs)


def sdk_accepts(query):
    """The Python SDK's own check, as its documentation has merchants call it: the query as a dict
    (the last of duplicated fields wins), `sign` and `sign_type` popped, the rest verified."""
    fields = dict(parse_qsl(query, keep_blank_values=True))
    sign = fields.pop("sign", None)
    fields.pop("sign_type", None)
    if not sign:
        return False
    try:
        return verify_with_rsa(key_text("alipay_2048.public.spki.b64").strip(),
                               get_sign_content(fields).encode(), sign)
    except Exception:
        return False


def return_fields(method, **changes):
    fields = {
        "app_id": APP_ID, "auth_app_id": APP_ID, "charset": "utf-8", "method": method,
        "out_trade_no": "CM20240513001", "seller_id": "2088000000000001", "timestamp": "2024-05-13 17:50:02",
        "total_amount": "88.88", "trade_no": "2024051322001400000000000001", "version": "1.0",
    }
    fields.update(changes)
    return fields


def signed_return(fields, signer="alipay_2048"):
    return sorted(fields.items()) + [("sign", alipay_sign(v1_content(fields), signer)), ("sign_type", "RSA2")]


def return_cases():
    page = return_fields("alipay.trade.page.pay.return")
    wap = return_fields("alipay.trade.wap.pay.return", out_trade_no="CM20240513002", total_amount="0.01")
    good = signed_return(page)
    tampered = [(k, "0.01" if k == "total_amount" else v) for k, v in good]
    signed_for_less = signed_return({k: v for k, v in page.items() if k != "seller_id"})
    extra = signed_for_less[:6] + [("seller_id", "2088000000000009")] + signed_for_less[6:]
    forged_first = [("total_amount", "0.01")] + good
    cases = [
        ("ok", "a page-pay return as Alipay signs it", query_of(good)),
        ("ok", "a WAP-pay return", query_of(signed_return(wap))),
        ("ok", "a return whose field values hold characters that are percent-encoded",
         query_of(signed_return(return_fields("alipay.trade.page.pay.return", out_trade_no="A+B/C=D&E 测")))),
        ("signature_mismatch", "total_amount changed after signing", query_of(tampered)),
        ("signature_mismatch", "a field added that was not signed (signed for other parameters)", query_of(extra)),
        ("signature_mismatch", "signed by another key", query_of(signed_return(page, "other_2048"))),
        ("malformed_notification", "total_amount twice: a forged value first, the signed one last",
         query_of(forged_first)),
        ("app_id_mismatch", "validly signed for another app", query_of(signed_return(
            return_fields("alipay.trade.page.pay.return", app_id="2021000000000002",
                          auth_app_id="2021000000000002")))),
        ("missing_signature", "no sign", query_of([p for p in good if p[0] != "sign"])),
        ("signature_encoding", "sign is not base64", query_of([(k, "%%%" if k == "sign" else v) for k, v in good])),
        ("invalid_field", "declares sign_type RSA to an RSA2 client",
         query_of([(k, "RSA" if k == "sign_type" else v) for k, v in good])),
    ]
    return [
        {"id": f"ret-{n:03}", "why": why, "query": query, "expect": expect, "python_sdk_accepts": sdk_accepts(query)}
        for n, (expect, why, query) in enumerate(cases, start=1)
    ]


def mini_program_cases():
    """`my.getPhoneNumber` payloads: the plaintext AES-encrypted (CBC, zero IV, PKCS#7) with the
    vectors' AES key by pycryptodome, which the Python SDK installs (its own `aes_encrypt_content`
    fails on Python 3: it passes the IV as `str`), the quoted ciphertext signed as Alipay signs it."""
    key = base64.b64decode((VECTORS / "protocol-examples" / "aes_key.txt").read_text().strip())

    def aes_encrypt_content(plaintext):
        cipher = AES.new(key, AES.MODE_CBC, bytes(16))
        return base64.b64encode(cipher.encrypt(pad(plaintext.encode(), 16))).decode()

    phone = '{"code":"10000","msg":"Success","mobile":"13800000000"}'
    denied = '{"code":"40006","msg":"Insufficient Permissions","sub_code":"isv.insufficient-isv-permissions"}'

    def payload(plaintext, signer="alipay_2048", **changes):
        response = aes_encrypt_content(plaintext)
        fields = {"response": response, "sign": alipay_sign(f'"{response}"', signer), "sign_type": "RSA2",
                  "encrypt_type": "AES", "charset": "UTF-8", **changes}
        return json.dumps(fields, separators=(",", ":"))

    good = json.loads(payload(phone))
    cases = [
        ("ok", "a phone number, as my.getPhoneNumber hands it over", payload(phone), phone),
        ("gateway_error", "a verified refusal (the user did not authorize)", payload(denied), denied),
        ("signature_mismatch", "signed by another key", payload(phone, "other_2048"), None),
        ("signature_mismatch", "the ciphertext of another plaintext under the first one's signature",
         json.dumps({**good, "response": aes_encrypt_content(phone.replace("138", "139"))}), None),
        ("invalid_field", "declares sign_type RSA to an RSA2 client", payload(phone, sign_type="RSA"), None),
        ("duplicate_member", "sign twice", payload(phone)[:-1] + ',"sign":"AAAA"}', None),
    ]
    return [
        {"id": f"mini-{n:03}", "why": why, "payload": body, "expect": expect, "plaintext": plain}
        for n, (expect, why, body, plain) in enumerate(cases, start=1)
    ]


NOTES = [
    "requests: `params` is every parameter the SDK signed (checked here by verifying its `signature` with the "
    "app public key over their sign content), `sdk_output` its exact output, `sdk_decoded` what a browser (form: "
    "HTML's rules for attribute values; link: percent-decoding in `charset`) or the app SDK (order string) would send. Runners sign "
    "`params` with app_2048 at `params.timestamp` and check that the signature is `signature` and that their own "
    "link, form or order string decodes to `params` plus `sign`. Where `sdk_faithful` is false the SDK's output "
    "does not send what it signed.",
    "Both SDKs escape only `\"` in form values, and nothing in the names or the action: `&` stays "
    "raw, so a value holding a character reference (`&amp;`, `&lt;` in the hostile subject) reaches the gateway "
    "as the character it names, not as signed, and the payment fails as isv.invalid-signature (cm-015, cm-016). "
    "The core escapes `& < > \" '` everywhere, the action included.",
    "The Node SDK sends `alipay_sdk=alipay-sdk-nodejs-4.0.0` (a stale version string) as a hidden form input, "
    "signs no `format`, and signs UTF-8 bytes whatever `charset` says (so no GBK case comes from it); the Python "
    "SDK signs `format=json` and encodes GBK correctly. Neither form sets accept-charset: a GBK form on a UTF-8 "
    "page is sent in UTF-8 and fails; the core's form names its charset.",
    "The Python SDK's page_execute POST drops empty values and adds a hidden submit button; the Node SDK's form "
    "name carries Date.now(). Neither matters to what is signed.",
    "returns: queries signed as Alipay signs a return_url redirect (rsaCheckV1: every field but `sign` and "
    "`sign_type`, sorted, RSA2 with alipay_2048), then tampered. `expect` is the core's verdict (`ok` or the error "
    "code) for client app_id 2021000000000001 with the alipay_2048 public key; `python_sdk_accepts` is what the "
    "Python SDK's check does with the same query. ret-007 shows why duplicates are refused: the SDK keeps the last "
    "value and accepts, while a framework that reads the first (Flask's request.args) shows total_amount=0.01. "
    "The Python SDK also accepts another app's return (ret-008) and ignores the declared sign_type (ret-011).",
    "mini_programs: payloads of my.getPhoneNumber: `response` is the plaintext encrypted (AES-CBC, zero IV, "
    "PKCS#7) with `aes_key_file` by pycryptodome, since the Python SDK's own aes_encrypt_content fails on Python 3 "
    "(it hands pycryptodome the IV as a str); `sign` covers the ciphertext with its quotes "
    "(RSA2, alipay_2048), as Alipay's instructions for the payload say. `expect` is the core's verdict for an "
    "RSA2 client with that AES key (`gateway_error`: verified, but its code is not 10000), `plaintext` what "
    "decrypts. Neither SDK has a call that verifies such a payload.",
    "uploads: alipay.offline.material.image.upload sent by each SDK's own HTTP call to a local recorder (the "
    "answer is a business error, 40004). `params` is what the request carried, the URL query and the text parts "
    "(without `sign`), and `signature_verifies` says that `signature` verifies over their sign content with the "
    "app public key: what is sent is what is signed, and the file is not signed. `parts` are the body's parts in "
    "order: text parts with their `value` (decoded in `charset`), file parts with `content` as base64. Runners "
    "sign `fields` at `params.timestamp` (with `format` only where `params` has one) and upload `files`, then "
    "check the signature, that their URL query plus text parts are `params` plus `sign`, and that their parts "
    "carry the same names, file names, file content types and bytes; the boundaries differ, and header lines "
    "other than Content-Disposition and a file's Content-Type are not compared (the Python SDK labels text parts "
    "`text/plain; charset=…` and files `Content-Transfer-Encoding: binary`; the Node SDK and the core add neither).",
    "The Python SDK's upload (and every execute call) connects to port 80 or 443 whatever port the gateway URL "
    "names, and a URL with a port fails before sending (it appends the port number to text: TypeError); the "
    "generator writes the gateway without a port and points the SDK's HTTPConnection at the recorder. Its "
    "boundary is the constant ALIPAY_SDK_PYTHON_BOUNDARY, checked against no part, so a file holding that text "
    "would end its part early; the core derives the boundary from the signature and files and refuses one found in "
    "a part. Given the unsigned 40004 answer it raised ResponseException (`sdk_answer`) where the Node SDK returned "
    "the business error. The Node SDK signs no `format` (as for its other calls) and draws a random boundary.",
]


def main():
    out = {
        "generated_by": "scripts/client-modes-golden/generate.sh",
        "notes": NOTES,
        "app_id": APP_ID,
        "private_key_file": "keys/app_2048.private.pkcs1.pem",
        "alipay_public_key_file": "keys/alipay_2048.public.spki.pem",
        "requests": request_cases(),
        "returns": return_cases(),
        "aes_key_file": "protocol-examples/aes_key.txt",
        "mini_programs": mini_program_cases(),
        "uploads": upload_cases(),
    }
    path = VECTORS / "client-modes.json"
    path.write_text(json.dumps(out, ensure_ascii=False, indent=2) + "\n")
    print(f"wrote {path}: {len(out['requests'])} requests, {len(out['returns'])} returns", file=sys.stderr)


if __name__ == "__main__":
    main()
