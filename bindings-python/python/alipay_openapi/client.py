"""The client users get: the native client, plus one pair of methods per typed API of the core's
table (``_native.APIS``), made here rather than written out per API: ``voucher_send(**fields)``
signs a call and ``parse_voucher_send(body)`` reads its answer, and so on."""

from __future__ import annotations

from typing import Any, Callable

from . import _native

__all__ = ["Client"]

CALL_OPTIONS = tuple(name for name in _native.REQUEST_OPTIONS if name not in ("method", "biz_content"))
"""The request options a typed method takes beside the API's fields (``notify_url``, ``timestamp``, …)."""


class Client(_native.Client):
    """A merchant app's handle on the gateway: the options of the core (``app_id``,
    ``private_key``, ``alipay_public_key``, ``gateway``, …), checked and parsed once by it."""

    __slots__ = ()
    __module__ = "alipay_openapi"


def _signer(method: str) -> Callable[..., _native.SignedRequest]:
    def sign(self: Client, **fields: Any) -> _native.SignedRequest:
        options = {name: fields.pop(name) for name in CALL_OPTIONS if name in fields}
        return self.sign_call(method, fields, **options)

    sign.__doc__ = f"``{method}``: the keywords are its ``biz_content`` fields, plus {', '.join(CALL_OPTIONS)}."
    return sign


def _parser(method: str) -> Callable[..., Any]:
    def parse(self: Client, body: Any) -> Any:
        return self.parse_response(method, body)

    parse.__doc__ = f"Verifies and reads an answer to ``{method}`` (a gateway error raises ``GatewayError``)."
    return parse


for _name, _method in _native.APIS:
    for _attribute, _function in [(_name, _signer(_method)), (f"parse_{_name}", _parser(_method))]:
        _function.__name__ = _attribute
        _function.__qualname__ = f"Client.{_attribute}"
        setattr(Client, _attribute, _function)
