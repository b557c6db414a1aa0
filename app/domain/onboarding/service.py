"""The investor's KYC/KYB wizard: choose the path, save each step, resume, submit to the KYC provider.

Rules:
- every save is one conditional update on `userdetails` that matches only while the
  application is not submitted (`isFinalSubmission`), so a submitted application is locked
  until a reviewer asks for changes or the provider rejects it with a retry;
- `kycSteps` holds the index of the first step not yet saved: coming back resumes there;
- sensitive numbers are encrypted before they are stored;
- submission locks the data, marks the user `submitted` and queues the provider job
  (applicant, web SDK token, check request) on the `kyc` queue: no provider call in a request.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from bson import ObjectId
from flask import current_app

from app import locks
from app.data import user_details, users
from app.data.mongo import get_db
from app.domain import errors
from app.domain.onboarding import kyc_rules, rules, sensitive
from app.domain.platform import audit, uploads
from app.providers.sumsub import SumsubClient
from app.tasks import kyc as kyc_jobs

SDK_TOKEN_TTL_S = 1800


class WizardLocked(errors.Refused, RuntimeError):
    """The application is submitted (or approved); nothing can be changed until a reviewer reopens it."""


class NoSuchStep(errors.NotFound):
    """No such step (or list step) on the applicant's path (404)."""


@dataclass
class StepResult:
    values: dict
    errors: dict = field(default_factory=dict)
    next_step: str | None = None

    @property
    def ok(self) -> bool:
        return not self.errors


def _key() -> str:
    return current_app.config["DATA_ENCRYPTION_KEY"]


def details_of(user: dict) -> dict:
    """The user's own details with sensitive numbers in clear (only ever shown to the owner or a reviewer)."""
    user_id = ObjectId(user["_id"])
    # A read never writes: before the first save the details are simply empty.
    details = user_details.get(get_db(), user_id) or {"userId": user_id, "kycSteps": 0, "isFinalSubmission": False,
                                                      "wallets": []}
    return sensitive.reveal_fields(_key(), details, clear=True)


def account_type(details: dict) -> str | None:
    return details.get("accountType")


def is_locked(user: dict, details: dict) -> bool:
    return bool(details.get("isFinalSubmission")) or user.get("kycStatus") == kyc_rules.APPROVED or bool(
        user.get("kycFinalRejection"))


def current_step(details: dict) -> rules.Step:
    """The step to show on arrival: the first not yet saved (resume), the review step at the end."""
    wizard = rules.wizard(account_type(details) or rules.INDIVIDUAL)
    marked = [s for s in wizard.steps if s.key in (details.get("changesRequested") or ())]
    if marked:  # a reviewer asked for changes: those steps first
        return marked[0]
    return wizard.resume(int(details.get("kycSteps") or 0))


def choose_type(user: dict, chosen: str) -> None:
    """Start (or restart) the wizard on the individual or institution path."""
    if chosen not in rules.STEPS:
        raise ValueError("Choose individual or institution.")
    db = get_db()
    user_details.ensure(db, ObjectId(user["_id"]))
    with locks.userdetails(user["_id"]):
        saved = user_details.save_open(db, ObjectId(user["_id"]), {"accountType": chosen, "kycSteps": 0})
    if not saved:
        raise WizardLocked("Your application is submitted and cannot be changed now.")
    with locks.user(user["_id"]):  # as every write of a user
        users.set_if(db, ObjectId(user["_id"]), {"kycStatus": {"$in": [None, kyc_rules.NOT_STARTED]}},
                     {"kycStatus": kyc_rules.IN_PROGRESS})


def save_step(user: dict, key: str, form: dict, files: dict, today: date | None = None) -> StepResult:
    """Validate and save one step; on errors nothing is saved and the typed values come back."""
    db, user_id = get_db(), ObjectId(user["_id"])
    details = user_details.get(db, user_id) or {}  # created only when a valid step is saved: a refusal writes nothing
    kind = account_type(details) or rules.INDIVIDUAL
    step = rules.step_named(kind, key)
    if step is None or step.key == "review":
        raise NoSuchStep(f"no step {key!r}")
    if is_locked(user, details):
        raise WizardLocked("Your application is submitted and cannot be changed now.")
    values, errors = rules.validate(step, form, today or datetime.now(UTC).date())
    config = current_app.config
    with uploads.Batch(config["UPLOAD_DIR"], str(user_id), config["UPLOAD_MAX_BYTES"]) as batch:  # refused: removed
        stored_files = _store_files(step, details, files, batch, errors)
        if errors:
            return StepResult(values, errors)
        update = _update_for(step, details, {**values, **stored_files})
        update["kycSteps"] = rules.wizard(kind).saved_after(key, int(details.get("kycSteps") or 0), stay=step.repeat)
        update["changesRequested"] = [k for k in details.get("changesRequested") or () if k != key]
        with locks.userdetails(user_id):
            user_details.ensure(db, user_id)
            saved = user_details.save_open(db, user_id, update)
        if not saved:
            raise WizardLocked("Your application is submitted and cannot be changed now.")
        batch.keep()
    return StepResult(values, next_step=None if step.repeat else rules.wizard(kind).next(key).key)


