"""What outlives a request: submissions and their progress, and the shared rate-limit windows.

SQLAlchemy Core; a SQLite file by default, any SQLAlchemy URL (PostgreSQL for several processes on
several machines) through DATABASE_URL. The schema changes only through the migrations under
`migrations/`, applied at start-up.
"""

from bot.store.accounts import (
    GENERATE_A_KEY,
    EncryptionNotConfiguredError,
    KeptDraft,
    KeptDrafts,
    RepDefaults,
    RepDefaultsStore,
    SaleshandyKeys,
    SecretBox,
)
from bot.store.database import StoreUnavailableError, is_reachable, open_database
from bot.store.deliveries import HandledDeliveries
from bot.store.forms import KeptProspects, RepZones
from bot.store.ratelimits import SharedWindow
from bot.store.records import Chunk, ChunkState, NewSubmission, StoredSubmission, SubmissionState
from bot.store.schema import DUE_TEXT_MAX_CHARS
from bot.store.submissions import SubmissionStore

__all__ = [
    "DUE_TEXT_MAX_CHARS",
    "GENERATE_A_KEY",
    "Chunk",
    "ChunkState",
    "EncryptionNotConfiguredError",
    "HandledDeliveries",
    "KeptDraft",
    "KeptDrafts",
    "KeptProspects",
    "NewSubmission",
    "RepDefaults",
    "RepDefaultsStore",
    "RepZones",
    "SaleshandyKeys",
    "SecretBox",
    "SharedWindow",
    "StoreUnavailableError",
    "StoredSubmission",
    "SubmissionState",
    "SubmissionStore",
    "is_reachable",
    "open_database",
]
