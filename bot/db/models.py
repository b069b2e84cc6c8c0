"""The tables. User words only ever live in the ``*_sealed`` columns (encrypted).

Columns the scheduler must query (zone, reminder time, active) stay plain;
everything a person wrote or chose about their relationship is sealed.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    Index,
    Integer,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
    inspect,
    text,
)
from sqlmodel import Field, SQLModel


class UTCDateTime(TypeDecorator):
    """Stores naive UTC, returns aware UTC, on SQLite and PostgreSQL alike."""

    impl = DateTime(timezone=False)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use aware UTC times")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


def _when(nullable: bool = True, index: bool = False) -> Column:
    return Column(UTCDateTime(), nullable=nullable, index=index)


AUTO_ID = BigInteger().with_variant(Integer(), "sqlite")  # SQLite autoincrements INTEGER only


class User(SQLModel, table=True):
    __tablename__ = "users"

    id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    chat_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    locale: str = Field(default="en", max_length=16)
    time_zone: str | None = Field(default=None, max_length=64)
    reminder_time: str | None = Field(default=None, max_length=5)
    is_active: bool = Field(default=True)
    onboarded_at: datetime | None = Field(default=None, sa_column=_when())
    created_at: datetime = Field(sa_column=_when(nullable=False))
    updated_at: datetime = Field(sa_column=_when(nullable=False))
    profile_sealed: str | None = Field(default=None, sa_column=Column(Text))
    session_sealed: str | None = Field(default=None, sa_column=Column(Text))
    # The last message we sent with question buttons, so that answering by typing
    # can take those buttons away too (Telegram only tells us its id once sent).
    keyboard_message_id: int | None = Field(default=None, sa_column=Column(BigInteger))
    # The first name Telegram gives, shown to a partner being invited; sealed.
    name_sealed: str | None = Field(default=None, sa_column=Column(Text))


_WAITING = text("handled_at IS NULL")


class InboxUpdate(SQLModel, table=True):
    """Every update, stored before it is acknowledged to Telegram.

    The row is the de-duplication record (update_id is the key) and the
    durable queue: a crash before handling leaves it pending for the restart.
    The sealed payload is dropped once handled. ``message_id`` (a user's own
    message, not its words) is kept so /erase can delete it from the chat.
    """

    __tablename__ = "inbox"
    __table_args__ = (
        Index("ix_inbox_pending", "user_id", "handled_at", "update_id"),
        Index("ix_inbox_written", "user_id", "written_at"),
        # Only the waiting rows: what a start or the sweep for stranded
        # updates looks for, among two days of handled ones.
        Index("ix_inbox_waiting", "received_at", postgresql_where=_WAITING, sqlite_where=_WAITING),
    )

    update_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    user_id: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    payload_sealed: str | None = Field(default=None, sa_column=Column(Text))
    received_at: datetime = Field(sa_column=_when(nullable=False))
    handled_at: datetime | None = Field(default=None, sa_column=_when())
    message_id: int | None = Field(default=None, sa_column=Column(BigInteger))
    # When the person wrote it (Telegram's date; the arrival time when Telegram gives
    # none), and whether it was set aside as part of a flood: see bot/turn/flood.py.
    written_at: datetime = Field(sa_column=_when(nullable=False))
    absorbed: bool = Field(
        default=False, sa_column=Column(Boolean, nullable=False, server_default=false())
    )


class OutboxMessage(SQLModel, table=True):
    """A Bot API call the bot decided to make, kept until Telegram confirmed it.

    Once settled (sent, or given up) its sealed payload is dropped; a sent row
    keeps the ``message_id`` Telegram gave it, so /erase can delete the message.
    """

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_pending", "status", "chat_id", "id"),)

    id: int | None = Field(default=None, sa_column=Column(AUTO_ID, primary_key=True))
    chat_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    method: str = Field(max_length=64)
    payload_sealed: str | None = Field(default=None, sa_column=Column(Text))
    status: str = Field(default="pending", max_length=16)
    attempts: int = Field(default=0)
    created_at: datetime = Field(sa_column=_when(nullable=False))
    due_at: datetime = Field(sa_column=_when(nullable=False))
    lease_until: datetime | None = Field(default=None, sa_column=_when())
    sent_at: datetime | None = Field(default=None, sa_column=_when())
    last_error: str | None = Field(default=None, max_length=200)
    message_id: int | None = Field(default=None, sa_column=Column(BigInteger))


PENDING, SENT, DEAD = "pending", "sent", "dead"
# A partner's share that met a blocked chat: kept, and pending again when they come back.
HELD = "held"


class Invite(SQLModel, table=True):
    """A partner invitation. Only hashes of its secrets are kept."""

    __tablename__ = "invites"

    id: int | None = Field(default=None, sa_column=Column(AUTO_ID, primary_key=True))
    inviter_id: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))
    token_hash: str = Field(max_length=64, unique=True)
    code_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(sa_column=_when(nullable=False))
    expires_at: datetime = Field(sa_column=_when(nullable=False))
    used_at: datetime | None = Field(default=None, sa_column=_when())
    used_by: int | None = Field(default=None, sa_column=Column(BigInteger))
    revoked_at: datetime | None = Field(default=None, sa_column=_when())


class Couple(SQLModel, table=True):
    """Two linked partners. An unlinked couple is kept so a relink can restore it."""

    __tablename__ = "couples"

    id: int | None = Field(default=None, sa_column=Column(AUTO_ID, primary_key=True))
    first_id: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))
    second_id: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))
    linked_at: datetime = Field(sa_column=_when(nullable=False))
    unlinked_at: datetime | None = Field(default=None, sa_column=_when())


class LinkAttempt(SQLModel, table=True):
    """A wrong invitation code typed; counted to slow down guessing."""

    __tablename__ = "link_attempts"

    id: int | None = Field(default=None, sa_column=Column(AUTO_ID, primary_key=True))
    user_id: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))
    at: datetime = Field(sa_column=_when(nullable=False))


class Agreement(SQLModel, table=True):
    """An agreement, boundary or ritual: personal until linked, shared once both accept."""

    __tablename__ = "agreements"

    id: int | None = Field(default=None, sa_column=Column(AUTO_ID, primary_key=True))
    couple_id: int | None = Field(default=None, sa_column=Column(BigInteger, index=True))
    owner_id: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))
    kind: str = Field(max_length=16)
    status: str = Field(default="proposed", max_length=16)
    created_at: datetime = Field(sa_column=_when(nullable=False))
    retired_at: datetime | None = Field(default=None, sa_column=_when())
    retire_requested_by: int | None = Field(default=None, sa_column=Column(BigInteger))


class AgreementVersion(SQLModel, table=True):
    """One wording of an agreement; only a version both accepted is shared."""

    __tablename__ = "agreement_versions"

    id: int | None = Field(default=None, sa_column=Column(AUTO_ID, primary_key=True))
    agreement_id: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))
    number: int
    text_sealed: str = Field(sa_column=Column(Text, nullable=False))
    why_sealed: str | None = Field(default=None, sa_column=Column(Text))
    proposed_by: int = Field(sa_column=Column(BigInteger, nullable=False))
    awaiting_id: int | None = Field(default=None, sa_column=Column(BigInteger))
    state: str = Field(default="pending", max_length=16)
    created_at: datetime = Field(sa_column=_when(nullable=False))
    expires_at: datetime | None = Field(default=None, sa_column=_when())
    decided_at: datetime | None = Field(default=None, sa_column=_when())


class Nudge(SQLModel, table=True):
    """A scheduled nudge: its next due moment in UTC, claimed by whichever worker ticks first.

    Standing rows (``ref`` empty) repeat by the user's rhythm; one-off rows (a
    snooze, a reminder about something waiting) go once and are deleted. A null
    ``due_at`` means dormant: reminders off, or the user blocked the bot.
    """

    __tablename__ = "nudges"
    __table_args__ = (
        UniqueConstraint("user_id", "kind", "ref", name="uq_nudges_user_kind_ref"),
        # The claim's order: a batch is read off it, whatever the crowd
        # due in the same minute (due_at alone left every due row to sort).
        Index("ix_nudges_due_order", "due_at", "id"),
    )

    id: int | None = Field(default=None, sa_column=Column(AUTO_ID, primary_key=True))
    user_id: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))
    kind: str = Field(max_length=16)
    ref: str = Field(default="", max_length=64)
    due_at: datetime | None = Field(default=None, sa_column=_when(index=True))
    every_days: int = Field(default=1)
    last_day: date | None = Field(default=None, sa_column=Column(Date))
    # Plain JSON about what was sent (prompt ids, which check-in), never user words.
    state: str | None = Field(default=None, sa_column=Column(Text))


class NudgeSent(SQLModel, table=True):
    """One occurrence of a nudge, recorded in the transaction that queues it: never twice."""

    __tablename__ = "nudges_sent"
    __table_args__ = (
        UniqueConstraint("user_id", "kind", "occurrence", name="uq_nudges_sent_occurrence"),
    )

    id: int | None = Field(default=None, sa_column=Column(AUTO_ID, primary_key=True))
    user_id: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))
    kind: str = Field(max_length=16)
    occurrence: str = Field(max_length=64)
    sent_at: datetime = Field(sa_column=_when(nullable=False))


class Commitment(SQLModel, table=True):
    """A concrete, observable action someone promised themselves, on chosen weekdays."""

    __tablename__ = "commitments"

    id: int | None = Field(default=None, sa_column=Column(AUTO_ID, primary_key=True))
    user_id: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))
    text_sealed: str = Field(sa_column=Column(Text, nullable=False))
    days: str = Field(default="0123456", max_length=7)
    status: str = Field(default="active", max_length=16)
    visible_to_partner: bool = Field(default=False)
    created_at: datetime = Field(sa_column=_when(nullable=False))
    ended_at: datetime | None = Field(default=None, sa_column=_when())


class CheckIn(SQLModel, table=True):
    """One day of one commitment: asked, and perhaps answered (kept, partly, not today)."""

    __tablename__ = "checkins"
    __table_args__ = (UniqueConstraint("commitment_id", "day", name="uq_checkins_day"),)

    id: int | None = Field(default=None, sa_column=Column(AUTO_ID, primary_key=True))
    commitment_id: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))
    user_id: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))
    day: date = Field(sa_column=Column(Date, nullable=False))
    result: str | None = Field(default=None, max_length=8)
    note_sealed: str | None = Field(default=None, sa_column=Column(Text))
    asked_at: datetime = Field(sa_column=_when(nullable=False))
    answered_at: datetime | None = Field(default=None, sa_column=_when())
    noticed_at: datetime | None = Field(default=None, sa_column=_when())


class WeeklyCheckIn(SQLModel, table=True):
    """A week's private ratings of the signs of recovery; sealed, shared only as a summary."""

    __tablename__ = "weekly_checkins"
    __table_args__ = (UniqueConstraint("user_id", "week_start", name="uq_weekly_week"),)

    id: int | None = Field(default=None, sa_column=Column(AUTO_ID, primary_key=True))
    user_id: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))
    week_start: date = Field(sa_column=Column(Date, nullable=False))
    ratings_sealed: str = Field(sa_column=Column(Text, nullable=False))
    shared_at: datetime | None = Field(default=None, sa_column=_when())
    created_at: datetime = Field(sa_column=_when(nullable=False))


