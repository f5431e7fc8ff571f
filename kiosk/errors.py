"""Patient Voice's one exception tree.

Every error the core raises is a ``PatientVoiceError``; library errors (sqlite3,
cryptography, OSError, tomllib) are translated at the boundary with ``raise ... from exc``
so callers never catch a third-party type.

    PatientVoiceError                 .user_message: a sentence a screen can show
    ├── ConfigError                   the TOML config is missing or wrong (.problems)
    ├── SurveyError                   a survey file cannot be used
    │   └── SurveyValidationError     ... it fails validation (.problems, each with a path)
    ├── SessionError                  the respondent session was driven wrongly (a bug in a caller)
    ├── RecordError                   an anonymous payload is not a valid schema-1 record
    ├── CryptoError                   keys unreadable, or a sealed payload will not open
    ├── StoreError                    the local store cannot do what was asked
    │   ├── StoreFullError            the disk is full              (retryable: free space)
    │   ├── StoreReadOnlyError        the data directory is read-only (retryable: fix mounts)
    │   └── StoreCorruptError         the database file is damaged
    └── SpeechError                   read-aloud could not make audio (espeak-ng missing or failed)
        └── SpeechRefusedError        asked to speak personal data (a bug in a caller)

Extensions kept beside the only code that raises them, drawn here so the tree stays whole:
    ├── ContentError (kiosk/content.py)   pulled content failed validation; last good kept
    ├── SyncError (sync/protocol.py)      WireError, TransientSyncError, DeviceRevokedError,
    │                                     EnrolmentError
    ├── DatabaseError (central/db.py)     DatabaseBusyError
    └── ReportError (central/fft.py)      a report was asked for something it cannot compute

``retryable`` says whether trying the same operation later may succeed without a code change.
"""
from __future__ import annotations


class PatientVoiceError(Exception):
    """Base of every error Patient Voice raises on purpose."""

    retryable = False
    #: A short sentence for people (staff screen, CLI); the str() carries the technical detail.
    user_message = "Something went wrong. Please ask a member of staff."


class ConfigError(PatientVoiceError):
    user_message = "This kiosk is not set up correctly. Please ask IT to check its configuration."

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        self.problems = list(problems or [message])
        detail = "" if problems is None else "\n  - " + "\n  - ".join(self.problems)
        super().__init__(message + detail)


class SurveyError(PatientVoiceError):
    user_message = "The survey could not be loaded. The previous survey is still in use."


class SurveyValidationError(SurveyError):
    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = list(problems)
        super().__init__(f"{source}: {len(problems)} problem(s)\n  - " + "\n  - ".join(problems))


class SessionError(PatientVoiceError):
    pass


class RecordError(PatientVoiceError):
    """An anonymous payload is not a valid schema-1 record (from a broken or old kiosk).

    Its message names the field, never the value (it may be an answer).
    """


class CryptoError(PatientVoiceError):
    user_message = "The kiosk's encryption keys are missing or wrong. Please ask IT."


class StoreError(PatientVoiceError):
    user_message = "Your answers could not be saved. Please tell a member of staff."


class StoreFullError(StoreError):
    retryable = True
    user_message = ("The kiosk's storage is full, so answers cannot be saved. "
                    "Please tell a member of staff.")


class StoreReadOnlyError(StoreError):
    retryable = True
    user_message = ("The kiosk cannot save answers right now (storage is read-only). "
                    "Please tell a member of staff.")


class StoreCorruptError(StoreError):
    user_message = "The kiosk's storage is damaged. Please tell a member of staff."


class SpeechError(PatientVoiceError):
    user_message = "Read-aloud is not working on this kiosk. Please tell a member of staff."


class SpeechRefusedError(SpeechError):
    """Contact details and other personal data are never spoken through the speaker."""
