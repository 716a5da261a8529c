"""The rich rendering `newsflow lag` prints: a table (a summary row per group, then its partitions) and notes."""

from __future__ import annotations

from datetime import UTC, datetime

from rich.console import Group
from rich.table import Table
from rich.text import Text

from pipeline.lag import LagReport
from pipeline.lag_status import Status

STATUS_STYLES = {
    Status.OK: "green",
    Status.WARN: "yellow",
    Status.STALL: "dark_orange",
    Status.STOP: "red",
    Status.REWIND: "magenta",
}


def lag_table(report: LagReport, max_lag: int | None = None, max_seconds: float | None = None) -> Group:
    """The lag table, then one line per group saying why it has its status, then the dead-letter count."""
    when = datetime.fromtimestamp(report.at, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    table = Table("group / topic", "part", "committed", "log end", "lag", "time lag", "status", title=f"lag at {when}")
    for column in table.columns[1:6]:
        column.justify = "right"
    notes = []
    for group in report.groups:
        status = group.verdict.status
        over_lag = max_lag is not None and group.lag > max_lag
        over_age = max_seconds is not None and group.seconds > max_seconds
        rate = "" if group.consumed_per_s is None else f", {group.consumed_per_s:.1f}/s"
        table.add_row(
            f"[bold]{group.group}[/]\n[dim]{group.state}, {group.members} member(s){rate}[/]",
            "",
            "",
            "",
            f"[{'red' if over_lag else 'bold'}]{group.lag}[/]",
            f"[{'red' if over_age else 'bold'}]{age_text(group.seconds)}[/]",
            f"[bold {STATUS_STYLES[status]}]{status.value}[/]",
        )
        for partition in group.partitions:
            table.add_row(
                f"  {partition.topic}",
                str(partition.partition),
                "-" if partition.committed is None else str(partition.committed),
                str(partition.end),
                str(partition.lag),
                age_text(partition.seconds),
                f"[{STATUS_STYLES[partition.verdict.status]}]{partition.verdict.status.value}[/]",
            )
        table.add_section()
        line = Text.assemble((f"{status.value:<6} ", STATUS_STYLES[status]), (group.group, "bold"), ": ")
        line.append(group.verdict.reason)
        notes.append(line)
    notes.append(Text(f"dead letters: {report.dlq} in {report.dlq_topic}", style="dim"))
    return Group(table, *notes)


def age_text(seconds: float | None) -> str:
    """Seconds as a short age: 4.2 s, 3.1 min, 2.0 h; '?' when unknown."""
    if seconds is None:
        return "?"
    if seconds < 60:
        return f"{seconds:.1f} s"
    return f"{seconds / 60:.1f} min" if seconds < 3600 else f"{seconds / 3600:.1f} h"
