"""Error types with the CLI exit code each one maps to.

Exit codes (documented in the README):
  0  success
  1  an action failed or was refused by a safety check (closed proposal, no power, wrong chain)
  2  usage error or bad input (bad address checksum, too many decimals, malformed file)
  3  needs unlock or confirmation, but the run is not interactive
  4  the node could not be reached for a command that needs it
"""

from __future__ import annotations


class PolisError(Exception):
    """Base of every error Polis reports to a user. Messages never carry secrets."""

    exit_code = 1
    hint: str | None = None

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        if "://" in message:  # a node URL may carry credentials or an API key: never in a message
            from wallet.urls import redact_text

            message = redact_text(message)
        super().__init__(message)
        if hint is not None:
            self.hint = hint


class BadInput(PolisError):
    """The user gave input Polis cannot accept; nothing was changed."""

    exit_code = 2


class NotInteractive(PolisError):
    """A prompt would be needed (passphrase, confirmation) but stdin is not a terminal."""

    exit_code = 3


class NodeUnreachable(PolisError):
    """The node did not answer within the bounded retries."""

    exit_code = 4


class ActionRefused(PolisError):
    """A pre-signing check failed: wrong chain, closed proposal, no voting power, already voted."""

    exit_code = 1


class AlreadyDone(ActionRefused):
    """The chain already has what the action asks for (same vote, same delegate): nothing is sent."""

    exit_code = 0


class ActionFailed(PolisError):
    """The transaction was sent but reverted, or was not included in time."""

    exit_code = 1


class VaultError(PolisError):
    """The vault cannot be read or written (missing key, corrupt file, wrong passphrase)."""

    exit_code = 1


class WrongPassphrase(VaultError):
    exit_code = 1


class RpcError(PolisError):
    """A node answered with a JSON-RPC error."""

    def __init__(self, message: str, code: int | None = None, data: object = None) -> None:
        super().__init__(message)
        self.code = code
        self.data = data
