"""newsflow's settings: one frozen object read from flags, NEWSFLOW_* variables and defaults."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

SecurityProtocol = Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"]
SaslMechanism = Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"]


class Settings(BaseSettings):
    """Everything a newsflow process needs to know; override any field with NEWSFLOW_<FIELD>."""

    model_config = SettingsConfigDict(env_prefix="NEWSFLOW_", frozen=True, extra="ignore")

    bootstrap: str | None = Field(None, description="Kafka bootstrap servers, host:port[,host:port]")
    home: Path = Field(Path.home() / ".newsflow", description="state: local broker, seen-store, models")
    topic_prefix: str = Field("", description="prefix for every topic name (several pipelines, one cluster)")
    partitions: int = Field(4, ge=1, description="partitions of every stage topic")
    replication_factor: int = Field(1, ge=1)
    max_record_bytes: int = Field(2_000_000, ge=1024, description="records larger than this go to the DLQ")
    max_raw_chars: int = Field(200_000, ge=100, description="articles longer than this are truncated")
    classify_model: Path | None = Field(None, description="a model artefact from `newsflow classify train`")
    topic_threshold: float = Field(0.5, ge=0.0, le=1.0, description="minimum score for a topic to be emitted")
    metrics_host: str = "127.0.0.1"
    metrics_port: int = Field(0, ge=0, description="Prometheus port for a worker; 0 disables it")

    security_protocol: SecurityProtocol = "PLAINTEXT"
    sasl_mechanism: SaslMechanism | None = None
    sasl_username: str | None = None
    sasl_password: SecretStr | None = None
    ssl_cafile: Path | None = None
    ssl_certfile: Path | None = None
    ssl_keyfile: Path | None = None

    def kafka_python_security(self) -> dict[str, Any]:
        """Security options in kafka-python's spelling, empty for a plaintext cluster."""
        options: dict[str, Any] = {"security_protocol": self.security_protocol}
        if self.sasl_mechanism:
            options["sasl_mechanism"] = self.sasl_mechanism
            options["sasl_plain_username"] = self.sasl_username
            options["sasl_plain_password"] = (
                self.sasl_password.get_secret_value() if self.sasl_password else None
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
    return Settings(**{key: value for key, value in overrides.items() if value is not None})
