"""Local-chain conveniences: anvil funds the platform's accounts, which a real chain never does."""

from __future__ import annotations

import json
import urllib.request

from eth_account import Account

DEV_BALANCE_WEI = 10_000 * 10**18


def _rpc(url: str, method: str, params: list) -> object:
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}).encode()
    request = urllib.request.Request(url, body, {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=5) as response:
        answer = json.loads(response.read())
    if "error" in answer:
        raise RuntimeError(f"{method} failed: {answer['error']}")
    return answer["result"]


def fund(rpc_url: str, *private_keys: str, wei: int = DEV_BALANCE_WEI) -> list[str]:
    """Give each key's account `wei` on anvil (anvil_setBalance); returns the funded addresses."""
    addresses = [Account.from_key(key).address for key in private_keys]
    for address in addresses:
        _rpc(rpc_url, "anvil_setBalance", [address, hex(wei)])
    return addresses
