"""Tables. Every change here needs an Alembic revision in migrations/versions/."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {dt.datetime: DateTime(timezone=True)}


class User(Base):
    """One person on one channel, known only by a keyed pseudonym."""

    __tablename__ = "users"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    language: Mapped[str | None] = mapped_column(String(8))
    #: When the user explicitly picked their language; detection then needs a clear message to switch.
    language_chosen_at: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class ChannelAddress(Base):
    """Where to reply to a user (chat id, phone number), encrypted; kept apart from everything else."""

    __tablename__ = "channel_addresses"
    __table_args__ = (UniqueConstraint("user_id", "channel"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    address_encrypted: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class MessageStatus(enum.StrEnum):
    RECEIVED = "received"
    ANSWERED = "answered"
    #: Rasa or the action server was down: kept to be answered when they are back (or by staff).
    PENDING = "pending"


class InboundMessage(Base):
    """Every user message, so nothing is lost when a service is down. The text is encrypted."""

    __tablename__ = "inbound_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    text_encrypted: Mapped[str] = mapped_column(Text)
    language: Mapped[str | None] = mapped_column(String(8))
    status: Mapped[MessageStatus] = mapped_column(
        Enum(MessageStatus, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e]),
        default=MessageStatus.RECEIVED,
        index=True,
    )
    received_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    answered_at: Mapped[dt.datetime | None]


# --- Help points, housing locations, mobile-team visits (issue 3) ---------------------------------


class UtcDateTime(TypeDecorator[dt.datetime]):
    """An aware datetime stored in UTC and read back aware, on SQLite (which drops the zone) as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are ambiguous; pass aware datetimes (they are stored in UTC)")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def _str_enum(enum_class: type[enum.StrEnum], length: int) -> Enum:
    return Enum(enum_class, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e])


class HelpPointKind(enum.StrEnum):
    WIN_POINT = "win_point"
    RNI_DESK = "rni_desk"
    INFORMATION_POINT = "information_point"
    EXPAT_CENTRE = "expat_centre"
    #: A mobile point or team (a WIN-punt bus, street outreach): no fixed place, so no coordinates unless given.
    MOBILE_BUS = "mobile_bus"
    OTHER = "other"


class HelpPoint(Base):
    """A WIN-punt or related desk. Operator-maintained (core/geodata/help_points.csv seeds it).

    Empty facts stay NULL: an address, phone number or opening hours is never guessed. ``languages`` is a
    comma-separated list of ISO 639-1 codes ("pl,ro"); ``phone`` one or more numbers separated by "; ", as the
    source writes them. ``approximate`` coordinates come from a postcode or the town, not from the address.
    """

    __tablename__ = "help_points"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: Stable key for imports and links, e.g. "rni-venlo".
    code: Mapped[str] = mapped_column(String(48), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[HelpPointKind] = mapped_column(_str_enum(HelpPointKind, 20), index=True)
    #: CBS labour-market region (arbeidsmarktregio), e.g. "Noord-Limburg".
    region: Mapped[str | None] = mapped_column(String(64), index=True)
    #: Current municipality (after mergers), spelled as in core/geodata.
    municipality: Mapped[str | None] = mapped_column(String(80))
    #: The town as the source names it ("Den Haag").
    city: Mapped[str | None] = mapped_column(String(80))
    address: Mapped[str | None] = mapped_column(String(200))
    postcode: Mapped[str | None] = mapped_column(String(7))
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    approximate: Mapped[bool] = mapped_column(Boolean, default=False)
    phone: Mapped[str | None] = mapped_column(String(120))
    email: Mapped[str | None] = mapped_column(String(120))
    website: Mapped[str | None] = mapped_column(String(300))
    opening_hours: Mapped[str | None] = mapped_column(Text)
    languages: Mapped[str | None] = mapped_column(String(120))
    #: For operators (not shown to users untranslated): caveats such as "announced, may not be open yet".
    notes: Mapped[str | None] = mapped_column(Text)
    #: What users must know, as codes shown translated (core.helppoints.registry.CAVEATS): "appointment,announced".
    caveats: Mapped[str | None] = mapped_column(String(120))
    #: Where the facts come from: URLs separated by " ; ".
    source: Mapped[str] = mapped_column(Text)
    last_checked: Mapped[dt.date] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)


class HousingLocation(Base):
    """A place where labour migrants live (a park, a hotel, a building) that mobile teams visit."""

    __tablename__ = "housing_locations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: Short stable code for deep links (``loc_<code>``): 4-16 of [a-z0-9].
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    operator: Mapped[str | None] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(String(200))
    postcode: Mapped[str | None] = mapped_column(String(7))
    city: Mapped[str | None] = mapped_column(String(80))
    municipality: Mapped[str | None] = mapped_column(String(80))
    region: Mapped[str | None] = mapped_column(String(64), index=True)
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    approximate: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)


