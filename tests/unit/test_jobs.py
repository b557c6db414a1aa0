"""RQ jobs are declared once (`@job`, app/tasks/queues.py) and enqueued by reference, with the settings each
call site used before the declaration existed; import cycles between jobs and services stay module imports."""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from bson import ObjectId

import app.tasks
from app.domain.onboarding import identities
from app.domain.platform import notifications
from app.domain.transfers import review as transfer_review
from app.domain.whitelisting import review
from app.tasks import chain, esign, kyc, minting, order_expiry, queues, settlement
from app.tasks import identity as identity_jobs
from app.tasks import notifications as notification_jobs
from app.tasks import transfers as transfer_jobs

ROOT = Path(__file__).resolve().parents[2]
WEEK = 7 * 86400
CHAIN_RETRY = (8, [1, 2, 5, 10, 30, 60, 120, 300])
# RQ stores a job by its function's import path: jobs already waiting in Redis keep these paths.
JOB_PATHS = {"app.tasks.chain.run_chain_job", "app.tasks.minting.recover_failed_mint",
             "app.tasks.settlement.mint_settled_orders", "app.tasks.order_expiry.sweep_unpaid_orders",
             "app.tasks.identity.create_identities", "app.tasks.kyc.apply_kyc_event", "app.tasks.kyc.open_applicant",
             "app.tasks.kyc.renew_applicant",
             "app.tasks.esign.apply_esign_event", "app.tasks.esign.register_investor",
             "app.tasks.notifications.deliver_message", "app.tasks.transfers.execute_transfer",
             "app.tasks.nav.mail_holders", "app.tasks.rekyc.sweep_kyc_validity", "app.tasks.rekyc.revoke_kyc_claims",
             "app.tasks.metrics_history.sample_metrics",
             "app.tasks.enforcement.execute_case", "app.tasks.enforcement.sweep_cases",
             "app.tasks.conversion.finish_enabling",
             "app.tasks.token_opening.sweep_token_openings",
             "app.tasks.distribution_snapshot.take_snapshot", "app.tasks.distribution_snapshot.sweep_record_dates",
             "app.tasks.distributions.pay_distribution", "app.tasks.distributions.sweep_payouts",
             "app.tasks.distributions.mark_scheduled", "app.tasks.compliance_limits.apply_change",
             "app.tasks.compliance_limits.sweep_changes"}


def declared_jobs() -> dict[str, object]:
    jobs = {}
    for info in pkgutil.iter_modules(app.tasks.__path__, "app.tasks."):
        for value in vars(importlib.import_module(info.name)).values():
            if inspect.isfunction(value) and hasattr(value, "queue_name") and value.__module__ == info.name:
                jobs[f"{value.__module__}.{value.__qualname__}"] = value
    return jobs


def test_every_job_is_the_function_itself_at_its_import_path_on_a_declared_queue():
    jobs = declared_jobs()
    assert set(jobs) == JOB_PATHS
    for path, fn in jobs.items():
        module, name = path.rsplit(".", 1)
        assert getattr(importlib.import_module(module), name) is fn, "RQ imports the job by this path"
        assert fn.queue_name in queues.QUEUES


def test_the_worker_listens_on_the_declared_queues_in_priority_order():
    assert queues.QUEUES == ("kyc", "esign", "chain", "mail", "default")
    assert "worker: exec flask --app wsgi worker\n" in (ROOT / "Procfile").read_text(), "all of QUEUES by default"


def test_a_job_on_an_undeclared_queue_is_refused():
    with pytest.raises(ValueError, match="unknown queue 'slow'"):
        queues.job("slow", timeout=1)


class Recorder:
    """Stands in for the RQ queue `queues.queue` builds; keeps what each enqueue was given."""

    def __init__(self, name: str, config):
        self.name, self.config, self.calls = name, config, []

    def enqueue(self, fn, **call):
        self.calls.append(("enqueue", fn, call))

    def enqueue_at(self, at, fn, **call):
        self.calls.append(("enqueue_at", fn, {**call, "at": at}))

    def enqueue_many(self, prepared):
        self.calls.extend(("enqueue_many", data.func, data) for data in prepared)


@pytest.fixture
def enqueued(monkeypatch):
    built: list[Recorder] = []

    def queue(name, config=None):
        built.append(Recorder(name, config))
        return built[-1]

    monkeypatch.setattr(queues, "queue", queue)

    def calls():
        return [(q.name, q.config, kind, fn, call) for q in built for kind, fn, call in q.calls]
    return calls


def settings(call: dict) -> tuple:
    retry = call["retry"]
    return (call["job_timeout"], call["result_ttl"], call["failure_ttl"],
            (retry.max, retry.intervals) if retry else None)


