"""`python -m bench`: measure, print the tables and ratios, write the results as JSON (the one bench command)."""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace
from pathlib import Path

import orjson
from rich.console import Console

from bench import report, suite
from pipeline.config import Settings, load_settings
from pipeline.errors import NewsflowError

RESULTS_DIR = Path(__file__).resolve().parent / "results"


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="newsflow's throughput, latency and memory, against baselines measured in the same run. "
        "The broker: --bootstrap, else NEWSFLOW_BOOTSTRAP, else the local one (started if none runs).",
    )
    parser.add_argument("--quick", action="store_true", help="a ~2 minute run: smaller corpus and loads")
    parser.add_argument("--articles", type=int, help="corpus size [1000; --quick 200]")
    parser.add_argument("--transport-messages", type=int, help="records per baseline burst [10000; --quick 2000]")
    parser.add_argument("--paced-seconds", type=float, help="length of each fixed-load phase [30; --quick 10]")
    parser.add_argument("--repeats", type=int, help="in-process passes and capacity bursts, best kept [2; --quick 1]")
    parser.add_argument("--seed", type=int, help="corpus seed")
    parser.add_argument("--skip-e2e", action="store_true", help="in-process figures only (no broker)")
    parser.add_argument("--no-scaling", action="store_true", help="skip the two-workers-per-slow-stage run")
    parser.add_argument("--stage-benches", action=argparse.BooleanOptionalAction, default=None,
                        help="run the stages' own peer/method benches [on; --quick off]")  # fmt: skip
    parser.add_argument("--bootstrap", "-b", help="Kafka bootstrap servers (host:port)")
    parser.add_argument("--json", type=Path, help="results file [bench/results/<timestamp>.json]")
    parser.add_argument("--markdown", type=Path, help="also write the tables as Markdown here")
    return parser.parse_args(argv)


def plan_from(args: argparse.Namespace) -> suite.Plan:
    """The plan: the full or quick one, with whatever the flags set explicitly on top."""
    plan = suite.QUICK if args.quick else suite.Plan()
    explicit = {
        "articles": args.articles,
        "transport_messages": args.transport_messages,
        "paced_seconds": args.paced_seconds,
        "repeats": args.repeats,
        "seed": args.seed,
        "stage_benches": args.stage_benches,
    }
    plan = replace(plan, **{key: value for key, value in explicit.items() if value is not None})
    if args.skip_e2e:
        plan = replace(plan, e2e=False, scaling=False)
    if args.no_scaling:
        plan = replace(plan, scaling=False)
    if plan.articles < 20:
        raise SystemExit("--articles: at least 20")
    return plan


def broker_settings(bootstrap: str | None) -> Settings:
    """Settings with a broker, chosen as `newsflow run` chooses it (starting the local one if needed)."""
    from pipeline.cli import ensure_broker

    return ensure_broker(load_settings(bootstrap=bootstrap))


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    plan = plan_from(args)
    # Piped to a file, rich would wrap the wide tables at 80 columns.
    console, progress = Console(width=None if sys.stdout.isatty() else 160), Console(stderr=True)
    started = time.monotonic()

    def notify(step: str) -> None:
        progress.print(f"[dim]{time.monotonic() - started:6.1f} s[/] {step}", highlight=False)

    try:
        settings = broker_settings(args.bootstrap) if plan.e2e else None
        results = suite.run(plan, settings, notify)
    except NewsflowError as error:
        sys.stderr.write(f"bench: error: {error}\n")
        return error.exit_code
    except (RuntimeError, TimeoutError) as error:  # a worker died or never joined: the message has its log
        sys.stderr.write(f"bench: failed: {error}\n")
        return 1
    except KeyboardInterrupt:
        sys.stderr.write("bench: interrupted\n")
        return 130
    path = args.json or RESULTS_DIR / f"{time.strftime('%Y%m%dT%H%M%S')}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(orjson.dumps(results, option=orjson.OPT_INDENT_2))
    report.print_tables(results, console)
    if args.markdown:
        args.markdown.write_text(report.markdown(results), encoding="utf-8")
    progress.print(f"results written to {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
