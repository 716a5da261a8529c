"""The local broker's pure parts: configuration files, ports, state records, error messages."""

from __future__ import annotations

import base64
import hashlib
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline import broker
from pipeline.broker import BrokerError, BrokerInfo, BrokerLayout
from pipeline.config import load_settings
from pipeline.errors import ConfigError, NewsflowError


@pytest.fixture
def listening_socket() -> Iterator[socket.socket]:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((broker.HOST, 0))
        sock.listen()
        yield sock


@pytest.fixture
def empty_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A PATH with nothing on it (and no JAVA_HOME), as on a machine without Java or Maven."""
    bin_dir = tmp_path / "empty-bin"
    bin_dir.mkdir()
    monkeypatch.setenv("PATH", str(bin_dir))
    monkeypatch.delenv("JAVA_HOME", raising=False)
    return bin_dir


def dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def broker_info(home: Path, pid: int) -> BrokerInfo:
    return BrokerInfo(
        pid=pid,
        host="127.0.0.1",
        port=19092,
        controller_port=19093,
        started_at="2026-01-01T00:00:00+00:00",
        log_path=home / "broker" / "logs" / "server.log",
        home=home,
    )


# --- configuration files ----------------------------------------------------------------------------


def test_properties_escape_what_java_properties_load_would_misread() -> None:
    text = broker.render_properties({"a:b=c": "C:\\data dir", "lead": " x", "name": "أخبار 😀"})

    assert text.splitlines() == [
        "a\\:b\\=c=C:\\\\data dir",
        "lead=\\ x",
        "name=\\u0623\\u062e\\u0628\\u0627\\u0631 \\ud83d\\ude00",
    ]
    assert text.isascii()


def test_server_properties_describe_a_single_node_kraft_broker_on_loopback(tmp_path: Path) -> None:
    properties = broker.server_properties(data_dir=tmp_path / "data", port=1111, controller_port=2222)

    assert properties["process.roles"] == "broker,controller"
    assert properties["controller.quorum.voters"] == f"{properties['node.id']}@127.0.0.1:2222"
    assert properties["listeners"] == "PLAINTEXT://127.0.0.1:1111,CONTROLLER://127.0.0.1:2222"
    assert properties["advertised.listeners"] == "PLAINTEXT://127.0.0.1:1111"
    assert properties["log.dirs"] == str(tmp_path / "data")
    assert properties["auto.create.topics.enable"] == "false"
    assert properties["group.initial.rebalance.delay.ms"] == "0"
    for key in (
        "offsets.topic.replication.factor",
        "transaction.state.log.replication.factor",
        "transaction.state.log.min.isr",
    ):
        assert properties[key] == "1"


def test_log4j_writes_to_the_given_file(tmp_path: Path) -> None:
    properties = broker.log4j_properties(tmp_path / "server.log")

    assert properties["log4j.appender.file.File"] == str(tmp_path / "server.log")
    assert properties["log4j.rootLogger"].startswith("INFO")


def test_cluster_ids_look_like_kafka_storage_random_uuid() -> None:
    ids = {broker.new_cluster_id() for _ in range(200)}

    assert len(ids) == 200
    for cluster_id in ids:
        assert len(cluster_id) == 22
        assert not cluster_id.startswith("-")
        assert len(base64.urlsafe_b64decode(cluster_id + "==")) == 16


def test_the_pom_ships_in_the_package_with_the_logging_binding() -> None:
    pom = broker.pom_text()

    for artifact in ("kafka_2.13", "slf4j-reload4j", "<artifactId>reload4j</artifactId>"):
        assert artifact in pom
    assert f"<kafka.version>{broker.DEFAULT_KAFKA_VERSION}</kafka.version>" in pom


def test_a_kafka_4_pom_names_the_release_and_binds_log4j2() -> None:
    pom = broker.pom_text("4.4.0")

    for artifact in ("kafka_2.13", "<artifactId>log4j-slf4j-impl</artifactId>", "<artifactId>log4j-core</artifactId>"):
        assert artifact in pom
    assert "<artifactId>reload4j</artifactId>" not in pom
    assert pom.count("<kafka.version>") == 1 and "<kafka.version>4.4.0</kafka.version>" in pom


def test_kafka_4_logs_through_log4j2_to_the_given_file(tmp_path: Path) -> None:
    layout = BrokerLayout(tmp_path, "4.1.1")
    properties = broker.log4j2_properties(layout.server_log)

    assert broker.uses_log4j2("4.1.1") and not broker.uses_log4j2("3.9.1")
    assert layout.logging_config.name == "log4j2.properties"
    assert BrokerLayout(tmp_path).logging_config.name == "log4j.properties"
    assert layout.libs == tmp_path / "kafka-4.1.1" / "libs"
    assert properties["appender.file.fileName"] == str(layout.server_log)
    assert properties["rootLogger.appenderRef.file.ref"] == properties["appender.file.name"]


@pytest.mark.parametrize("version", ["3.9.1", "3.9.0", "4.0.1", "4.4.0", "4.10.2"])
def test_the_local_broker_runs_3_9_and_4_x(version: str) -> None:
    assert broker.check_kafka_version(version) == version


@pytest.mark.parametrize("version", ["3.8.1", "5.0.0", "4.4", "latest", "4.4.0-rc1", ""])
def test_other_releases_are_refused_with_the_ones_that_run(version: str) -> None:
    with pytest.raises(BrokerError, match=r"runs Kafka 3\.9\.x or 4\.x"):
        broker.check_kafka_version(version)


def test_data_of_one_release_is_not_started_by_another(tmp_path: Path) -> None:
    layout = BrokerLayout(tmp_path)
    layout.data_dir.mkdir(parents=True)
    (layout.data_dir / "meta.properties").write_text("version=1\n")
    layout.identity.write_text('{"cluster_id": "x", "port": 1, "controller_port": 2}')  # a home of 3.9.1 days

    with pytest.raises(BrokerError, match=r"belongs to Kafka 3\.9\.1.*NEWSFLOW_KAFKA_VERSION=3\.9\.1"):
        broker.start(tmp_path, kafka_version="4.4.0")


# --- ports ------------------------------------------------------------------------------------------


def test_free_ports_are_distinct_and_bindable() -> None:
    ports = broker.pick_free_ports(3)

    assert len(set(ports)) == 3
    assert all(broker.port_is_free(port) for port in ports)


def test_a_listening_port_is_not_free(listening_socket: socket.socket) -> None:
    assert not broker.port_is_free(listening_socket.getsockname()[1])


def test_a_port_released_while_waiting_counts_as_free(listening_socket: socket.socket) -> None:
    port = listening_socket.getsockname()[1]
    releaser = threading.Timer(0.3, listening_socket.close)
    releaser.start()

    assert broker.port_is_free(port, wait=10.0)
    releaser.join()


def test_recorded_ports_are_reused_when_still_free() -> None:
    recorded = broker.pick_free_ports(2)

    assert broker.choose_ports(port=None, controller_port=None, recorded=(recorded[0], recorded[1])) == (
        recorded[0],
        recorded[1],
    )


def test_a_taken_recorded_port_is_replaced_and_reported(listening_socket: socket.socket) -> None:
    taken = listening_socket.getsockname()[1]
    free = broker.pick_free_ports(1)[0]
    notes: list[str] = []

    port, controller = broker.choose_ports(
        port=None, controller_port=None, recorded=(taken, free), notify=notes.append, release_wait=0
    )

    assert port != taken
    assert controller == free
    assert port != controller
    assert any(str(taken) in note for note in notes)


def test_without_a_record_two_distinct_free_ports_are_chosen() -> None:
    port, controller = broker.choose_ports(port=None, controller_port=None, recorded=None)

    assert port != controller
    assert broker.port_is_free(port) and broker.port_is_free(controller)


def test_an_explicitly_requested_port_that_is_taken_is_an_error(listening_socket: socket.socket) -> None:
    taken = listening_socket.getsockname()[1]

    with pytest.raises(BrokerError, match=f"{taken}.*already in use"):
        broker.choose_ports(port=taken, controller_port=None, recorded=None, release_wait=0)


def test_the_same_port_for_broker_and_controller_is_an_error() -> None:
    port = broker.pick_free_ports(1)[0]

    with pytest.raises(BrokerError, match="must differ"):
        broker.choose_ports(port=port, controller_port=port, recorded=None)


def test_a_port_clash_in_the_log_is_named() -> None:
    info = broker_info(Path("/nowhere"), 1)
    log = "ERROR Exiting Kafka due to fatal exception\njava.net.BindException: Address already in use\n"

    problem = broker._startup_problem(log, info)

    assert problem is not None and "19092" in problem
    assert broker._startup_problem("INFO all good", info) is None


# --- state ------------------------------------------------------------------------------------------


def test_state_round_trips_and_names_the_bootstrap(tmp_path: Path) -> None:
    info = broker_info(tmp_path, 4242)

    broker.write_state(info)

    assert broker.read_state(tmp_path) == info
    assert '"bootstrap": "127.0.0.1:19092"' in (tmp_path / broker.STATE_FILE).read_text()


def test_no_state_means_no_broker(tmp_path: Path) -> None:
    assert broker.read_state(tmp_path) is None
    assert broker.status(tmp_path) is None
    assert broker.local_bootstrap(tmp_path) is None
    assert broker.stop(tmp_path) is False


def test_a_corrupt_state_file_reads_as_none(tmp_path: Path) -> None:
    (tmp_path / broker.STATE_FILE).write_text("{not json")

    assert broker.read_state(tmp_path) is None


def test_state_of_a_dead_broker_is_cleaned_up(tmp_path: Path) -> None:
    broker.write_state(broker_info(tmp_path, dead_pid()))

    assert broker.status(tmp_path) is None
    assert not BrokerLayout(tmp_path).state.exists()


def test_a_pid_reused_by_another_program_is_not_taken_for_the_broker(tmp_path: Path) -> None:
    broker.write_state(broker_info(tmp_path, os.getpid()))  # alive, but this is pytest, not Kafka

    assert broker.status(tmp_path) is None
    assert not BrokerLayout(tmp_path).state.exists()

    broker.write_state(broker_info(tmp_path, os.getpid()))
    assert broker.stop(tmp_path) is False  # and stop does not signal it: we are still here
    assert not BrokerLayout(tmp_path).state.exists()


def test_log_tail_keeps_the_last_lines(tmp_path: Path) -> None:
    log = tmp_path / "server.log"
    log.write_text("".join(f"line {number}\n" for number in range(100)))

    assert broker.log_tail(log, lines=3) == "line 97\nline 98\nline 99"
    assert broker.log_tail(tmp_path / "missing.log") == ""


# --- tools and jars ---------------------------------------------------------------------------------


def test_missing_java_says_what_to_install(tmp_path: Path, empty_path: Path) -> None:
    with pytest.raises(BrokerError, match=r"`java` not found on PATH.*Java 17") as raised:
        broker.start(tmp_path / "home")

    assert isinstance(raised.value, NewsflowError)
    assert "\n" not in str(raised.value)


def test_java_home_wins_over_path(tmp_path: Path, empty_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    java = tmp_path / "jdk" / "bin" / "java"
    java.parent.mkdir(parents=True)
    java.write_text("#!/bin/sh\n")
    java.chmod(0o755)
    monkeypatch.setenv("JAVA_HOME", str(tmp_path / "jdk"))

    assert broker.find_java() == str(java)


def test_missing_maven_says_what_to_install(tmp_path: Path, empty_path: Path) -> None:
    with pytest.raises(BrokerError, match=r"`mvn` not found on PATH.*install maven"):
        broker.ensure_jars(tmp_path)


def test_resolved_jars_are_reused_without_maven(tmp_path: Path, empty_path: Path) -> None:
    layout = BrokerLayout(tmp_path)
    layout.libs.mkdir(parents=True)
    layout.libs_marker.write_text(hashlib.sha256(broker.pom_text().encode()).hexdigest())
    progress: list[str] = []

    assert broker.ensure_jars(tmp_path, on_progress=progress.append) == layout.libs
    assert progress == []


def test_a_stale_marker_resolves_again(tmp_path: Path, empty_path: Path) -> None:
    layout = BrokerLayout(tmp_path)
    layout.libs.mkdir(parents=True)
    layout.libs_marker.write_text("digest of an older pom\n")

    with pytest.raises(BrokerError, match="mvn"):
        broker.ensure_jars(tmp_path)


def test_a_maven_failure_shows_its_last_lines(tmp_path: Path, empty_path: Path) -> None:
    mvn = empty_path / "mvn"
    mvn.write_text("#!/bin/sh\necho '[ERROR] Could not resolve dependencies: network unreachable'\nexit 1\n")
    mvn.chmod(0o755)
    progress: list[str] = []

    with pytest.raises(BrokerError, match="Could not resolve dependencies: network unreachable"):
        broker.ensure_jars(tmp_path, on_progress=progress.append)

    assert progress == [f"resolving Kafka {broker.DEFAULT_KAFKA_VERSION} jars with Maven (first start only)…"]
    assert not BrokerLayout(tmp_path).libs_marker.exists()


def test_the_cause_of_a_failed_start_is_the_innermost_exception_of_the_last_trace() -> None:
    log = "\n".join(
        [
            "[2026-01-01 00:00:00,000] INFO no Exception here, just a log line (kafka.Kafka$)",
            "java.lang.IllegalStateException: an earlier, recovered problem",
            "\tat kafka.Something.run(Something.scala:1)",
            "[2026-01-01 00:00:01,000] ERROR Exiting Kafka due to fatal exception (kafka.Kafka$)",
            "org.apache.kafka.common.KafkaException: Socket server failed to bind to 127.0.0.1:9092",
            "\tat kafka.network.Acceptor.openServerSocket(SocketServer.scala:734)",
            "Caused by: java.net.BindException: Address already in use",
            "\tat java.base/sun.nio.ch.Net.bind0(Native Method)",
        ]
    )

    assert broker.startup_cause(log) == "java.net.BindException: Address already in use"
    assert broker.startup_cause("[2026-01-01 00:00:00,000] INFO Kafka Server started") is None


def test_settings_refuse_a_release_the_local_broker_cannot_run(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSFLOW_KAFKA_VERSION", "5.0.0")

    with pytest.raises(ConfigError, match=r"kafka_version: .*runs Kafka 3\.9\.x or 4\.x, not '5\.0\.0'"):
        load_settings()
