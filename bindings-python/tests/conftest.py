"""Shared paths and loaders: the Python tests read the same vector files as the Rust tests."""

from __future__ import annotations

import base64
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from alipay_openapi import Client

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples" / "python"
sys.path.insert(0, str(EXAMPLES))

from local_gateway import local_gateway  # noqa: E402  (the examples' helper, one place for it)

VECTORS = REPO / "tests" / "vectors"
KEYS = VECTORS / "keys"
APP_ID = "2021000000000001"


def load_cases(name: str) -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = json.loads((VECTORS / name).read_text(encoding="utf-8"))
    return cases


def key(name: str) -> str:
    return (KEYS / name).read_text(encoding="ascii")


def make_client(**overrides: Any) -> Client:
    settings: dict[str, Any] = {
        "app_id": APP_ID,
        "private_key": key("app_2048.private.pkcs1.pem"),
        "alipay_public_key": key("alipay_2048.public.spki.pem"),
    }
    settings.update(overrides)
    return Client(**settings)


def rsa2_signature(data: bytes, private_key_file: str) -> str:
    """A SHA256withRSA signature made independently of the library (PyPI `cryptography`), base64."""
    signer = serialization.load_pem_private_key((KEYS / private_key_file).read_bytes(), password=None)
    assert isinstance(signer, rsa.RSAPrivateKey)
    return base64.b64encode(signer.sign(data, padding.PKCS1v15(), hashes.SHA256())).decode("ascii")


def signed_body(method: str, node: bytes, signer: str = "alipay_2048.private.pkcs8.pem", sn: str | None = None) -> bytes:
    """A response body laid out and signed as the gateway does (with `alipay_cert_sn` in certificate mode)."""
    member = f',"alipay_cert_sn":"{sn}"' if sn else ""
    head = '{"' + method.replace(".", "_") + '_response":'
    return head.encode() + node + f'{member},"sign":"{rsa2_signature(node, signer)}"}}'.encode()


@pytest.fixture(scope="session")
def client() -> Client:
    return make_client()


@pytest.fixture(scope="session")
def gateway_url() -> Iterator[str]:
    """A fresh local test gateway for the session."""
    with local_gateway() as url:
        yield url
