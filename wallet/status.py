"""The common proposal status set (kept apart from the pydantic models so offline reads stay light)."""

STATUSES = (
    "deposit", "pending", "active", "passed", "rejected", "failed",
    "canceled", "queued", "executed", "expired",
)
OPEN_STATUSES = ("deposit", "pending", "active")
CLOSED_STATUSES = tuple(s for s in STATUSES if s not in OPEN_STATUSES)


def expand(statuses: list[str]) -> list[str]:
    """Accept the common statuses plus the groups "open" and "closed"; reject anything else."""
    from wallet.errors import BadInput

    out: list[str] = []
    for s in statuses:
        for part in s.lower().split(","):
            part = part.strip()
            if part == "open":
                out.extend(OPEN_STATUSES)
            elif part == "closed":
                out.extend(CLOSED_STATUSES)
            elif part in STATUSES:
                out.append(part)
            elif part:
                raise BadInput(f"unknown status {part!r} (use {', '.join(STATUSES)}, open or closed)")
    return list(dict.fromkeys(out))
