"""Security basics: SASL/TLS settings reach every Kafka client, secrets stay out of logs, size caps hold."""

from __future__ import annotations

import inspect
import logging
import ssl
from pathlib import Path
from typing import Any

import pytest
from faust.transport.drivers.aiokafka import credentials_to_aiokafka_auth
from pydantic import SecretStr

from pipeline import clients
from pipeline.app import broker_credentials, create_app
from pipeline.config import Settings, load_settings
from pipeline.errors import BrokerUnavailable, ConfigError
from pipeline.producer import encode_checked
from pipeline.records import dumps, raw_record
from pipeline.sources import InputProblem
from schemas import validator

SECRET = "s3cr3t-Pa55word"


def sasl_settings(tmp_path: Path, **fields: Any) -> Settings:
    values: dict[str, Any] = {
        "bootstrap": "127.0.0.1:1",
        "home": tmp_path,
        "security_protocol": "SASL_PLAINTEXT",
        "sasl_mechanism": "SCRAM-SHA-512",
        "sasl_username": "newsflow",
        "sasl_password": SecretStr(SECRET),
        **fields,
    }
    return Settings(**values)


def test_sasl_and_tls_options_reach_kafka_python_clients_in_its_spelling(tmp_path: Path) -> None:
    ca, cert, key = (tmp_path / name for name in ("ca.pem", "client.pem", "client.key"))
    settings = sasl_settings(tmp_path, security_protocol="SASL_SSL", ssl_cafile=ca, ssl_certfile=cert, ssl_keyfile=key)
    options = clients.common_options(settings)
    assert options["bootstrap_servers"] == ["127.0.0.1:1"]
    assert {key: options[key] for key in settings.kafka_python_security()} == {
        "security_protocol": "SASL_SSL",
        "sasl_mechanism": "SCRAM-SHA-512",
        "sasl_plain_username": "newsflow",
        "sasl_plain_password": SECRET,
        "ssl_cafile": str(ca),
        "ssl_certfile": str(cert),
        "ssl_keyfile": str(key),
    }


