"""Who is at the keyboard: passwords (argon2 hashes only), one-time invitation codes, lock-out after failed
sign-ins, viewing as someone else, and the audit log of all of it.

The store's access rules decide what a person may see; this module decides who the person is. A password,
a hash or a code never leaves this module except as the one-time code an admin is shown when making it.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from simulator.i18n import t
from transcripts.repository import AccessDenied, Repository
from transcripts.tables import AuditRow, CredentialRow, InvitationRow, PersonRow, now

LOCK_AFTER = 5
"""Failed sign-ins in a row that lock a name."""
LOCK_FOR = timedelta(minutes=5)
FAILURE_DELAY = 1.0
"""Seconds every failed sign-in waits before it answers, so guessing is slow even before the lock."""
INVITATION_LIFETIME = timedelta(days=7)
MIN_PASSWORD = 8

_hasher = PasswordHasher()
"""argon2id with argon2-cffi's defaults (RFC 9106's low-memory profile)."""


@cache
def _dummy_hash() -> str:
    """Verified against for an unknown name, so a wrong name takes as long as a wrong password. Made on the
    first unknown name, not when the app starts (hashing takes a noticeable moment)."""
    return _hasher.hash(secrets.token_hex(16))


class SignInFailed(AccessDenied):
    """The one answer to a wrong name, a wrong password or a spent code: which it was is not said."""


@dataclass(frozen=True)
class AuditEntry:
    at: datetime
    actor: str | None
    action: str
    subject: str


def _aware(moment: datetime) -> datetime:
    """SQLite hands datetimes back without their zone; they were stored in UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _sha256(code: str) -> str:
    return hashlib.sha256(code.strip().encode()).hexdigest()


def _person(db: Session, name: str) -> PersonRow | None:
    return db.exec(select(PersonRow).where(PersonRow.name == name)).first()


def _record(db: Session, actor: PersonRow | None, action: str, subject: str) -> None:
    db.add(AuditRow(actor_id=actor.id if actor else None, action=action, subject=subject))


def _check_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccessDenied(t("signin.too_short", count=MIN_PASSWORD))


def _set_hash(db: Session, person: PersonRow, password: str) -> None:
    assert person.id is not None
    row = db.get(CredentialRow, person.id) or CredentialRow(person_id=person.id, hash="")
    row.hash, row.failures, row.locked_until, row.updated_at = _hasher.hash(password), 0, None, now()
    db.add(row)


def has_password(engine: Engine, name: str) -> bool:
    with Session(engine) as db:
        person = _person(db, name)
        return person is not None and db.get(CredentialRow, person.id) is not None


def anyone_can_sign_in(engine: Engine) -> bool:
    """Someone has a password or an unspent invitation: a sign-in screen is not a locked door."""
    with Session(engine) as db:
        if db.exec(select(CredentialRow)).first() is not None:
            return True
        return any(
            _aware(i.expires_at) > now()
            for i in db.exec(select(InvitationRow).where(col(InvitationRow.used_at).is_(None)))
        )


def sign_in(
    engine: Engine,
    name: str,
    password: str,
    *,
    action: str = "sign_in",
    by: Repository | None = None,
    delay: float | None = None,
) -> Repository:
    """The repository as ``name`` if the password is theirs. ``action`` and ``by`` say in the audit log whether
    this is a sign-in or someone switching identity."""
    actor = by.actor if by else None
    with Session(engine, expire_on_commit=False) as db:
        person = _person(db, name)
        credential = db.get(CredentialRow, person.id) if person else None
        # A locked name answers as an unknown one does, in words and in time: no answer tells who exists.
        if credential and credential.locked_until and _aware(credential.locked_until) > now():
            _verify(_dummy_hash(), password)
            _record(db, actor, f"{action}_locked", name)
            db.commit()
            time.sleep(FAILURE_DELAY if delay is None else delay)
            raise SignInFailed(_failed())
        if person is None or credential is None:
            _verify(_dummy_hash(), password)
            _record(db, actor, f"{action}_failed", name if person else "?")
            db.commit()
            time.sleep(FAILURE_DELAY if delay is None else delay)
            raise SignInFailed(_failed())
        if not _verify(credential.hash, password):
            credential.failures += 1
            locked = credential.failures >= LOCK_AFTER
            if locked:
                credential.locked_until, credential.failures = now() + LOCK_FOR, 0
            db.add(credential)
            _record(db, actor, f"{action}_failed", name)
            if locked:
                _record(db, actor, "locked", name)
            db.commit()
            time.sleep(FAILURE_DELAY if delay is None else delay)
            raise SignInFailed(_failed())
        if _hasher.check_needs_rehash(credential.hash):
            credential.hash = _hasher.hash(password)
        credential.failures, credential.locked_until = 0, None
        db.add(credential)
        _record(db, actor or person, action, name)
        db.commit()
        return Repository(engine, person)


