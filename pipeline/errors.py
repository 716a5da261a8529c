"""The exception every user-facing failure is raised as, so the CLI can print it as one line."""


class NewsflowError(Exception):
    """A failure with a message fit for the user: the CLI prints it and exits non-zero."""

    exit_code = 1


class ConfigError(NewsflowError):
    """Settings or command-line input that cannot work (missing path, unknown format, bad value)."""

    exit_code = 2


class BrokerUnavailable(NewsflowError):
    """No Kafka broker answers at the configured address, or none is configured or running locally."""

    exit_code = 3