@pytest.mark.parametrize("make", ["producer", "consumer"])
def test_producer_and_consumer_are_built_with_the_security_options(
    make: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: dict[str, Any] = {}
    monkeypatch.setattr(clients, "KafkaProducer", lambda **options: seen.update(options))
    monkeypatch.setattr(clients, "KafkaConsumer", lambda **options: seen.update(options))
    getattr(clients, make)(sasl_settings(tmp_path))
    assert (seen["security_protocol"], seen["sasl_mechanism"], seen["sasl_plain_password"]) == (
        "SASL_PLAINTEXT",
        "SCRAM-SHA-512",
        SECRET,
    )


def test_the_admin_client_never_logs_the_password(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """kafka-python's admin client logs its whole configuration at debug level before connecting."""
    monkeypatch.setattr(clients, "CONNECT_TIMEOUT_MS", 300)
    settings = sasl_settings(tmp_path)
    with caplog.at_level(logging.DEBUG), pytest.raises(BrokerUnavailable), clients.admin_client(settings):
        pass
    assert "sasl_plain_password" in caplog.text  # the configuration was logged...
    assert SECRET not in caplog.text  # ...without the secret


def test_faust_gets_sasl_credentials_and_hands_them_to_aiokafka(tmp_path: Path) -> None:
    app = create_app(sasl_settings(tmp_path, security_protocol="SASL_SSL"), "normalize")
    auth = credentials_to_aiokafka_auth(app.conf.broker_credentials)
    assert {key: auth[key] for key in ("security_protocol", "sasl_mechanism", "sasl_plain_username")} == {
        "security_protocol": "SASL_SSL",
        "sasl_mechanism": "SCRAM-SHA-512",
        "sasl_plain_username": "newsflow",
    }
    assert auth["sasl_plain_password"] == SECRET
    assert isinstance(auth["ssl_context"], ssl.SSLContext)
    assert auth["ssl_context"].verify_mode == ssl.CERT_REQUIRED
    assert SECRET not in repr(app.conf.broker_credentials)


def test_faust_gets_tls_only_and_plaintext_as_configured(tmp_path: Path) -> None:
    tls = broker_credentials(Settings(home=tmp_path, security_protocol="SSL"))
    assert credentials_to_aiokafka_auth(tls)["security_protocol"] == "SSL"
    assert broker_credentials(Settings(home=tmp_path)) is None
    plain_sasl = credentials_to_aiokafka_auth(broker_credentials(sasl_settings(tmp_path, sasl_mechanism="PLAIN")))
    assert (plain_sasl["security_protocol"], plain_sasl["sasl_mechanism"]) == ("SASL_PLAINTEXT", "PLAIN")


def test_settings_never_show_the_password(tmp_path: Path) -> None:
    settings = sasl_settings(tmp_path)
    for shown in (repr(settings), str(settings), settings.model_dump_json(), repr(settings.kafka_python_security())):
        assert SECRET not in shown
    assert settings.sasl_password is not None and settings.sasl_password.get_secret_value() == SECRET


@pytest.mark.parametrize(
    ("fields", "complaint"),
    [
        ({"security_protocol": "SASL_SSL", "sasl_mechanism": None}, "needs sasl_mechanism"),
        ({"security_protocol": "SASL_PLAINTEXT", "sasl_password": None}, "needs sasl_mechanism"),
        ({"security_protocol": "SSL"}, "sasl_mechanism is set"),
        ({"security_protocol": "PLAINTEXT"}, "sasl_mechanism is set"),
    ],
)
def test_half_configured_security_is_refused_without_echoing_the_secret(
    fields: dict[str, Any], complaint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One client silently ignoring SASL while another uses it would send data in the clear."""
    monkeypatch.setenv("NEWSFLOW_SASL_USERNAME", "newsflow")
    monkeypatch.setenv("NEWSFLOW_SASL_PASSWORD", SECRET)
    monkeypatch.setenv("NEWSFLOW_SASL_MECHANISM", "PLAIN")
    for name, value in fields.items():
        if value is None:
            monkeypatch.delenv(f"NEWSFLOW_{name.upper()}")
        else:
            monkeypatch.setenv(f"NEWSFLOW_{name.upper()}", value)
    with pytest.raises(ConfigError) as raised:
        load_settings()
    assert complaint in str(raised.value)
    assert SECRET not in str(raised.value)


def test_tls_files_without_tls_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="must be SSL or SASL_SSL"):
        load_settings(home=tmp_path, ssl_cafile=tmp_path / "ca.pem")
    with pytest.raises(ConfigError, match="ssl_keyfile needs ssl_certfile"):
        load_settings(home=tmp_path, security_protocol="SSL", ssl_keyfile=tmp_path / "k.pem")


def test_metrics_and_the_faust_web_server_stay_off_the_network_by_default(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path, bootstrap="127.0.0.1:1")
    assert settings.metrics_host == "127.0.0.1"
    assert settings.metrics_port == 0
    assert create_app(settings, "classify").conf.web_enabled is False


def test_the_producer_refuses_a_record_over_the_size_cap(tmp_path: Path) -> None:
    small, big = raw_record("x" * 100, source="t"), raw_record("x" * 5_000, source="t")
    assert encode_checked(small, validator("articles.raw"), max_bytes=2_000) == dumps(small)
    problem = encode_checked(big, validator("articles.raw"), max_bytes=2_000)
    assert isinstance(problem, InputProblem) and "exceeds the 2000-byte limit" in problem.message


def test_the_dashboard_binds_to_localhost_unless_told_otherwise() -> None:
    from pipeline import dashboard

    assert inspect.signature(dashboard.serve).parameters["host"].default == "127.0.0.1"


def test_the_normalize_stage_truncates_text_over_the_configured_cap(tmp_path: Path) -> None:
    from agents.registry import build_stage
    from agents.stage import apply

    paragraphs = "\n\n".join(f"Paragraph {index} about the talks in Cairo on Monday." for index in range(200))
    stage = build_stage("normalize", Settings(home=tmp_path, max_raw_chars=1_000))
    record = apply(stage, raw_record(paragraphs, source="t"))
    assert "truncated" in record["flags"]
    assert len(record["text"]) <= 1_000
    assert record["raw"] == paragraphs  # the original travels unchanged
