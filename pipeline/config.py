"""newsflow's settings: one frozen object read from flags, NEWSFLOW_* variables and defaults."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from pipeline.broker import DEFAULT_KAFKA_VERSION, BrokerError, check_kafka_version
from pipeline.errors import ConfigError

SecurityProtocol = Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"]
SaslMechanism = Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"]


class RedactedStr(str):
    """A secret handed to a client library as a plain string, shown as asterisks by repr (kafka-python logs its
    whole configuration at debug level, and dict formatting uses repr)."""

    def __repr__(self) -> str:
        return "'**********'"


class Settings(BaseSettings):
    """Everything a newsflow process needs to know; override any field with NEWSFLOW_<FIELD>."""

    model_config = SettingsConfigDict(env_prefix="NEWSFLOW_", frozen=True, extra="ignore")

    bootstrap: str | None = Field(None, description="Kafka bootstrap servers, host:port[,host:port]")
    home: Path = Field(Path.home() / ".newsflow", description="state: local broker, seen-store, models")
    kafka_version: str = Field(
        DEFAULT_KAFKA_VERSION,
        description="the Kafka release the local broker runs (`newsflow broker start`): 3.9.x or 4.x",
    )
    topic_prefix: str = Field("", description="prefix for every topic name (several pipelines, one cluster)")
    partitions: int = Field(4, ge=1, description="partitions of every stage topic")
    replication_factor: int = Field(1, ge=1)
    max_record_bytes: int = Field(2_000_000, ge=1024, description="records larger than this go to the DLQ")
    max_raw_chars: int = Field(200_000, ge=100, description="articles longer than this are truncated")
    classify_model: Path | None = Field(None, description="a model artefact from `newsflow classify train`")
    classify_method: Literal["accurate", "fast"] = Field(
        "accurate", description="accurate: keywords + sentence encoder; fast: keywords only (no model)"
    )
    topic_threshold: float = Field(0.5, ge=0.0, le=1.0, description="minimum score for a topic to be emitted")
    metrics_host: str = "127.0.0.1"
    metrics_port: int = Field(0, ge=0, description="Prometheus port for a worker; 0 disables it")
    group_instance_id: str | None = Field(
        None,
        description="static consumer-group membership of one worker (KIP-345; unique per worker): restarted "
        "with the same id, it takes its partitions back at once instead of waiting for the session timeout",
    )

    security_protocol: SecurityProtocol = "PLAINTEXT"
    sasl_mechanism: SaslMechanism | None = None
    sasl_username: str | None = None
    sasl_password: SecretStr | None = None
    ssl_cafile: Path | None = None
    ssl_certfile: Path | None = None
    ssl_keyfile: Path | None = None

    @field_validator("kafka_version")
    @classmethod
    def _kafka_version_runs_locally(cls, kafka_version: str) -> str:
        try:
            return check_kafka_version(kafka_version)
        except BrokerError as error:
            raise ValueError(str(error)) from None

    @model_validator(mode="after")
    def _security_is_consistent(self) -> Settings:
        """Refuse half-configured security, which one client would ignore and another would not."""
        sasl = self.security_protocol.startswith("SASL_")
        tls = self.security_protocol in ("SSL", "SASL_SSL")
        if sasl and not (self.sasl_mechanism and self.sasl_username and self.sasl_password):
            raise ValueError(f"security_protocol {self.security_protocol} needs sasl_mechanism, sasl_username "
                             "and sasl_password")  # fmt: skip
        if self.sasl_mechanism and not sasl:
            raise ValueError("sasl_mechanism is set: security_protocol must be SASL_PLAINTEXT or SASL_SSL")
        if not tls and (self.ssl_cafile or self.ssl_certfile or self.ssl_keyfile):
            raise ValueError("ssl_* files are set: security_protocol must be SSL or SASL_SSL")
        if self.ssl_keyfile and not self.ssl_certfile:
            raise ValueError("ssl_keyfile needs ssl_certfile")
        return self

    def kafka_python_security(self) -> dict[str, Any]:
        """Security options in kafka-python's spelling, empty for a plaintext cluster."""
        options: dict[str, Any] = {"security_protocol": self.security_protocol}
        if self.sasl_mechanism:
            options["sasl_mechanism"] = self.sasl_mechanism
            options["sasl_plain_username"] = self.sasl_username
            options["sasl_plain_password"] = (
                RedactedStr(self.sasl_password.get_secret_value()) if self.sasl_password else None
            )
        if self.ssl_cafile:
            options["ssl_cafile"] = str(self.ssl_cafile)
        if self.ssl_certfile:
            options["ssl_certfile"] = str(self.ssl_certfile)
        if self.ssl_keyfile:
            options["ssl_keyfile"] = str(self.ssl_keyfile)
        return options


def load_settings(**overrides: Any) -> Settings:
    """Settings from the environment, with explicit (non-None) overrides from the command line on top."""
    try:
        return Settings(**{key: value for key, value in overrides.items() if value is not None})
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(map(str, item['loc'])) or 'settings'}: {item['msg']}" for item in error.errors()
        )
        raise ConfigError(f"invalid settings (flags or NEWSFLOW_* variables): {problems}") from None