def _failed() -> str:
    return t("signin.failed", count=LOCK_AFTER, minutes=round(LOCK_FOR.total_seconds() / 60))


def _verify(hashed: str, password: str) -> bool:
    try:
        return _hasher.verify(hashed, password)
    except (VerificationError, InvalidHashError):
        return False


def set_password(repo: Repository, name: str, password: str) -> None:
    """An admin sets anyone's password; a person may change their own."""
    if repo.actor.role != "admin" and repo.actor.name != name:
        raise AccessDenied(t("signin.admin_only", name=repo.actor.name))
    _check_strength(password)
    with repo.db() as db:
        person = _person(db, name)
        if person is None:
            raise AccessDenied(t("store.unknown_person", name=name))
        _set_hash(db, person, password)
        _record(db, repo.actor, "password_set", name)
        db.commit()


def invite(repo: Repository, name: str, lifetime: timedelta = INVITATION_LIFETIME) -> str:
    """A one-time code for ``name`` to choose a password with. Shown once; only its hash is stored."""
    if repo.actor.role != "admin":
        raise AccessDenied(t("signin.admin_only", name=repo.actor.name))
    code = "-".join(secrets.token_hex(3) for _ in range(4))  # 96 bits, easy to read out
    with repo.db() as db:
        person = _person(db, name)
        if person is None:
            raise AccessDenied(t("store.unknown_person", name=name))
        assert person.id is not None and repo.actor.id is not None
        db.add(
            InvitationRow(
                person_id=person.id, code_sha256=_sha256(code), created_by=repo.actor.id, expires_at=now() + lifetime
            )
        )
        _record(db, repo.actor, "invited", name)
        db.commit()
    return code


def redeem(engine: Engine, name: str, code: str, password: str, *, delay: float | None = None) -> Repository:
    """Spend an invitation: ``name`` chooses a password and is signed in."""
    _check_strength(password)
    with Session(engine, expire_on_commit=False) as db:
        person = _person(db, name)
        invitation = db.exec(select(InvitationRow).where(InvitationRow.code_sha256 == _sha256(code))).first()
        usable = (
            person is not None
            and invitation is not None
            and invitation.person_id == person.id
            and invitation.used_at is None
            and _aware(invitation.expires_at) > now()
        )
        if not usable or person is None or invitation is None:
            _record(db, None, "invitation_failed", name if person else "?")
            db.commit()
            time.sleep(FAILURE_DELAY if delay is None else delay)
            raise SignInFailed(t("signin.bad_code"))
        invitation.used_at = now()
        db.add(invitation)
        _set_hash(db, person, password)
        _record(db, person, "invitation_redeemed", name)
        db.commit()
        return Repository(engine, person)


def view_as(repo: Repository, name: str) -> Repository:
    """Staff look at the app as ``name`` without their password: read-only, and recorded."""
    if not repo.is_staff:
        raise AccessDenied(t("store.staff_only", name=repo.actor.name))
    with repo.db() as db:
        person = _person(db, name)
        if person is None:
            raise AccessDenied(t("store.unknown_person", name=name))
        _record(db, repo.actor, "view_as", name)
        db.commit()
    return Repository(repo.engine, person, viewer=repo.actor)


def audit_log(repo: Repository, limit: int = 100) -> list[AuditEntry]:
    """The newest entries first. Admins only."""
    if repo.actor.role != "admin":
        raise AccessDenied(t("signin.admin_only", name=repo.actor.name))
    with repo.db() as db:
        names = {p.id: p.name for p in db.exec(select(PersonRow))}
        rows = db.exec(select(AuditRow).order_by(col(AuditRow.id).desc()).limit(limit))
        return [AuditEntry(_aware(r.at), names.get(r.actor_id), r.action, r.subject) for r in rows]