class VisitStatus(enum.StrEnum):
    PLANNED = "planned"
    CHANGED = "changed"
    CANCELLED = "cancelled"


class MobileTeamVisit(Base):
    """A scheduled visit of a mobile team to a housing location. Times are aware UTC.

    ``languages`` is comma-separated ISO 639-1 codes ("pl,ro"); ``topics`` comma-separated topic ids
    (core.locations.VISIT_TOPICS, e.g. "housing_rights,work_rights").
    """

    __tablename__ = "mobile_team_visits"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("housing_locations.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, index=True)
    ends_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    team: Mapped[str] = mapped_column(String(120))
    languages: Mapped[str | None] = mapped_column(String(120))
    topics: Mapped[str | None] = mapped_column(String(300))
    status: Mapped[VisitStatus] = mapped_column(_str_enum(VisitStatus, 16), default=VisitStatus.PLANNED, index=True)
    #: Operator's note, e.g. why it was changed or cancelled.
    note: Mapped[str | None] = mapped_column(Text)
    #: The languages the team wrote ``note`` in (comma-separated ISO 639-1): residents get the note only in these
    #: (nothing is machine-translated). None: the note is for operators only and never sent.
    note_languages: Mapped[str | None] = mapped_column(String(40))
    #: Raised by every change residents see; announcements, reminders and notices are keyed by it (issue 9).
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    #: When the announcement goes (or went) out; None: not announced yet.
    announce_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)

    location: Mapped[HousingLocation] = relationship(lazy="joined")


class Subscription(Base):
    """A resident wants the announcements of one housing location."""

    __tablename__ = "subscriptions"
    __table_args__ = (UniqueConstraint("user_id", "location_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: No index of its own: the unique constraint (user_id, location_id) serves lookups by user.
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    location_id: Mapped[int] = mapped_column(ForeignKey("housing_locations.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)


# --- Channel state: Telegram and WhatsApp (issue 4) -----------------------------------------------


class ChannelUserState(Base):
    """What a channel tells us about reaching one user: blocked the bot, and when they last wrote."""

    __tablename__ = "channel_user_states"

    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    #: Set when the user blocked the bot (Telegram 403, WhatsApp undeliverable): nothing more is sent until
    #: they write again.
    inactive_since: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    inactive_reason: Mapped[str | None] = mapped_column(String(32))
    #: The user's last message: WhatsApp allows free-form messages only for 24 hours after it.
    last_inbound_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)


class ButtonPayload(Base):
    """A button payload too long for a channel's button id (Telegram: 64 bytes), under a short stable key."""

    __tablename__ = "button_payloads"

    key: Mapped[str] = mapped_column(String(24), primary_key=True)
    payload: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)


# --- Durable background jobs (issue 7) -----------------------------------------------------------------


class JobStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    #: Dead letter: it kept failing (or failed for good). Listed by `winbot jobs failed`, retried by an operator.
    FAILED = "failed"


class Job(Base):
    """One piece of background work (answer an inbound message, send an announcement), done once.

    Workers claim due jobs with one ``UPDATE`` of the rows a ``SELECT ... FOR UPDATE SKIP LOCKED`` chose (PostgreSQL;
    on SQLite the single UPDATE is atomic under the database's write lock), hold them under a lease that a
    crash lets expire, and record the outcome. ``payload`` and ``checkpoint`` are encrypted (they can hold a
    phone number or a message). ``dedup_key`` makes enqueueing idempotent: a channel's redelivery of the same
    message is not queued twice. ``order_key`` puts jobs of one queue in a sequence (e.g. the messages to one
    user): such a job is claimed only when no earlier job (lower id) of the key is still queued or running. See
    core/jobs.py and docs/architecture.md.
    """

    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    queue: Mapped[str] = mapped_column(String(32))
    task: Mapped[str] = mapped_column(String(64))
    payload: Mapped[str] = mapped_column(Text)
    dedup_key: Mapped[str | None] = mapped_column(String(96), unique=True)
    #: Jobs of one queue with the same key run one at a time, in id order (core/jobs.py claim).
    order_key: Mapped[str | None] = mapped_column(String(96))
    status: Mapped[JobStatus] = mapped_column(_str_enum(JobStatus, 16), default=JobStatus.QUEUED)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=5)
    run_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    locked_by: Mapped[str | None] = mapped_column(String(64))
    locked_until: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    #: Progress a retry starts from (e.g. the reply already computed, how many parts were sent), encrypted.
    checkpoint: Mapped[str | None] = mapped_column(Text)
    #: The error's type and place only (messages can quote personal data).
    last_error: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)

    __table_args__ = (
        #: A claim reads due jobs in this order (``id`` included: PostgreSQL then needs no sort; SQLite adds it anyway).
        Index("ix_jobs_due", "queue", "status", "run_at", "id"),
        # The claim looks up whether an earlier job of the same order key is unfinished.
        Index("ix_jobs_order", "queue", "order_key", "id"),
    )