def finish_repeat_step(user: dict, key: str) -> StepResult:
    """Leave a list step (owners, management) once it holds at least one entry."""
    db, user_id = get_db(), ObjectId(user["_id"])
    details = user_details.get(db, user_id) or {}  # a refusal writes nothing (no empty details created)
    kind = account_type(details) or rules.INSTITUTION
    step = rules.step_named(kind, key)
    if step is None or not step.repeat:
        raise NoSuchStep(f"no list step {key!r}")
    if not dig(details, step.path):
        return StepResult({}, {"__all__": "Add at least one entry before continuing."})
    wizard = rules.wizard(kind)
    with locks.userdetails(user_id):
        user_details.save_open(db, user_id, {"kycSteps": wizard.saved_after(key, int(details.get("kycSteps") or 0))})
    return StepResult({}, next_step=wizard.next(key).key)


def _store_files(step: rules.Step, details: dict, files: dict, batch: uploads.Batch, errors: dict) -> dict:
    stored = {}
    existing = dig(details, step.path) or {}
    for f in step.fields:
        if f.kind != "file":
            continue
        upload = files.get(f.name)
        if upload is None or not upload.filename:
            if f.required and not existing.get(f.name):
                errors[f.name] = "Choose a file."
            continue
        try:
            stored[f.name] = batch.store(upload.stream).name
        except uploads.UploadTooLarge:
            raise  # the view answers 413
        except uploads.UploadRefused as refused:
            errors[f.name] = str(refused)
    return stored


def _update_for(step: rules.Step, details: dict, values: dict) -> dict:
    encrypted = sensitive.encrypt_fields(_key(), values)
    if step.repeat:
        return {step.path: [*(dig(details, step.path) or []), {"personalInformation": encrypted}]}
    return {f"{step.path}.{name}": value for name, value in encrypted.items()}


def dig(document: dict, path: str):
    for part in path.split("."):
        document = (document or {}).get(part)
    return document


def submit(user: dict) -> None:
    """Final submission: lock, mark submitted, queue the provider job. Every step must be saved first."""
    db, user_id = get_db(), ObjectId(user["_id"])
    details = user_details.get(db, user_id) or {}  # a refused submission writes nothing
    kind = account_type(details) or rules.INDIVIDUAL
    if not rules.wizard(kind).all_saved(int(details.get("kycSteps") or 0)):
        raise ValueError("Complete every step before submitting.")
    if user.get("kycFinalRejection"):
        raise WizardLocked("Your application was rejected and cannot be submitted again.")
    if details.get("changesRequested"):
        raise ValueError("Update the steps the reviewer marked before submitting again.")
    with locks.userdetails(user_id):
        locked = user_details.lock(db, user_id)
    if not locked:
        raise WizardLocked("Your application is already submitted.")
    users.set_fields_locked(db, user_id, {"kycStatus": kyc_rules.SUBMITTED, "kycReason": "",
                                          "levelName": level_for(kind)})
    audit.record("kyc.submitted", actor=user, details={"accountType": kind})
    kyc_jobs.open_applicant.delay(str(user_id), job_id=f"kyc-applicant-{user_id}")


def level_for(kind: str) -> str:
    config = current_app.config
    return config["KYB_LEVEL_NAME"] if kind == rules.INSTITUTION else config["KYC_LEVEL_NAME"]


def open_applicant(user_id: str) -> str:
    """Provider side of a submission (job): applicant, web SDK link, check request. Safe to run again."""
    db = get_db()
    user = users.by_id(db, ObjectId(user_id))
    details = user_details.get(db, ObjectId(user_id)) or {}
    level = level_for(account_type(details) or rules.INDIVIDUAL)
    provider = SumsubClient.from_config(current_app.config)
    applicant = provider.create_applicant(user_id, level, email=user.get("email"))
    token = provider.access_token(user_id, level, SDK_TOKEN_TTL_S)
    expires = datetime.now(UTC) + timedelta(seconds=SDK_TOKEN_TTL_S)
    # Locked: the provider's first webhooks for this applicant can be applied at this very moment.
    users.set_fields_locked(db, user["_id"], {"kycApplicationId": applicant["id"], "levelName": level})
    sdk_url = f"{current_app.config['KYC_API_URL'].rstrip('/')}/websdk?accessToken={token['token']}"
    with locks.userdetails(user["_id"]):
        user_details.save_any(db, user["_id"], {"isIdentityVerification": {
            "url": sdk_url, "status": "pending", "expireTime": expires.isoformat()}})
    if details.get("isFinalSubmission"):
        provider.request_check(applicant["id"])
    return applicant["id"]


def step_values(details: dict, step: rules.Step) -> dict:
    """What the step shows when opened: the saved values (not for list steps, which add a new entry)."""
    if step.repeat or not step.path:
        return {}
    saved = dig(details, step.path) or {}
    return {f.name: saved.get(f.name, "") for f in step.fields if f.kind != "file"}
