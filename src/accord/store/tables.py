"""The database schema. Changing it means a new migration in ``migrations/versions``; a test
checks that the migrations produce exactly these tables."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

#: Key/value facts about the register itself; ``revision`` counts committed changes.
register_meta = Table(
    "register_meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

agreement_types = Table(
    "agreement_types",
    metadata,
    Column("code", String(32), primary_key=True),
    Column("name", String(300), nullable=False),
    Column("aliases", JSON, nullable=False),
    Column("capabilities", JSON, nullable=False),
    Column("description", Text, nullable=False),
)

sources = Table(
    "sources",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("title", String(300), nullable=False),
    Column("publisher", String(300), nullable=False),
    Column("url", Text, nullable=True),
    Column("date", String(32), nullable=True),
)

agreements = Table(
    "agreements",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("type_code", String(32), nullable=False, index=True),
    Column("title", String(300), nullable=False),
    Column("signatories", JSON, nullable=False),
    Column("scope", JSON, nullable=False),
    Column("caveats", JSON, nullable=False),
    Column("extra_capabilities", JSON, nullable=False),
    Column("entry_into_force", String(32), nullable=False),
    Column("note", Text, nullable=False),
)

agreement_parties = Table(
    "agreement_parties",
    metadata,
    Column(
        "agreement_id",
        String(64),
        ForeignKey("agreements.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("nation", String(3), primary_key=True),
    Index("ix_agreement_parties_nation", "nation"),
)

agreement_events = Table(
    "agreement_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column(
        "agreement_id",
        String(64),
        ForeignKey("agreements.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("position", Integer, nullable=False),
    Column("kind", String(32), nullable=False),
    Column("date", String(32), nullable=False),
    # The window of the date, for queries by day ("what happened in 2020").
    Column("date_earliest", Date, nullable=False),
    Column("date_latest", Date, nullable=False),
    Column("term", String(64), nullable=True),
    Column("sources", JSON, nullable=False),
    Column("note", Text, nullable=False),
    Column("grade", String(16), nullable=False, server_default="reported"),
    UniqueConstraint("agreement_id", "position"),
)

designations = Table(
    "designations",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("nation", String(3), nullable=False),
    Column("by_nation", String(3), nullable=False),
    Column("title", String(300), nullable=False),
    Column("date", String(32), nullable=False),
    Column("sources", JSON, nullable=False),
    Column("grade", String(16), nullable=False, server_default="reported"),
)

#: What the register does not know: whether an agreement of a type exists between two nations.
agreement_unknowns = Table(
    "agreement_unknowns",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("type_code", String(32), nullable=False),
    Column("parties", JSON, nullable=False),
    Column("reason", Text, nullable=False),
    Column("sources", JSON, nullable=False),
    Column("grade", String(16), nullable=False, server_default="reported"),
)

#: Measures one nation takes towards another (assistance suspended), for transfer rules.
measures = Table(
    "measures",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("nation", String(3), nullable=False),
    Column("by_nation", String(3), nullable=False),
    Column("kind", String(64), nullable=False),
    Column("title", String(300), nullable=False),
    Column("start", String(32), nullable=False),
    Column("end", String(32), nullable=True),
    Column("sources", JSON, nullable=False),
    Column("grade", String(16), nullable=False, server_default="reported"),
)

# -- equipment transfers (accord.transfers) ------------------------------------------------------

#: A transfers document's parts, each row the JSON of one entry (docs/transfers.md).
transfer_sources = Table(
    "transfer_sources",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("document", JSON, nullable=False),
)

transfer_categories = Table(
    "transfer_categories",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("document", JSON, nullable=False),
)

transfer_cases = Table(
    "transfer_cases",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("buyer", String(3), nullable=False, index=True),
    Column("seller", String(3), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("document", JSON, nullable=False),
)

milestones = Table(
    "milestones",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("nations", JSON, nullable=False),
    Column("date", String(32), nullable=False),
    Column("text", Text, nullable=False),
    Column("sources", JSON, nullable=False),
)


# -- the transparency log (accord.tlog; RFC 9162, C2SP checkpoints and cosignatures) ----------

#: One row per log; ``size`` is the number of entries, updated with each appended batch.
tlog_head = Table(
    "tlog_head",
    metadata,
    Column("log", String(64), primary_key=True),
    Column("size", BigInteger, nullable=False),
)

#: Entries by index: their canonical bytes (RFC 8785 JSON) and type.
tlog_entries = Table(
    "tlog_entries",
    metadata,
    Column("idx", BigInteger, primary_key=True, autoincrement=False),
    Column("kind", String(32), nullable=False),
    Column("entry", LargeBinary, nullable=False),
)

#: Perfect subtree hashes: ``key`` = level * 2^48 + index (level 0 holds the leaf hashes).
tlog_nodes = Table(
    "tlog_nodes",
    metadata,
    Column("key", BigInteger, primary_key=True, autoincrement=False),
    Column("hash", LargeBinary(32), nullable=False),
)

#: Every checkpoint the node signed; one per size, so two roots for one size cannot be stored.
tlog_checkpoints = Table(
    "tlog_checkpoints",
    metadata,
    Column("size", BigInteger, primary_key=True, autoincrement=False),
    Column("root_hash", LargeBinary(32), nullable=False),
    Column("note", Text, nullable=False),
    Column("created_at", String(40), nullable=False),
)

#: Partner logs this node witnesses: their key and the last checkpoint it cosigned.
tlog_witnessed = Table(
    "tlog_witnessed",
    metadata,
    Column("origin", String(256), primary_key=True),
    Column("log_key", Text, nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("root_hash", LargeBinary(32), nullable=False),
    Column("checkpoint_note", Text, nullable=False),
    Column("updated_at", String(40), nullable=False),
)

#: Cosignatures of this node's own checkpoints by the peers that witness its log (C2SP
#: cosignature/v1 lines), with the witness key each was checked against.
tlog_cosignatures = Table(
    "tlog_cosignatures",
    metadata,
    Column("witness", String(256), primary_key=True),
    Column("size", BigInteger, primary_key=True, autoincrement=False),
    Column("root_hash", LargeBinary(32), nullable=False),
    Column("cosignature", Text, nullable=False),
    Column("witness_key", Text, nullable=False),
    Column("received_at", String(40), nullable=False),
)


# -- the node: users, API tokens, the outbox of released messages ------------------------------

users = Table(
    "users",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("role", String(16), nullable=False),
    #: A level of the node's national policy, and categories held (names), JSON list.
    Column("clearance", String(64), nullable=True),
    Column("categories", JSON, nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("revoked_at", String(40), nullable=True),
    #: The console's sign-in: an argon2id hash (PHC string), or none (no console sign-in).
    Column("password_hash", String(256), nullable=True),
)

#: The console's sessions: only a SHA-256 of each session's cookie is kept.
console_sessions = Table(
    "console_sessions",
    metadata,
    Column("id_hash", String(64), primary_key=True),
    Column("user_name", String(64), ForeignKey("users.name"), nullable=False, index=True),
    #: The session's CSRF token, which every form of the session carries back.
    Column("csrf", String(64), nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("seen_at", String(40), nullable=False),
    Column("ended_at", String(40), nullable=True),
)

#: Failed console sign-ins by the name given (existing or not): what slows the next ones down.
signin_failures = Table(
    "signin_failures",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("user_name", String(64), nullable=False, index=True),
    Column("at", String(40), nullable=False),
)

#: API tokens: only a SHA-256 of each token is kept; the token is shown once.
tokens = Table(
    "tokens",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("user_name", String(64), ForeignKey("users.name"), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", String(40), nullable=False),
    Column("expires_at", String(40), nullable=False),
    Column("revoked_at", String(40), nullable=True),
)

#: Released messages waiting for delivery ([federation] delivers them).
outbox = Table(
    "outbox",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("created_at", String(40), nullable=False),
    Column("sender_user", String(64), nullable=False),
    Column("recipient_nation", String(3), nullable=False),
    Column("recipient_node", String(256), nullable=False),
    Column("capability", String(64), nullable=False),
    Column("activity", String(64), nullable=False),
    Column("label", JSON, nullable=False),
    Column("decision", JSON, nullable=False),
    Column("envelope", LargeBinary, nullable=False),
    Column("envelope_digest", String(64), nullable=False),
    Column("log_index", BigInteger, nullable=False),
    Column("status", String(16), nullable=False),
    # Delivery: the states and transitions of federation.outbox (queued, sending, held,
    # delivered, refused); attempts and the next attempt's time drive the backoff; txn_id is the
    # transaction the message was last sent in (re-sent unchanged after a crash: idempotent).
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("next_attempt_at", String(40), nullable=True),
    Column("txn_id", String(64), nullable=True),
    Column("status_reason", Text, nullable=True),
    Column("receipt", JSON, nullable=True),
    Column("updated_at", String(40), nullable=True),
    Index("ix_outbox_status", "status"),
    # The console's pages: newest first, all or by state.
    Index("ix_outbox_created_at_id", "created_at", "id"),
    Index("ix_outbox_status_created_at", "status", "created_at"),
    # The console's dashboard: how many were delivered in the last day.
    Index("ix_outbox_status_updated_at", "status", "updated_at"),
)

#: Each change of a message's state after its release (its release is the outbox row itself):
#: what a message's page lists as its life. A repeated hold or failure for the same reason is
#: counted in ``outbox.attempts``, not listed again.
outbox_history = Table(
    "outbox_history",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("message_id", String(36), nullable=False),
    Column("at", String(40), nullable=False),
    Column("state", String(16), nullable=False),
    Column("event", String(32), nullable=False),
    Column("reason", Text, nullable=True),
    Index("ix_outbox_history_message_id", "message_id", "id"),
)

# -- federation ---------------------------------------------------------------------------------

#: Partner nodes this node delivers to and accepts requests from (their keys are pinned).
peers = Table(
    "peers",
    metadata,
    Column("node", String(256), primary_key=True),
    Column("url", String(2048), nullable=False),
    Column("added_at", String(40), nullable=False),
    # Last contact: when the peer last answered a delivery with its receipts, and when it last
    # sent a request that passed this node's gate (each at most once a minute).
    Column("reached_at", String(40), nullable=True),
    Column("heard_at", String(40), nullable=True),
)

#: Request nonces seen, kept for twice the allowed clock skew: a replayed request is refused.
federation_nonces = Table(
    "federation_nonces",
    metadata,
    Column("origin", String(256), primary_key=True),
    Column("nonce", String(32), primary_key=True),
    Column("seen_at", BigInteger, nullable=False),
    Index("ix_federation_nonces_seen_at", "seen_at"),
)

#: The receipt this node gave for each envelope it was sent: a replay gets the same answer.
receipts_issued = Table(
    "receipts_issued",
    metadata,
    Column("envelope_id", String(64), primary_key=True),
    Column("sender_node", String(256), primary_key=True),
    Column("digest", String(64), nullable=False),
    Column("receipt", JSON, nullable=False),
)


# -- the lifecycle watcher: alerts, and the last status it saw per agreement -------------------

alerts = Table(
    "alerts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(16), nullable=False),
    Column("agreement_id", String(64), nullable=False),
    #: For expiry alerts, the horizon in days that was crossed; 0 for status changes.
    Column("horizon_days", Integer, nullable=False),
    Column("day", String(10), nullable=False),
    Column("message", Text, nullable=False),
    Column("log_index", BigInteger, nullable=True),
    UniqueConstraint("kind", "agreement_id", "horizon_days", "day"),
)

watch_state = Table(
    "watch_state",
    metadata,
    Column("agreement_id", String(64), primary_key=True),
    Column("status", String(32), nullable=False),
    Column("until", String(40), nullable=True),
    Column("checked_on", String(10), nullable=False),
)


#: Messages received from partners, accepted under this node's own register and policies.
inbox = Table(
    "inbox",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("received_at", String(40), nullable=False),
    Column("sender_node", String(256), nullable=False),
    Column("sender_nation", String(3), nullable=False),
    Column("capability", String(64), nullable=False),
    Column("activity", String(64), nullable=True),
    #: The label as sent (sender's policy) and as this nation's policy expresses it.
    Column("label", JSON, nullable=False),
    Column("local_label", JSON, nullable=False),
    Column("local_marking", Text, nullable=False),
    Column("envelope", LargeBinary, nullable=False),
    Column("log_index", BigInteger, nullable=False),
    # The console's inbox page: newest first.
    Index("ix_inbox_received_at_id", "received_at", "id"),
)