USER, MESSAGE, WHITELIST, TRANSFER = ObjectId(), ObjectId(), ObjectId(), ObjectId()
CALL_SITES = [  # (enqueue, queue, job, args, RQ job id, description, (timeout, result TTL, failure TTL, retry))
    (lambda: identities.enqueue_identities(USER), "chain", identity_jobs.create_identities, (str(USER),),
     f"identities-{USER}", f"ONCHAINID identities of user {USER}", (600, 3600, WEEK, None)),
    (lambda: notifications._enqueue(MESSAGE), "mail", notification_jobs.deliver_message, (str(MESSAGE),),
     f"message-{MESSAGE}", None, (60, 3600, WEEK, None)),
    (lambda: review.enqueue_registration(WHITELIST), "chain", esign.register_investor, (str(WHITELIST),),
     f"whitelist-register-{WHITELIST}", f"register the investor of whitelist {WHITELIST}",
     (600, 3600, WEEK, (5, [5, 30, 60, 300, 900]))),
    (lambda: settlement.enqueue_minting({}, USER), "chain", settlement.mint_settled_orders, (str(USER),),
     f"mint-settled-{USER}", f"mint settled orders of offering {USER}", (600, 600, WEEK, CHAIN_RETRY)),
    (lambda: esign.apply_esign_event.delay("d1", job_id="esign-d1"), "esign", esign.apply_esign_event, ("d1",),
     "esign-d1", None, (60, 3600, WEEK, None)),
    (lambda: kyc.apply_kyc_event.delay("e1", job_id="kyc-e1"), "kyc", kyc.apply_kyc_event, ("e1",),
     "kyc-e1", None, (60, 3600, WEEK, None)),
    (lambda: kyc.open_applicant.delay("u1", job_id="kyc-applicant-u1"), "kyc", kyc.open_applicant, ("u1",),
     "kyc-applicant-u1", None, (120, 3600, WEEK, None)),
    (lambda: kyc.renew_applicant.delay("u1", job_id="kyc-renewal-u1-1"), "kyc", kyc.renew_applicant, ("u1",),
     "kyc-renewal-u1-1", None, (120, 3600, WEEK, None)),
    (lambda: minting.recover_failed_mint.delay("m:1", job_id="recover-x", description="recover failed mint job m:1"),
     "chain", minting.recover_failed_mint, ("m:1",), "recover-x", "recover failed mint job m:1",
     (600, 3600, WEEK, CHAIN_RETRY)),
    (lambda: transfer_review.enqueue_execution({}, TRANSFER), "chain", transfer_jobs.execute_transfer,
     (str(TRANSFER),), f"transfer-{TRANSFER}", f"execute transfer request {TRANSFER}", (600, 3600, WEEK, CHAIN_RETRY)),
]


@pytest.mark.parametrize("enqueue,queue,fn,args,job_id,description,expected", CALL_SITES)
def test_each_call_site_enqueues_its_job_by_reference_with_its_settings(
        enqueued, enqueue, queue, fn, args, job_id, description, expected):
    enqueue()
    [(name, _config, kind, job, call)] = enqueued()
    assert (name, kind, job, call["args"], call["job_id"], call["description"]) == (
        queue, "enqueue", fn, args, job_id, description)
    assert settings(call) == expected


def test_chain_jobs_are_enqueued_in_one_round_trip_under_their_digest_ids(enqueued):
    config = {"REDIS_URL": "redis://example"}
    chain.enqueue_many(config, ["mint:a", "mint:b"])
    chain.enqueue_many(config, [])
    calls = enqueued()
    assert [(name, cfg, kind, job) for name, cfg, kind, job, _ in calls] == [("chain", config, "enqueue_many",
                                                                             chain.run_chain_job)] * 2
    assert [(data.args, data.job_id, data.description) for *_, data in calls] == [
        (("mint:a",), chain.rq_job_id("mint:a"), "chain job mint:a"),
        (("mint:b",), chain.rq_job_id("mint:b"), "chain job mint:b")]
    data = calls[0][-1]
    assert (data.timeout, data.result_ttl, data.failure_ttl, data.retry.max, data.retry.intervals) == (
        600, 3600, WEEK, *CHAIN_RETRY)


def test_the_order_expiry_sweep_is_scheduled_at_its_next_slot(enqueued):
    config = {"REDIS_URL": "redis://example"}
    job_id = order_expiry.ensure_scheduled(config)
    [(name, cfg, kind, job, call)] = enqueued()
    slot = int(job_id.removeprefix("order-expiry-"))
    assert (name, cfg, kind, job, call["args"], call["job_id"]) == (
        "default", config, "enqueue_at", order_expiry.sweep_unpaid_orders, (), job_id)
    assert call["at"] == datetime.fromtimestamp(slot * order_expiry.EVERY_S, UTC)
    assert call["description"] == "expire unpaid orders, remind before"
    assert settings(call) == (600, order_expiry.EVERY_S, WEEK, None)


def module_imports() -> dict[tuple[str, str], str]:
    """(importer, imported) -> 'module' or the name taken from it, for app's module-level imports."""
    modules = {".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__"): p
               for p in (ROOT / "app").rglob("*.py")}
    edges: dict[tuple[str, str], str] = {}
    for name, path in modules.items():
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.Import):
                edges.update({(name, a.name): "module" for a in node.names if a.name in modules})
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                for alias in node.names:
                    if f"{node.module}.{alias.name}" in modules:
                        edges[(name, f"{node.module}.{alias.name}")] = "module"
                    elif node.module in modules:
                        edges.setdefault((name, node.module), alias.name)
    return edges


def reaches(edges, start: str) -> set[str]:
    seen, todo = set(), [start]
    while todo:
        for (a, b) in edges:
            if a == todo[-1] and b not in seen:
                seen.add(b)
                todo.append(b)
                break
        else:
            todo.pop()
    return seen


def test_modules_in_an_import_cycle_import_each_other_as_modules():
    """Services enqueue through their job module and jobs call their services: such a cycle imports whichever
    module comes first only if no module in it takes a name from another at import time (app/tasks/__init__.py)."""
    edges = module_imports()
    reach = {a: reaches(edges, a) for a, _ in edges}
    by_name = {(a, b): taken for (a, b), taken in edges.items() if taken != "module" and a in reach.get(b, ())}
    assert by_name == {}