class Reflection(SQLModel, table=True):
    """Private answers to a repair step or a practice, sealed; ``kind`` names which.

    ``couple_id`` ties an answer to a couple where it matters (the new vision's
    reveal); ``reveal`` is that answer's owner's choice, ``shared_at`` when its
    owner confirmed sending it to their partner.
    """

    __tablename__ = "reflections"

    id: int | None = Field(default=None, sa_column=Column(AUTO_ID, primary_key=True))
    user_id: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))
    couple_id: int | None = Field(default=None, sa_column=Column(BigInteger, index=True))
    kind: str = Field(max_length=24)
    answers_sealed: str = Field(sa_column=Column(Text, nullable=False))
    reveal: str | None = Field(default=None, max_length=8)
    shared_at: datetime | None = Field(default=None, sa_column=_when())
    created_at: datetime = Field(sa_column=_when(nullable=False))
    updated_at: datetime = Field(sa_column=_when(nullable=False))


class ListeningExercise(SQLModel, table=True):
    """One round of deep listening between two linked partners: who speaks, where it is."""

    __tablename__ = "listening_exercises"

    id: int | None = Field(default=None, sa_column=Column(AUTO_ID, primary_key=True))
    couple_id: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))
    speaker_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    listener_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    status: str = Field(max_length=16)
    attempt: int = Field(default=1)
    paused_by: int | None = Field(default=None, sa_column=Column(BigInteger))
    resume_status: str | None = Field(default=None, max_length=16)
    created_at: datetime = Field(sa_column=_when(nullable=False))
    updated_at: datetime = Field(sa_column=_when(nullable=False))


class ListeningTurn(SQLModel, table=True):
    """What one partner wrote in an exercise (a part shared, a reflection, what was missed)."""

    __tablename__ = "listening_turns"

    id: int | None = Field(default=None, sa_column=Column(AUTO_ID, primary_key=True))
    exercise_id: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))
    author_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    kind: str = Field(max_length=12)
    attempt: int = Field(default=1)
    text_sealed: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(sa_column=_when(nullable=False))


class SendPace(SQLModel, table=True):
    """The global send budget shared by every worker (bot/delivery/ratelimit.py).

    Telegram limits messages per bot, not per process, so the workers take
    their sending slots from one clock: ``next_at`` is the first free slot, in
    seconds since the epoch; reserving n slots moves it on by n intervals.
    """

    __tablename__ = "send_pace"

    name: str = Field(primary_key=True, max_length=32)
    next_at: float = Field(sa_column=Column(Float, nullable=False))


def table_of(model: type[SQLModel]) -> Table:
    """A table model's Core table, for queries. SQLModel sets ``__table__`` on each
    table=True class but does not declare it, so reading it there is untyped."""
    table = inspect(model).local_table
    assert isinstance(table, Table), f"{model.__name__} is not a table model"
    return table
