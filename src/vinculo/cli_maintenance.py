"""``vinculo maintenance``: the housekeeping of ``vinculo.maintenance``, for cron."""

from vinculo.cli_common import _engine, out


def maintenance() -> None:
    """Remove dead browser sessions and unreferenced attachment contents; send request reminders.

    Safe to run at any time and as often as you like (every 15 minutes from cron is typical)."""
    from vinculo import maintenance as tasks

    with _engine().begin() as conn:
        report = tasks.run(conn)
    out.print(
        f"{report.sessions_removed} dead session(s) removed, "
        f"{report.attachments_removed} unreferenced attachment(s) removed, "
        f"{report.reminders_sent} reminder(s) sent"
    )