# --- WIN-punt staff and talking to a person (issue 8) ----------------------------------------------------


class StaffRole(enum.StrEnum):
    #: Answers chats and reports of their WIN-punt's region (and the national queue).
    STAFF = "staff"
    #: Plans mobile-team visits and their announcements.
    MOBILE_TEAM = "mobile_team"
    #: Everything, every region; manages nothing else (accounts are managed with `winbot staff`).
    ADMIN = "admin"


class StaffUser(Base):
    """A WIN-punt employee, mobile-team member or administrator of the staff console. No default accounts."""

    __tablename__ = "staff_users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    #: argon2id hash (argon2-cffi's PasswordHasher).
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[StaffRole] = mapped_column(_str_enum(StaffRole, 16))
    #: Labour-market region of their WIN-punt; None: national (admins, national desk).
    region: Mapped[str | None] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)


class StaffSession(Base):
    """A logged-in console session. Only the token's SHA-256 is stored; the cookie holds the token."""

    __tablename__ = "staff_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id", ondelete="CASCADE"), index=True)
    csrf: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class ChatStatus(enum.StrEnum):
    """Who owns the conversation: nobody yet (waiting for a person), a staff member, or it is over."""

    WAITING = "waiting"
    ACTIVE = "active"
    CLOSED = "closed"


class HandoffChat(Base):
    """A user's request to talk to a person, from the request until staff hand back or it is closed.

    While a chat is waiting or active, the user's messages go to staff, not to Rasa (bot/handoff.py).
    """

    __tablename__ = "handoff_chats"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    language: Mapped[str] = mapped_column(String(8))
    #: Labour-market region of the user when known; None: the national queue.
    region: Mapped[str | None] = mapped_column(String(64), index=True)
    status: Mapped[ChatStatus] = mapped_column(_str_enum(ChatStatus, 16), default=ChatStatus.WAITING, index=True)
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Why it was flagged or queued (a code: violence, trafficking, self_harm, assistant_down, unanswered...).
    reason: Mapped[str | None] = mapped_column(String(64))
    claimed_by: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))
    claimed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    #: The chat went back to the queue because its claimer did not answer in time.
    returned_unanswered: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    last_user_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    last_staff_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    #: The user was told that nobody answered in time (sent once).
    timeout_notified: Mapped[bool] = mapped_column(Boolean, default=False)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    #: How it ended: answered, solved, referred, no_reply, other, back_to_bot, silent. A chat closed as
    #: ``solved`` is reopened when the user writes again within WINBOT_HANDOFF_REOPEN_MINUTES (core/handoff.py).
    outcome: Mapped[str | None] = mapped_column(String(32))
    #: How often the user wrote again after the chat was closed as solved, and when it was last reopened (the
    #: waiting time of a reopened chat counts from then).
    reopened_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    reopened_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    #: Rasa's tracker was paused for this chat (ConversationPaused) and not resumed yet: the router resumes it
    #: before the user's next message after the chat closed.
    paused_in_rasa: Mapped[bool] = mapped_column(Boolean, default=False)


class ChatMessage(Base):
    """One line of a handoff chat's transcript, encrypted. ``sender``: user, bot, staff or note (internal)."""

    __tablename__ = "chat_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chat_id: Mapped[int] = mapped_column(ForeignKey("handoff_chats.id", ondelete="CASCADE"), index=True)
    sender: Mapped[str] = mapped_column(String(8))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))
    text_encrypted: Mapped[str] = mapped_column(Text)
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)


# --- Announcements of mobile-team visits: the outbox, and the web chat's inbox (issue 9) -------------------


class OutboxKind(enum.StrEnum):
    ANNOUNCEMENT = "announcement"
    REMINDER = "reminder"
    CHANGE = "change"
    CANCELLATION = "cancellation"


class OutboxStatus(enum.StrEnum):
    QUEUED = "queued"
    SENT = "sent"
    #: WhatsApp outside the 24-hour window: sent as the approved template.
    TEMPLATE = "template"
    FAILED = "failed"
    #: The user blocked the bot (or WhatsApp cannot deliver): marked inactive, skipped.
    BLOCKED = "blocked"
    #: Not sent because it no longer applies: the visit changed or was cancelled first, or the user unsubscribed.
    CANCELLED = "cancelled"


