"""Whole tokens reserved by placed orders: per offering (its supply) and per investor (the most one may hold).

Why Redis and not a MongoDB document: concurrent `$inc`s on one document lose updates and a
conditional update can pass its condition twice (app/locks.py). Here the check and the
increment of both counters are one Lua script, atomic in Redis, and placing an order needs
no MongoDB write besides the order itself.

The orders are the truth; these counters are rebuilt from them (`rebuild`) whenever they
may be wrong: when they are missing (new, evicted), when Redis restarted since they were
built (its run_id differs: a restored snapshot may predate orders), and when a process died
between reserving and inserting its order (app.domain.orders.placement's in-flight mark). Callers
hold the offering's reservations lock (`locks.reservations`, app.domain.orders.placement) around a check, its insert,
and any rebuild.

Whole tokens only, never base units (an order's `quantity`): supplies are capped at 10**12
whole tokens by the offering wizard, inside Redis's int64 `HINCRBY` and the 2**53 up to which
the script's Lua numbers (doubles) count exactly; 10 tokens of 18 decimals would be 10**19
base units, past both. `_whole` refuses anything beyond that range, so a caller passing base
units fails loudly instead of corrupting the counters.
"""

from __future__ import annotations

from app.extensions import redis_client

SUPPLY, EPOCH = "_supply", "_epoch"  # the hash's own fields; every other field is an investor's id
EXACT_LIMIT = 2**53  # Lua numbers are doubles: exact below this
FITS, HOLDING_FULL, SUPPLY_FULL = 0, 1, 2

_RESERVE = """
local tokens = tonumber(ARGV[2])
local held = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0')
if ARGV[3] ~= '' and held + tokens > tonumber(ARGV[3]) then return 1 end
local supply = tonumber(redis.call('HGET', KEYS[1], '_supply') or '0')
if supply + tokens > tonumber(ARGV[4]) then return 2 end
redis.call('HINCRBY', KEYS[1], '_supply', tokens)
redis.call('HINCRBY', KEYS[1], ARGV[1], tokens)
return 0
"""


def _key(offering_id) -> str:
    return f"orders:reserved:{offering_id}"


def current(config: dict, offering_id) -> bool:
    """Whether the counters were built by this Redis run (else they must be rebuilt from the orders)."""
    redis = redis_client.get(config)
    epoch = redis.hget(_key(offering_id), EPOCH)
    return epoch is not None and epoch.decode() == redis.info("server")["run_id"]


def reserve(config: dict, offering_id, user_id, tokens: int, holding_limit: int | None, supply: int) -> int:
    """Add `tokens` for the investor and the offering if both limits hold: FITS, HOLDING_FULL or SUPPLY_FULL."""
    script = redis_client.get(config).register_script(_RESERVE)
    limit = "" if holding_limit is None else str(_whole(holding_limit))
    return int(script(keys=[_key(offering_id)], args=[str(user_id), str(_whole(tokens)), limit, str(_whole(supply))]))


def release(config: dict, offering_id, user_id, tokens: int) -> None:
    tokens = _whole(tokens)
    pipe = redis_client.get(config).pipeline()
    pipe.hincrby(_key(offering_id), SUPPLY, -tokens)
    pipe.hincrby(_key(offering_id), str(user_id), -tokens)
    pipe.execute()


def reserved(config: dict, offering_id, user_id=None) -> int:
    """The offering's reserved tokens, or one investor's when `user_id` is given."""
    value = redis_client.get(config).hget(_key(offering_id), SUPPLY if user_id is None else str(user_id))
    return int(value or 0)


def rebuild(config: dict, offering_id, total: int, per_investor: dict) -> int:
    """Replace the counters with a recount (the offering's total, {user id: tokens}); returns how many changed."""
    redis = redis_client.get(config)
    before = {k.decode(): int(v) for k, v in redis.hgetall(_key(offering_id)).items() if k != EPOCH.encode()}
    after = {SUPPLY: _whole(total), **{str(u): _whole(t) for u, t in per_investor.items() if t}}
    changed = sum(1 for k in set(before) | set(after) if before.get(k, 0) != after.get(k, 0))
    pipe = redis.pipeline(transaction=True)
    pipe.delete(_key(offering_id))
    pipe.hset(_key(offering_id), mapping={**after, EPOCH: redis.info("server")["run_id"]})
    pipe.execute()
    return changed


def _whole(tokens: int) -> int:
    """A count of whole tokens the counters can hold exactly (see the module's docstring)."""
    if not -EXACT_LIMIT < int(tokens) < EXACT_LIMIT:
        raise ValueError(f"{tokens} is not a count of whole tokens (base units never go into the reservations)")
    return int(tokens)
