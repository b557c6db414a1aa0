"""Chain monitor: follows the EVM node block by block and publishes decoded platform logs to Kafka.

At-least-once by construction: messages are flushed to Kafka before the checkpoint moves,
and chain-sync deduplicates by the event id `chainId:blockHash:logIndex`. A reorg (the
hash we recorded for a height changed) retracts the logs of every dropped block, per
contract, then follows the new chain.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from web3 import Web3

from app.chain.events import EventDecoder
from app.data import chain_checkpoints, chain_contracts
from app.events.topics import CHAIN_EVENTS

log = logging.getLogger(__name__)

RECENT_WINDOW = 128  # deepest reorg we can retract exactly; deeper stops the monitor loudly
DISCOVERY_EVENTS = {"TREXSuiteDeployed": "suite", "Deployed": "identity"}
PENDING_LOOK_SECONDS = 0.5  # how often contracts the platform deployed itself are looked for (an offering's ERC-20)


class DeepReorg(RuntimeError):
    """The chain diverged below the recent window: retracting exactly is impossible, an operator must act."""


@dataclass
class MonitorState:
    height: int = -1
    recent: list[dict] = field(default_factory=list)  # {number, hash, addresses}, oldest first


class ChainMonitor:
    """One pass per `step()`; `run()` loops until stopped."""

    def __init__(self, w3: Web3, db, send: Callable[[str, str, dict], object], flush: Callable[[], None], *,
                 chain_id: int, confirmations: int, decoder: EventDecoder, factories: dict[str, str],
                 batch_blocks: int = 200, extra_filters: list[dict] | None = None):
        self.w3, self.db, self.send, self.flush = w3, db, send, flush
        self.chain_id, self.confirmations, self.decoder = chain_id, confirmations, decoder
        self.factories = factories
        # Logs of contracts we do not watch whole, narrowed by topics (stablecoin transfers to the
        # treasury): {address, topics, stream}; their messages and retractions carry `stream`.
        self.extra_filters = extra_filters or []
        self.streams = {f["address"]: f["stream"] for f in self.extra_filters}
        self.batch_blocks = batch_blocks
        self.monitor_id = f"chain-monitor:{chain_id}"
        self.state = MonitorState()
        self.watched: dict[str, str] = {}
        self._next_pending_look = 0.0

    def load(self) -> None:
        """Resume from the checkpoint and the watched contracts stored in MongoDB."""
        saved = chain_checkpoints.load(self.db, self.monitor_id)
        if saved:
            self.state = MonitorState(height=saved["height"], recent=saved.get("recentBlocks", []))
        chain_contracts.add(self.db, self.chain_id, self.factories, source="bootstrap")
        self.watched = chain_contracts.addresses(self.db, self.chain_id)

    def step(self) -> int:
        """Publish what is newly confirmed; returns the number of messages sent."""
        sent = self._handle_reorg()
        self._take_in_pending()
        safe = self.w3.eth.block_number - self.confirmations
        if safe <= self.state.height:
            return sent
        start, end = self.state.height + 1, min(safe, self.state.height + self.batch_blocks)
        blocks = [self.w3.eth.get_block(n) for n in range(start, end + 1)]
        if self.state.recent and blocks[0]["parentHash"].to_0x_hex() != self.state.recent[-1]["hash"]:
            return sent  # the chain moved under us; the next step's reorg check sorts it out
        hashes = {b["number"]: b["hash"].to_0x_hex() for b in blocks}
        discovered = self._discover(start, end, hashes)
        messages = self._decoded_logs(start, end, hashes, {b["number"]: b["timestamp"] for b in blocks})
        if messages is None:
            return sent
        for message in messages:
            self.send(CHAIN_EVENTS.name, message["address"], message)
        self.flush()
        if discovered:
            chain_contracts.add(self.db, self.chain_id, discovered, source="factory")
        self._advance(blocks, messages)
        return sent + len(messages)

    def _take_in_pending(self) -> None:
        """Watch contracts registered since (`chain_contracts.add_awaiting_monitor`) and acknowledge them: every block
        after our height is read with them, and their deployer waits for the acknowledgement before letting them
        emit anything (app/tasks/conversion.py), so none of their logs falls in a block already passed."""
        if time.monotonic() < self._next_pending_look:
            return
        self._next_pending_look = time.monotonic() + PENDING_LOOK_SECONDS
        found = chain_contracts.pending(self.db, self.chain_id)
        if found:
            self.watched.update(found)
            chain_contracts.acknowledge(self.db, self.chain_id, sorted(found), self.state.height)

    def _discover(self, start: int, end: int, hashes: dict[int, str]) -> dict[str, str]:
        """New contracts announced by the factories in [start, end], added to the watch set now."""
        found: dict[str, str] = {}
        logs = self.w3.eth.get_logs({"fromBlock": start, "toBlock": end, "address": list(self.factories)})
        for raw in logs:
            event = self.decoder.decode(raw)
            if not event or event["event"] not in DISCOVERY_EVENTS:
                continue
            if hashes.get(event["blockNumber"]) != event["blockHash"]:
                continue
            for value in event["args"].values():
                if isinstance(value, str) and Web3.is_checksum_address(value) and value not in self.watched:
                    found[value] = DISCOVERY_EVENTS[event["event"]]
        self.watched.update(found)
        return found

    def _decoded_logs(self, start: int, end: int, hashes: dict[int, str], times: dict[int, int]) -> list[dict] | None:
        logs = self.w3.eth.get_logs({"fromBlock": start, "toBlock": end, "address": list(self.watched)})
        for extra in self.extra_filters:
            logs += self.w3.eth.get_logs({"fromBlock": start, "toBlock": end, "address": extra["address"],
                                          "topics": extra["topics"]})
        messages = []
        for raw in logs:
            event = self.decoder.decode(raw)
            if event is None:
                continue
            if hashes.get(event["blockNumber"]) != event["blockHash"]:
                return None  # a log from a block we did not fetch: reorg in progress, retry
            message = {"id": f"{self.chain_id}:{event['blockHash']}:{event['logIndex']}",
                       "kind": "log", "chainId": self.chain_id, "blockTimestamp": times[event["blockNumber"]], **event}
            if event["address"] in self.streams:
                message["stream"] = self.streams[event["address"]]
            messages.append(message)
        return messages

    def _advance(self, blocks: list, messages: list[dict]) -> None:
        by_block: dict[int, set[str]] = {}
        for message in messages:
            by_block.setdefault(message["blockNumber"], set()).add(message["address"])
        for block in blocks:
            self.state.recent.append({"number": block["number"], "hash": block["hash"].to_0x_hex(),
                                      "addresses": sorted(by_block.get(block["number"], ()))})
        self.state.recent = self.state.recent[-RECENT_WINDOW:]
        self.state.height = blocks[-1]["number"]
        chain_checkpoints.save(self.db, self.monitor_id, self.state.height, self.state.recent)

    def _handle_reorg(self) -> int:
        """If recorded blocks left the canonical chain, retract their logs and rewind; returns messages sent."""
        dropped = []
        while self.state.recent:
            newest = self.state.recent[-1]
            block = self.w3.eth.get_block(newest["number"]) if newest["number"] <= self.w3.eth.block_number else None
            if block is not None and block["hash"].to_0x_hex() == newest["hash"]:
                break
            dropped.append(self.state.recent.pop())
        if not dropped:
            return 0
        if not self.state.recent and len(dropped) >= RECENT_WINDOW and dropped[-1]["number"] > 0:
            raise DeepReorg(f"chain {self.chain_id} diverged below block {dropped[-1]['number']}")
        sent = 0
        for block in dropped:
            for address in block["addresses"]:
                self.send(CHAIN_EVENTS.name, address, {
                    "id": f"retract:{self.chain_id}:{block['hash']}:{address}", "kind": "retract",
                    "chainId": self.chain_id, "address": address, "blockHash": block["hash"],
                    "blockNumber": block["number"], **({"stream": self.streams[address]} if address in self.streams
                                                       else {})})
                sent += 1
        self.flush()
        self.state.height = dropped[-1]["number"] - 1
        chain_checkpoints.save(self.db, self.monitor_id, self.state.height, self.state.recent)
        log.warning("reorg: retracted %d blocks from %d", len(dropped), dropped[-1]["number"])
        return sent

    def run(self, poll_seconds: float, stop: threading.Event) -> None:
        while not stop.is_set():
            if self.step() == 0:
                stop.wait(poll_seconds)


def stop_event_on_signals() -> threading.Event:
    """An event set by SIGTERM or SIGINT, so the loops finish their step and exit cleanly."""
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    return stop