class OutboxMessage(Base):
    """One message to one resident about one visit, sent by the job runner (core/announcements.py).

    ``key`` (visit, kind, version, slot, user) is unique: planning the same message again adds nothing, and the
    send job for a row does nothing once the row is no longer queued, so a crash or restart in the middle of a
    send loses nothing and sends nothing twice. No text is stored: it is rendered when sent.
    """

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(160), unique=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("mobile_team_visits.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[OutboxKind] = mapped_column(_str_enum(OutboxKind, 16))
    version: Mapped[int] = mapped_column(Integer)
    channel: Mapped[str] = mapped_column(String(16))
    language: Mapped[str] = mapped_column(String(8))
    status: Mapped[OutboxStatus] = mapped_column(_str_enum(OutboxStatus, 16), default=OutboxStatus.QUEUED)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    #: The error's type only (never a message: it can quote personal data).
    last_error: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)

    __table_args__ = (Index("ix_outbox_visit", "visit_id", "kind", "status"),)


class InboxMessage(Base):
    """A message waiting for a web chat user until their page asks for it (core/inbox.py); encrypted."""

    __tablename__ = "inbox_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    language: Mapped[str] = mapped_column(String(8))
    #: The replies as JSON ([{"text", "buttons"}]), encrypted with core.privacy.Vault.
    body_encrypted: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)


class TopicCount(Base):
    """How many answers of each kind were given per month and language: covenant monitoring, aggregates only
    (no user, no text, no time finer than the month). Counted by the action server (actions/base.py)."""

    __tablename__ = "topic_counts"
    __table_args__ = (UniqueConstraint("month", "language", "topic"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: "2026-12"
    month: Mapped[str] = mapped_column(String(7))
    language: Mapped[str] = mapped_column(String(8))
    #: The action that answered, without its "action_" prefix: brp_registration, report_abuse, fallback, ...
    topic: Mapped[str] = mapped_column(String(48))
    count: Mapped[int] = mapped_column(Integer, default=0)


# --- Reports of abuse (misstanden), issue 8 --------------------------------------------------------------


class ReportStatus(enum.StrEnum):
    NEW = "new"
    IN_PROGRESS = "in_progress"
    REFERRED_LABOUR_AUTHORITY = "referred_labour_authority"
    REFERRED_MUNICIPALITY = "referred_municipality"
    REFERRED_POLICE = "referred_police"
    CLOSED = "closed"


class Report(Base):
    """A report of abuse made in the chat (core/reports.py). Every free text is encrypted (core.privacy.Vault).

    An anonymous report holds only what the reporter wrote, its region and its date: no pseudonym, no channel
    address, no language, no link to the conversation and no time finer than the day (``created_on``), so it
    cannot be matched to message times. A report with contact keeps the pseudonym (``user_id``) so staff can
    answer in the same chat, and the language to answer in.
    """

    __tablename__ = "reports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: Short reference the reporter gets, e.g. "K7M-4QX2" (core.reports.REFERENCE_ALPHABET).
    code: Mapped[str] = mapped_column(String(16), unique=True)
    #: Comma-separated category ids (core.reports.CATEGORIES), e.g. "wages,passport".
    categories: Mapped[str] = mapped_column(String(200), default="")
    #: Labour-market region of the place given; NULL: national (no place, or not found).
    region: Mapped[str | None] = mapped_column(String(64), index=True)
    place_encrypted: Mapped[str | None] = mapped_column(Text)
    employer_encrypted: Mapped[str | None] = mapped_column(Text)
    since_encrypted: Mapped[str | None] = mapped_column(Text)
    description_encrypted: Mapped[str | None] = mapped_column(Text)
    anonymous: Mapped[bool] = mapped_column(Boolean, default=True)
    #: Only for reports with contact; the reporter can be forgotten (``/forget``) without losing the report.
    user_id: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    #: Only for reports with contact: the language staff answer in.
    language: Mapped[str | None] = mapped_column(String(8))
    status: Mapped[ReportStatus] = mapped_column(_str_enum(ReportStatus, 32), default=ReportStatus.NEW, index=True)
    #: Danger signs (violence, threats, papers taken, trafficking, someone hurt): first in every list.
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    #: The day it was made (Europe/Amsterdam); deliberately no time.
    created_on: Mapped[dt.date] = mapped_column(Date, index=True)

    events: Mapped[list[ReportEvent]] = relationship(
        back_populates="report", order_by="ReportEvent.id", cascade="all, delete-orphan", passive_deletes=True
    )


class ReportEvent(Base):
    """The audit log of a report: who changed what, when. Staff actions only for anonymous reports (a "created"
    row with a time would date the report finer than its day)."""

    __tablename__ = "report_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    #: A staff username, or "user" / "system".
    actor: Mapped[str] = mapped_column(String(64))
    #: "created", "status", "note", "urgent".
    action: Mapped[str] = mapped_column(String(32))
    from_status: Mapped[str | None] = mapped_column(String(32))
    to_status: Mapped[str | None] = mapped_column(String(32))
    note_encrypted: Mapped[str | None] = mapped_column(Text)

    report: Mapped[Report] = relationship(back_populates="events")
