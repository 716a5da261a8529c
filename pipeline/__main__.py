"""The one error boundary: run the CLI and turn any failure into one clear line and an exit code."""

from __future__ import annotations

import os
import sys

import click


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `newsflow` console script."""
    from pipeline.cli import app
    from pipeline.errors import NewsflowError

    try:
        # Without standalone mode, click returns (not raises) the code of a `typer.Exit`.
        code = app(args=argv, prog_name="newsflow", standalone_mode=False)
        if isinstance(code, int):
            return code
    except NewsflowError as error:
        sys.stderr.write(f"newsflow: error: {error}\n")
        return error.exit_code
    except click.exceptions.Exit as done:
        return done.exit_code
    except click.ClickException as error:
        error.show()
        return error.exit_code
    except click.exceptions.Abort:
        sys.stderr.write("newsflow: aborted\n")
        return 130
    except KeyboardInterrupt:
        sys.stderr.write("newsflow: interrupted\n")
        return 130
    except Exception as error:
        if os.environ.get("NEWSFLOW_DEBUG"):
            raise
        sys.stderr.write(
            f"newsflow: internal error: {type(error).__name__}: {error} (set NEWSFLOW_DEBUG=1 for the traceback)\n"
        )
        return 70
    return 0


if __name__ == "__main__":
    sys.exit(main())
