"""Org use cases: departments, users, sign-in and tokens. Each use case takes (uow or session,
actor, command) and first checks its rule in policy.py."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy.orm import Session

from cityops.infra.outbox import UnitOfWork
from cityops.infra.settings import Settings
from cityops.kernel.actor import Actor, Role
from cityops.kernel.clock import Clock
from cityops.kernel.errors import Conflict, NotFound, Unauthenticated, ValidationFailed
from cityops.kernel.events import Event
from cityops.kernel.text import checked_code, clean_text
from cityops.kernel.ttl_cache import TtlCache
from cityops.org import credentials, events, policy, store
from cityops.org.model import (
    AccessToken,
    ApiTokenRef,
    DepartmentKind,
    DepartmentRef,
    DepartmentUpdate,
    IssuedApiToken,
    NewApiToken,
    NewDepartment,
    NewUser,
    UserRef,
    UserUpdate,
    area_prefixes,
    check_area_codes,
    check_department,
    check_password,
    check_user_scope,
    check_username,
    longest_prefix_office,
    parse_roles,
)
from cityops.org.password_checks import PasswordChecks, default_workers
from cityops.org.throttle import LoginThrottle, ThrottleRules

BAD_CREDENTIALS = "wrong username or password"
TOKEN_USE_RECORD_INTERVAL = timedelta(minutes=1)


ACTOR_CACHE_SECONDS = 5.0
VERIFIED_TOKEN_SECONDS = 300.0
DEPARTMENT_CACHE_SECONDS = 30.0
# the longest account name and address the sign-in throttle keeps (a key, not a check)
THROTTLE_KEY_LENGTH = 128


class AreaRegister(Protocol):
    """The register of areas that org's area codes must name (geo's service, wired in app.py;
    org does not import geo): `get_area` raises NotFound for a code that names no area."""

    def get_area(self, session: Session, code: str) -> object: ...


class OrgService:
    """platform.org — departments (承办单位), users, roles and credentials."""

    def __init__(self, *, clock: Clock, settings: Settings, areas: AreaRegister) -> None:
        self._clock = clock
        self._areas = areas
        self._settings = settings
        self._passwords = credentials.Passwords(
            credentials.password_hasher(fast=settings.env == "test")
        )
        # sign-in: passwords verified on a small pool of their own, attempts throttled
        self.password_checks = PasswordChecks(
            self._passwords,
            workers=settings.password_check_workers or default_workers(),
            queue=settings.password_check_queue,
        )
        self.throttle = LoginThrottle(
            ThrottleRules(
                free_failures=settings.login_free_failures,
                free_address_failures=settings.login_free_address_failures,
                max_wait=settings.login_max_wait_seconds,
                forget_after=settings.login_forget_after_seconds,
                account_attempts_per_minute=settings.login_attempts_per_account_per_minute,
            ),
            lambda: clock.now().timestamp(),
        )
        self._token_use_lock = threading.Lock()
        self._token_used: dict[str, datetime] = {}
        # Read on every request / every case: users behind tokens and departments. Changes made
        # here clear them once they commit; another process's changes are seen within the TTL.
        # Whether a token still works (active user, its generation, not signed out) is not
        # cached: it is read on every request, so a revocation holds at once on every server.
        self._actors: TtlCache[Actor] = TtlCache(ACTOR_CACHE_SECONDS)
        # A token's signature cannot change, so it is checked once per token (its expiry is
        # checked on every use): a signature check costs more than the rest of the lookup.
        self._verified: TtlCache[credentials.AccessClaims] = TtlCache(VERIFIED_TOKEN_SECONDS)
        self._departments: TtlCache[DepartmentRef | None] = TtlCache(DEPARTMENT_CACHE_SECONDS)

    # --- departments -------------------------------------------------------------------------

    def department_by_code(self, session: Session, code: str) -> DepartmentRef:
        dept = self._departments.get_or_load(
            ("code", code), lambda: store.get_department(session, code=code)
        )
        if dept is None:
            raise NotFound(f"no department with code {code!r}", code="unknown_department")
        return dept

    def department_by_id(self, session: Session, id: int) -> DepartmentRef:
        dept = self._departments.get_or_load(
            ("id", id), lambda: store.get_department(session, id=id)
        )
        if dept is None:
            raise NotFound(f"no department with id {id}", code="unknown_department")
        return dept

    def office_for_area(
        self, session: Session, area_code: str, kind: DepartmentKind
    ) -> DepartmentRef | None:
        """The active department of `kind` whose area is the longest prefix of `area_code`."""

        def load() -> DepartmentRef | None:
            candidates = store.departments_on_areas(session, kind, area_prefixes(area_code))
            return longest_prefix_office(candidates, area_code)

        return self._departments.get_or_load(("office", area_code, kind), load)

    def list_departments(
        self, session: Session, *, kind: DepartmentKind | None = None
    ) -> list[DepartmentRef]:
        return store.list_departments(session, kind)

    def create_department(self, uow: UnitOfWork, actor: Actor, cmd: NewDepartment) -> DepartmentRef:
        policy.may_create_department(actor)
        cmd = check_department(cmd)
        session = uow.session
        self._check_areas_exist(session, [cmd.area_code] if cmd.area_code else [])
        if store.get_department(session, code=cmd.code) is not None:
            raise Conflict(f"department {cmd.code!r} already exists", code="department_exists")
        parent_id = self._department_id(session, cmd.parent_code)
        dept_id = store.insert_department(
            session,
            {
                "code": cmd.code,
                "name": cmd.name,
                "kind": DepartmentKind(cmd.kind).value,
                "area_code": cmd.area_code,
                "parent_id": parent_id,
                "phone": cmd.phone,
                "active": True,
            },
        )
        # a cached "no office here" may now be wrong: cleared now, for the rest of this
        # transaction, and again once it commits (a request may have cached the old answer)
        self._departments.clear()
        store.on_commit(session, self._departments.clear)
        dept = self._fresh_department(session, dept_id)
        self._emit(
            uow,
            actor,
            events.DepartmentCreated,
            department_id=dept.id,
            code=dept.code,
            kind=dept.kind.value,
            area_code=dept.area_code,
        )
        return dept

    def update_department(
        self, uow: UnitOfWork, actor: Actor, department_id: int, cmd: DepartmentUpdate
    ) -> DepartmentRef:
        policy.may_update_department(actor)
        dept = self._fresh_department(uow.session, department_id)
        values: dict[str, Any] = {}
        if cmd.name is not None:
            name = clean_text(cmd.name).strip()
            if not name:
                raise ValidationFailed("a department needs a name", code="missing_name")
            values["name"] = name
        if cmd.area_code is not None:
            values["area_code"] = check_area_codes([cmd.area_code])[0]
            self._check_areas_exist(uow.session, [values["area_code"]])
        if cmd.phone is not None:
            values["phone"] = clean_text(cmd.phone).strip() or None
        if cmd.active is not None:
            values["active"] = cmd.active
        store.update_department(uow.session, dept.id, values)
        self._emit(
            uow,
            actor,
            events.DepartmentUpdated,
            department_id=dept.id,
            code=dept.code,
            changed=tuple(sorted(values)),
        )
        self._departments.clear()
        store.on_commit(uow.session, self._departments.clear)
        return self._fresh_department(uow.session, dept.id)

    def _check_areas_exist(self, session: Session, codes: Iterable[str]) -> None:
        """Every area code names an area of the register (422 unknown_area naming it)."""
        for code in codes:
            try:
                self._areas.get_area(session, code)
            except NotFound:
                raise ValidationFailed(
                    f"unknown area {code!r}: no area has this code (import the areas first, "
                    "e.g. cityops geo import)",
                    code="unknown_area",
                    area_code=code,
                ) from None

    @staticmethod
    def _fresh_department(session: Session, department_id: int) -> DepartmentRef:
        """Read past the cache: writes must see the row as it is in their transaction."""
        dept = store.get_department(session, id=department_id)
        if dept is None:
            raise NotFound(f"no department with id {department_id}", code="unknown_department")
        return dept

    # --- sign-in and tokens ------------------------------------------------------------------

    @contextmanager
    def sign_in_admission(self, username: str, client: str) -> Iterator[None]:
        """What a sign-in passes before any database read or password check: the throttle
        (SignInThrottled when this address must wait after its failures) and a place on the
        bounded password-check pool, held for the block (SignInBusy when it is full)."""
        self.throttle.check(_account(username), client[:THROTTLE_KEY_LENGTH])
        with self.password_checks.slot():
            yield

    def login(self, session: Session, username: str, password: str, *, client: str) -> AccessToken:
        """OAuth2 password flow, inside `sign_in_admission`: a bearer token for the right
        password. The same message for an unknown user and a wrong password; failures and
        successes of `client` (the caller's address) are counted for the throttle."""
        account, address = _account(username), client[:THROTTLE_KEY_LENGTH]
        stored = store.get_user(session, username=account)
        ok = self.password_checks.verify(stored.password_hash if stored else None, password)
        if stored is None or not ok:
            self.throttle.failed(account, address)
            raise Unauthenticated(BAD_CREDENTIALS, code="invalid_credentials")
        self.throttle.succeeded(account, address)
        if not stored.user.active:
            raise Unauthenticated("this account is deactivated", code="account_inactive")
        return self._access_token(stored)

    def access_token_for_user(self, session: Session, username: str) -> AccessToken:
        """A bearer token without a password: for the demo, tests and trusted local tools."""
        stored = store.get_user(session, username=username.strip().lower())
        if stored is None:
            raise NotFound(f"no user named {username!r}", code="unknown_user")
        if not stored.user.active:
            raise Unauthenticated(f"user {username!r} is deactivated", code="account_inactive")
        return self._access_token(stored)

    def actor_from_token(self, session: Session, token: str) -> Actor:
        """The actor behind a bearer token (signed user token or `cok_` API token). Whether the
        token still works is read from the database on every call (one primary-key read): a
        deactivation, a password change or a sign-out on any server holds at once."""
        if credentials.is_api_token(token):
            ref = store.get_api_token(session, token_hash=credentials.hash_api_token(token))
            if ref is None:
                raise Unauthenticated("the API token is not valid", code="invalid_token")
            if ref.revoked_at is not None:
                raise Unauthenticated("this API token has been revoked", code="token_revoked")
            user_id = ref.user_id
            if not store.user_active(session, user_id):
                raise _inactive()
        else:
            claims = self._claims(token)
            user_id = claims.user_id
            standing = store.token_standing(session, user_id, claims.token_id)
            if standing is None or not standing.active:
                raise _inactive()
            if standing.revoked:
                raise Unauthenticated(
                    "this token was signed out; sign in again", code="token_revoked"
                )
            if standing.generation != claims.generation:
                raise Unauthenticated(
                    "this token was revoked (the password changed or the account was signed "
                    "out everywhere); sign in again",
                    code="token_revoked",
                )

        def load() -> Actor:
            stored = store.get_user(session, id=user_id)
            if stored is None or not stored.user.active:
                raise _inactive()
            return self._actor(stored)

        return self._actors.get_or_load(user_id, load)

    def log_out(self, uow: UnitOfWork, token: str, *, everywhere: bool = False) -> None:
        """Sign the presented bearer token out, at once and on every server; `everywhere`: every
        token of its user (the user's token generation rises). Not a use case with a policy:
        holding the token is the right to end it."""
        if credentials.is_api_token(token):
            raise ValidationFailed(
                "an API token is not signed out but revoked by an administrator "
                "(DELETE /api/v1/auth/api-tokens/{id})",
                code="api_token",
            )
        claims = self._claims(token)
        if everywhere:
            store.raise_token_generation(uow.session, claims.user_id)
        else:
            store.revoke_token(
                uow.session,
                token_id=claims.token_id,
                user_id=claims.user_id,
                expires_at=claims.expires_at,
                at=self._clock.now(),
            )

    def _claims(self, token: str) -> credentials.AccessClaims:
        now = self._clock.now()
        claims = self._verified.get_or_load(
            token,
            lambda: credentials.read_access_token(
                token,
                secret=self._settings.secret_key,
                now=now,
                max_ttl=timedelta(minutes=self._settings.token_ttl_minutes),
            ),
        )
        return credentials.check_not_expired(claims, now)

    def actor_for_user(self, session: Session, username: str) -> Actor:
        """The actor of an active user, by username (NotFound if unknown)."""
        stored = store.get_user(session, username=username.strip().lower())
        if stored is None:
            raise NotFound(f"no user named {username!r}", code="unknown_user")
        if not stored.user.active:
            raise Unauthenticated(f"user {username!r} is deactivated", code="account_inactive")
        return self._actor(stored)

    def token_use_due(self, token: str) -> bool:
        """True for an API token whose last use has not been recorded in the last minute."""
        if not credentials.is_api_token(token):
            return False
        digest = credentials.hash_api_token(token)
        now = self._clock.now()
        with self._token_use_lock:
            last = self._token_used.get(digest)
            if last is not None and now - last < TOKEN_USE_RECORD_INTERVAL:
                return False
            if len(self._token_used) > 10_000:
                self._token_used.clear()
            self._token_used[digest] = now
        return True

    def record_token_use(self, uow: UnitOfWork, token: str) -> None:
        """Bookkeeping, not a use case: stamp an API token's last_used_at."""
        store.touch_api_token(uow.session, credentials.hash_api_token(token), self._clock.now())

    def list_api_tokens(self, session: Session, actor: Actor) -> list[ApiTokenRef]:
        policy.may_list_api_tokens(actor)
        return store.list_api_tokens(session)

    def create_api_token(self, uow: UnitOfWork, actor: Actor, cmd: NewApiToken) -> IssuedApiToken:
        """A token for an integrated system, acting as a user; the secret is returned once."""
        policy.may_create_api_token(actor)
        name = clean_text(cmd.name).strip()
        if not name:
            raise ValidationFailed("an API token needs a name", code="missing_name")
        if cmd.username:
            user_id = self._user_by_name(uow.session, cmd.username).id
        elif actor.user_id is not None:
            user_id = actor.user_id
        else:
            raise ValidationFailed("name the user the token acts as", code="missing_username")
        token = credentials.new_api_token()
        token_id = store.insert_api_token(
            uow.session,
            {
                "name": name,
                "token_hash": credentials.hash_api_token(token),
                "user_id": user_id,
                "created_at": self._clock.now(),
            },
        )
        ref = self._api_token(uow.session, token_id)
        self._emit(
            uow,
            actor,
            events.ApiTokenCreated,
            token_id=ref.id,
            token_name=ref.name,
            user_id=user_id,
        )
        return IssuedApiToken(token=token, ref=ref)

    def revoke_api_token(self, uow: UnitOfWork, actor: Actor, token_id: int) -> ApiTokenRef:
        policy.may_revoke_api_token(actor)
        ref = self._api_token(uow.session, token_id)
        if ref.revoked_at is None:
            store.revoke_api_token(uow.session, ref.id, self._clock.now())
            self._emit(
                uow,
                actor,
                events.ApiTokenRevoked,
                token_id=ref.id,
                token_name=ref.name,
                user_id=ref.user_id,
            )
        return self._api_token(uow.session, token_id)

    # --- users -------------------------------------------------------------------------------

    def list_users(self, session: Session, actor: Actor) -> list[UserRef]:
        policy.may_list_users(actor)
        return store.list_users(session)

    def get_user(self, session: Session, actor: Actor, user_id: int) -> UserRef:
        policy.may_view_user(actor, user_id)
        return self._user_by_id(session, user_id)

    def create_user(self, uow: UnitOfWork, actor: Actor, cmd: NewUser) -> UserRef:
        policy.may_create_user(actor)
        session = uow.session
        username = check_username(cmd.username)
        password = check_password(cmd.password)
        roles = parse_roles(cmd.roles)
        areas = check_area_codes(cmd.area_codes)
        check_user_scope(roles, cmd.department_code, areas)
        self._check_areas_exist(session, areas)
        if store.get_user(session, username=username) is not None:
            raise Conflict(f"user {username!r} already exists", code="user_exists")
        user_id = store.insert_user(
            session,
            {
                "username": username,
                "display_name": clean_text(cmd.display_name).strip() or username,
                "password_hash": self._passwords.hash(password),
                "department_id": self._department_id(session, cmd.department_code),
                "area_codes": list(areas),
                "phone": clean_text(cmd.phone or "").strip() or None,
                "active": True,
                "created_at": self._clock.now(),
            },
            roles,
        )
        user = self._user_by_id(session, user_id)
        self._emit(
            uow,
            actor,
            events.UserCreated,
            user_id=user.id,
            username=user.username,
            roles=tuple(r.value for r in user.roles),
            department_code=user.department_code,
        )
        return user

    def update_user(self, uow: UnitOfWork, actor: Actor, user_id: int, cmd: UserUpdate) -> UserRef:
        """A new password or a deactivation revokes the user's bearer tokens."""
        policy.may_update_user(actor)
        session = uow.session
        user = self._user_by_id(session, user_id)
        values: dict[str, Any] = {}
        if cmd.display_name is not None:
            values["display_name"] = clean_text(cmd.display_name).strip() or user.username
        if cmd.password is not None:
            values["password_hash"] = self._passwords.hash(check_password(cmd.password))
        if cmd.department_code is not None:
            values["department_id"] = self._department_id(session, cmd.department_code)
        if cmd.area_codes is not None:
            values["area_codes"] = list(check_area_codes(cmd.area_codes))
            self._check_areas_exist(session, values["area_codes"])
        if cmd.phone is not None:
            values["phone"] = clean_text(cmd.phone).strip() or None
        if cmd.active is not None:
            if not cmd.active:
                self._refuse_self_lockout(actor, user_id, "deactivate")
            values["active"] = cmd.active
        roles = parse_roles(cmd.roles) if cmd.roles is not None else user.roles
        if Role.admin not in roles:
            self._refuse_self_lockout(actor, user_id, "remove the admin role from")
        dept_code = user.department_code
        if cmd.department_code is not None:
            dept_code = cmd.department_code or None
        area_codes = tuple(values.get("area_codes", user.area_codes))
        check_user_scope(roles, dept_code, area_codes)
        store.update_user(session, user_id, values)
        if cmd.password is not None or cmd.active is False:
            store.raise_token_generation(session, user_id)
        store.on_commit(session, self._actors.clear)
        changed = sorted(values)
        if cmd.roles is not None and roles != user.roles:
            store.set_roles(session, user_id, roles)
            changed.append("roles")
        self._emit(
            uow,
            actor,
            events.UserUpdated,
            user_id=user_id,
            username=user.username,
            changed=tuple(sorted(changed)),
            roles=tuple(r.value for r in roles),
        )
        return self._user_by_id(session, user_id)

    def set_user_roles(
        self, uow: UnitOfWork, actor: Actor, user_id: int, roles: Iterable[Role | str]
    ) -> UserRef:
        policy.may_set_user_roles(actor)
        return self.update_user(uow, actor, user_id, UserUpdate(roles=tuple(roles)))

    def deactivate_user(self, uow: UnitOfWork, actor: Actor, user_id: int) -> UserRef:
        """Deactivated users cannot sign in, and their bearer and API tokens stop working."""
        policy.may_deactivate_user(actor)
        self._refuse_self_lockout(actor, user_id, "deactivate")
        user = self._user_by_id(uow.session, user_id)
        if user.active:
            store.update_user(uow.session, user_id, {"active": False})
            store.raise_token_generation(uow.session, user_id)
            store.on_commit(uow.session, self._actors.clear)
            self._emit(uow, actor, events.UserDeactivated, user_id=user_id, username=user.username)
        return replace(user, active=False)

    # --- internals ---------------------------------------------------------------------------

    def _access_token(self, stored: store.StoredUser) -> AccessToken:
        user = stored.user
        ttl = timedelta(minutes=self._settings.token_ttl_minutes)
        token, _expires = credentials.issue_access_token(
            user_id=user.id,
            roles=tuple(r.value for r in user.roles),
            secret=self._settings.secret_key,
            now=self._clock.now(),
            ttl=ttl,
            generation=stored.token_generation,
        )
        return AccessToken(access_token=token, expires_in=int(ttl.total_seconds()), user=user)

    @staticmethod
    def _actor(stored: store.StoredUser) -> Actor:
        user = stored.user
        areas = user.area_codes
        if not areas and stored.department_area_code:
            areas = (stored.department_area_code,)
        return Actor(
            user_id=user.id,
            username=user.username,
            roles=frozenset(user.roles),
            department_id=user.department_id,
            department_code=user.department_code,
            area_codes=areas,
            display_name=user.display_name,
        )

    @staticmethod
    def _user_by_name(session: Session, username: str) -> UserRef:
        stored = store.get_user(session, username=username.strip().lower())
        if stored is None:
            raise NotFound(f"no user named {username!r}", code="unknown_user")
        return stored.user

    @staticmethod
    def _user_by_id(session: Session, user_id: int) -> UserRef:
        stored = store.get_user(session, id=user_id)
        if stored is None:
            raise NotFound(f"no user with id {user_id}", code="unknown_user")
        return stored.user

    @staticmethod
    def _api_token(session: Session, token_id: int) -> ApiTokenRef:
        ref = store.get_api_token(session, id=token_id)
        if ref is None:
            raise NotFound(f"no API token with id {token_id}", code="unknown_api_token")
        return ref

    @staticmethod
    def _department_id(session: Session, code: str | None) -> int | None:
        """A department code in a command → its id; unknown codes are bad input (422)."""
        if not code:
            return None
        checked_code(code, field="department_code")
        dept = store.get_department(session, code=code)
        if dept is None:
            raise ValidationFailed(f"unknown department {code!r}", code="unknown_department")
        return dept.id

    @staticmethod
    def _refuse_self_lockout(actor: Actor, user_id: int, doing: str) -> None:
        if actor.user_id is not None and actor.user_id == user_id:
            raise Conflict(f"you cannot {doing} your own account", code="self_lockout")

    def _emit(self, uow: UnitOfWork, actor: Actor, event: type[Event], **fields: Any) -> None:
        uow.emit(
            event(
                occurred_at=self._clock.now(),
                actor=actor.username,
                actor_role=actor.primary_role,
                **fields,
            )
        )


def _account(username: str) -> str:
    """The throttle's key of an account: the username as sign-in looks it up, cut short."""
    return username.strip().lower()[:THROTTLE_KEY_LENGTH]


def _inactive() -> Unauthenticated:
    return Unauthenticated(
        "the account behind this token no longer exists or is deactivated",
        code="account_inactive",
    )
