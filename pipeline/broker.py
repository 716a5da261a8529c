"""The local single-node Kafka broker (KRaft, 3.9.1 or a 4.x release): resolve its jars, run it detached, find it,
stop it."""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from hashlib import sha256
from importlib.resources import files
from pathlib import Path
from typing import Any

from pipeline.errors import NewsflowError

DEFAULT_KAFKA_VERSION = "3.9.1"
# The releases the local broker runs: 3.9 (the last 3.x) and 4.x, which logs through log4j2 instead of log4j 1.
KAFKA_VERSION_PATTERN = r"^(?:3\.9|4\.\d+)\.\d+$"
HOST = "127.0.0.1"
NODE_ID = 1
STATE_FILE = "broker.json"
STARTED_MARKER = "Kafka Server started"
PORT_RELEASE_WAIT = 5.0  # seconds a port that was just this broker's may take to be released
HEAP_OPTIONS = ("-Xms256m", "-Xmx512m")
# The flags Kafka's own kafka-run-class.sh uses for a broker.
JVM_OPTIONS = (
    "-XX:+UseG1GC",
    "-XX:MaxGCPauseMillis=20",
    "-XX:InitiatingHeapOccupancyPercent=35",
    "-XX:+ExplicitGCInvokesConcurrent",
    "-Djava.awt.headless=true",
)

Progress = Callable[[str], None]

_EXCEPTION_LINE = re.compile(r"^(?:Caused by: )?(?P<exception>[\w.$]+(?:Exception|Error)\b.*)$")


class BrokerError(NewsflowError):
    """The local broker cannot be set up, started or stopped (missing tool, port clash, crash, timeout)."""


@dataclass(frozen=True)
class BrokerInfo:
    """A running local broker as recorded in `<home>/broker.json`."""

    pid: int
    host: str
    port: int
    controller_port: int
    started_at: str
    log_path: Path
    home: Path
    kafka_version: str = DEFAULT_KAFKA_VERSION

    @property
    def bootstrap(self) -> str:
        return f"{self.host}:{self.port}"

    def to_json(self) -> dict[str, Any]:
        return {
            "pid": self.pid,
            "host": self.host,
            "port": self.port,
            "controller_port": self.controller_port,
            "bootstrap": self.bootstrap,
            "started_at": self.started_at,
            "log_path": str(self.log_path),
            "home": str(self.home),
            "kafka_version": self.kafka_version,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> BrokerInfo:
        return cls(
            pid=int(data["pid"]),
            host=str(data["host"]),
            port=int(data["port"]),
            controller_port=int(data["controller_port"]),
            started_at=str(data["started_at"]),
            log_path=Path(data["log_path"]),
            home=Path(data["home"]),
            kafka_version=str(data.get("kafka_version", DEFAULT_KAFKA_VERSION)),
        )


@dataclass(frozen=True)
class BrokerLayout:
    """Where everything of the local broker lives under a newsflow home (the jars: of one Kafka release)."""

    home: Path
    kafka_version: str = DEFAULT_KAFKA_VERSION

    @property
    def libs(self) -> Path:
        return self.home / f"kafka-{self.kafka_version}" / "libs"

    @property
    def libs_marker(self) -> Path:
        return self.libs / ".complete"

    @property
    def root(self) -> Path:
        return self.home / "broker"

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def logs_dir(self) -> Path:
        return self.root / "logs"

    @property
    def server_log(self) -> Path:
        return self.logs_dir / "server.log"

    @property
    def console_log(self) -> Path:
        return self.logs_dir / "console.log"

    @property
    def server_properties(self) -> Path:
        return self.root / "server.properties"

    @property
    def logging_config(self) -> Path:
        """log4j 1 configuration for Kafka 3, log4j2 for Kafka 4."""
        return self.root / ("log4j2.properties" if uses_log4j2(self.kafka_version) else "log4j.properties")

    @property
    def identity(self) -> Path:
        """Cluster id and ports, kept across stops so a restart reuses them."""
        return self.root / "identity.json"

    @property
    def lock(self) -> Path:
        return self.root / ".lock"

    @property
    def state(self) -> Path:
        return self.home / STATE_FILE


# --- pure parts ---------------------------------------------------------------------------------------


def new_cluster_id() -> str:
    """A random Kafka cluster id in the form `kafka-storage random-uuid` prints (22 base64url characters)."""
    while True:
        cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode("ascii").rstrip("=")
        if not cluster_id.startswith("-"):  # Kafka's Uuid.randomUuid avoids these: they look like flags
            return cluster_id


def _escape_properties(text: str, *, key: bool) -> str:
    """Escape for java.util.Properties.load, which reads ISO-8859-1: everything non-ASCII as \\uXXXX."""
    out: list[str] = []
    for index, char in enumerate(text):
        code = ord(char)
        if char == "\\":
            out.append("\\\\")
        elif char in "\t\n\r\f":
            out.append({"\t": "\\t", "\n": "\\n", "\r": "\\r", "\f": "\\f"}[char])
        elif (key and char in "=:#! ") or (char == " " and index == 0):
            out.append("\\" + char)
        elif code < 0x20 or code > 0x7E:
            encoded = char.encode("utf-16-be")
            for offset in range(0, len(encoded), 2):
                out.append(f"\\u{int.from_bytes(encoded[offset : offset + 2], 'big'):04x}")
        else:
            out.append(char)
    return "".join(out)


def render_properties(properties: Mapping[str, str]) -> str:
    """A Java .properties file, one `key=value` a line, in the given order."""
    lines = [
        f"{_escape_properties(key, key=True)}={_escape_properties(value, key=False)}"
        for key, value in properties.items()
    ]
    return "\n".join(lines) + "\n"


def server_properties(
    *, data_dir: Path, port: int, controller_port: int, host: str = HOST, num_partitions: int = 4
) -> dict[str, str]:
    """The configuration of a single-node KRaft broker that is also its own controller."""
    return {
        "process.roles": "broker,controller",
        "node.id": str(NODE_ID),
        "controller.quorum.voters": f"{NODE_ID}@{host}:{controller_port}",
        "listeners": f"PLAINTEXT://{host}:{port},CONTROLLER://{host}:{controller_port}",
        "advertised.listeners": f"PLAINTEXT://{host}:{port}",
        "inter.broker.listener.name": "PLAINTEXT",
        "controller.listener.names": "CONTROLLER",
        "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
        "log.dirs": str(data_dir),
        "num.partitions": str(num_partitions),
        # newsflow creates its topics explicitly, with partition counts that match its agents.
        "auto.create.topics.enable": "false",
        # One node: every internal topic has a single replica.
        "offsets.topic.replication.factor": "1",
        "transaction.state.log.replication.factor": "1",
        "transaction.state.log.min.isr": "1",
        "min.insync.replicas": "1",
        "default.replication.factor": "1",
        # Fewer internal partitions than the default 50: the first consumer group comes up in a moment.
        "offsets.topic.num.partitions": "8",
        "transaction.state.log.num.partitions": "8",
        "group.initial.rebalance.delay.ms": "0",
        # After a crash the controller waits out the old registration's session before the broker may
        # register again (9 s by default): shorter, so a killed broker is back in a few seconds.
        "broker.heartbeat.interval.ms": "1000",
        "broker.session.timeout.ms": "4000",
        # Above newsflow's default max_record_bytes (2 MB), so oversized records reach the DLQ logic.
        "message.max.bytes": str(4 * 1024 * 1024),
        "log.retention.hours": "168",
        "log.segment.bytes": str(256 * 1024 * 1024),
    }


def log4j_properties(server_log: Path) -> dict[str, str]:
    """Logging to a rolling file, since the broker runs detached for a long time."""
    return {
        "log4j.rootLogger": "INFO, file",
        "log4j.appender.file": "org.apache.log4j.RollingFileAppender",
        "log4j.appender.file.File": str(server_log),
        "log4j.appender.file.MaxFileSize": "10MB",
        "log4j.appender.file.MaxBackupIndex": "3",
        "log4j.appender.file.layout": "org.apache.log4j.PatternLayout",
        "log4j.appender.file.layout.ConversionPattern": "[%d] %p %m (%c)%n",
        "log4j.logger.org.apache.kafka.clients": "WARN",
        "log4j.logger.state.change.logger": "WARN",
    }


def log4j2_properties(server_log: Path) -> dict[str, str]:
    """The same rolling file in log4j2's properties format (Kafka 4)."""
    return {
        "appender.file.type": "RollingFile",
        "appender.file.name": "file",
        "appender.file.fileName": str(server_log),
        "appender.file.filePattern": f"{server_log}.%i",
        "appender.file.layout.type": "PatternLayout",
        "appender.file.layout.pattern": "[%d] %p %m (%c)%n",
        "appender.file.policies.type": "Policies",
        "appender.file.policies.size.type": "SizeBasedTriggeringPolicy",
        "appender.file.policies.size.size": "10MB",
        "appender.file.strategy.type": "DefaultRolloverStrategy",
        "appender.file.strategy.max": "3",
        "rootLogger.level": "INFO",
        "rootLogger.appenderRef.file.ref": "file",
        "logger.clients.name": "org.apache.kafka.clients",
        "logger.clients.level": "WARN",
        "logger.state.name": "state.change.logger",
        "logger.state.level": "WARN",
    }


def uses_log4j2(kafka_version: str) -> bool:
    """Whether a Kafka release logs through log4j2 (4.0 and later) rather than log4j 1."""
    return int(kafka_version.split(".")[0]) >= 4


def check_kafka_version(kafka_version: str) -> str:
    """The release, if the local broker can run it (3.9.x or 4.x), else a BrokerError saying which can."""
    if re.fullmatch(KAFKA_VERSION_PATTERN, kafka_version) is None:
        raise BrokerError(f"the local broker runs Kafka 3.9.x or 4.x, not {kafka_version!r}")
    return kafka_version


def port_is_free(port: int, host: str = HOST, *, wait: float = 0.0) -> bool:
    """Whether a listening socket could bind host:port (SO_REUSEADDR, as the JVM's server sockets), trying
    for up to `wait` seconds: a killed broker's listening sockets close a moment after its process is gone."""
    deadline = time.monotonic() + wait
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind((host, port))
            except OSError:
                if time.monotonic() >= deadline:
                    return False
            else:
                return True
        time.sleep(0.1)


def pick_free_ports(count: int, host: str = HOST) -> list[int]:
    """`count` distinct ports the OS considers free on host (all held open together while picking)."""
    sockets = [socket.socket(socket.AF_INET, socket.SOCK_STREAM) for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind((host, 0))
        return [int(sock.getsockname()[1]) for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def choose_ports(
    *,
    port: int | None,
    controller_port: int | None,
    recorded: tuple[int, int] | None,
    host: str = HOST,
    notify: Progress | None = None,
    release_wait: float = PORT_RELEASE_WAIT,
) -> tuple[int, int]:
    """Broker and controller ports: the requested ones (which must be free), else the recorded ones when
    they are still free (clients reconnect to the same address after a restart), else fresh ones."""
    for requested, what in ((port, "broker"), (controller_port, "controller")):
        if requested is not None and not port_is_free(requested, host, wait=release_wait):
            raise BrokerError(f"{host}:{requested} (asked for as the {what} port) is already in use")
    if port is not None and port == controller_port:
        raise BrokerError(f"the broker and controller ports must differ (both {port})")
    previous_port, previous_controller = recorded or (None, None)
    chosen: list[int | None] = []
    for requested, previous in ((port, previous_port), (controller_port, previous_controller)):
        if requested is not None:
            chosen.append(requested)
        elif previous is not None and previous not in chosen and port_is_free(previous, host, wait=release_wait):
            chosen.append(previous)
        else:
            if previous is not None and notify:
                notify(f"port {previous} used by this broker before is taken now; picking another")
            chosen.append(None)
    fresh = iter(candidate for candidate in pick_free_ports(4, host) if candidate not in chosen)
    broker, controller = (value if value is not None else next(fresh) for value in chosen)
    return broker, controller


def log_tail(path: Path, lines: int = 40) -> str:
    """The last lines of a log file, or '' when there is none."""
    try:
        with path.open("rb") as handle:
            handle.seek(0, os.SEEK_END)
            handle.seek(max(0, handle.tell() - 64 * 1024))
            text = handle.read().decode("utf-8", errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


def read_state(home: Path) -> BrokerInfo | None:
    """The broker recorded under home, alive or not; None when there is no (readable) record."""
    try:
        return BrokerInfo.from_json(json.loads(BrokerLayout(home).state.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def write_state(info: BrokerInfo) -> None:
    """Record a running broker atomically, so a reader never sees half a file."""
    _write_json_atomically(BrokerLayout(info.home).state, info.to_json())


def _write_json_atomically(path: Path, data: Mapping[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=2)
        handle.write("\n")
    os.replace(temporary, path)


def clear_state(home: Path) -> None:
    BrokerLayout(home).state.unlink(missing_ok=True)


# --- processes and probes -----------------------------------------------------------------------------

# Brokers started by this Python process: kept so they can be reaped (no zombies, no ResourceWarning).
_children: dict[int, subprocess.Popen[bytes]] = {}


def _pid_alive(pid: int) -> bool:
    child = _children.get(pid)
    if child is not None:
        return child.poll() is None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rpartition(")")[2].split()[0] != "Z"


def _is_our_broker(info: BrokerInfo) -> bool:
    """The pid is alive and is the broker of this home, not an unrelated process that reused the pid."""
    if not _pid_alive(info.pid):
        return False
    if not Path("/proc").is_dir():
        return True  # not Linux: trust the pid
    return _runs_broker_of(info.pid, BrokerLayout(info.home))


def _runs_broker_of(pid: int, layout: BrokerLayout) -> bool:
    """Whether pid's command line is `java … kafka.Kafka <this home's server.properties>`."""
    try:
        arguments = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    return b"kafka.Kafka" in arguments and str(layout.server_properties).encode() in arguments


def _port_accepts(host: str, port: int, timeout: float = 1.0) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def answers_metadata(bootstrap: str, timeout: float = 5.0) -> bool:
    """Whether a Kafka broker at bootstrap answers a metadata request within about `timeout` seconds."""
    from kafka import KafkaAdminClient  # imported here: kafka-python takes ~0.1 s to import
    from kafka.errors import KafkaError

    host, _, port = bootstrap.split(",")[0].strip().rpartition(":")
    if not _port_accepts(host.strip("[]"), int(port), timeout):  # spares kafka-python's connection-error log lines
        return False
    timeout_ms = int(timeout * 1000)
    try:
        admin = KafkaAdminClient(
            bootstrap_servers=bootstrap,
            client_id="newsflow-broker-probe",
            request_timeout_ms=timeout_ms,
            bootstrap_timeout_ms=timeout_ms,
        )
    except (KafkaError, OSError):
        return False
    try:
        admin.describe_cluster()
    except (KafkaError, OSError):
        return False
    finally:
        admin.close()
    return True


def find_java() -> str:
    """The java executable: $JAVA_HOME/bin/java when set (as Kafka's own scripts do), else java on PATH."""
    java_home = os.environ.get("JAVA_HOME")
    if java_home and os.access(Path(java_home) / "bin" / "java", os.X_OK):
        return str(Path(java_home) / "bin" / "java")
    java = shutil.which("java")
    if java is None:
        raise BrokerError(
            "`java` not found on PATH: the local Kafka broker needs a Java 17+ runtime "
            "(e.g. `apt-get install openjdk-17-jre-headless`, or set JAVA_HOME)"
        )
    return java


def find_maven() -> str:
    maven = shutil.which("mvn")
    if maven is None:
        raise BrokerError(
            "`mvn` not found on PATH: Maven resolves the Kafka jars on the first broker "
            "start (e.g. `apt-get install maven`)"
        )
    return maven


@contextlib.contextmanager
def _locked(layout: BrokerLayout) -> Iterator[None]:
    """One start or stop at a time per home, across processes."""
    layout.root.mkdir(parents=True, exist_ok=True)
    with layout.lock.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# --- jars ---------------------------------------------------------------------------------------------


def pom_text(kafka_version: str = DEFAULT_KAFKA_VERSION) -> str:
    """The POM that lists the broker's classpath (it ships inside the package), for one Kafka release."""
    name = "kafka4-pom.xml" if uses_log4j2(kafka_version) else "kafka3-pom.xml"
    template = (files("pipeline") / "data" / name).read_text(encoding="utf-8")
    pinned = f"<kafka.version>{kafka_version}</kafka.version>"
    return re.sub(r"<kafka\.version>[^<]*</kafka\.version>", pinned, template)


def ensure_jars(
    home: Path, kafka_version: str = DEFAULT_KAFKA_VERSION, *, on_progress: Progress | None = None
) -> Path:
    """The directory of a Kafka release's broker jars, resolved with Maven on first use and reused after that."""
    layout = BrokerLayout(home, check_kafka_version(kafka_version))
    pom = pom_text(kafka_version)
    pom_digest = sha256(pom.encode()).hexdigest()
    if layout.libs_marker.is_file() and layout.libs_marker.read_text().strip() == pom_digest:
        return layout.libs
    maven = find_maven()
    if on_progress:
        on_progress(f"resolving Kafka {kafka_version} jars with Maven (first start only)…")
    layout.libs.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=layout.libs.parent, prefix=".resolve-") as work:
        pom_path = Path(work) / "pom.xml"
        pom_path.write_text(pom, encoding="utf-8")
        output = Path(work) / "libs"
        command = [
            maven, "-B", "-q", "-Dstyle.color=never", "-f", str(pom_path),
            "dependency:copy-dependencies", f"-DoutputDirectory={output}", "-DincludeScope=runtime",
        ]  # fmt: skip
        try:
            result = subprocess.run(command, capture_output=True, text=True, timeout=900, check=False)
        except subprocess.TimeoutExpired as error:
            raise BrokerError(f"Maven did not resolve the Kafka jars within {error.timeout:.0f} s") from error
        if result.returncode != 0 or not any(output.glob("kafka_2.13-*.jar")):
            tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-20:])
            raise BrokerError(f"Maven could not resolve the Kafka {kafka_version} jars:\n{tail}")
        shutil.rmtree(layout.libs, ignore_errors=True)
        output.rename(layout.libs)
    layout.libs_marker.write_text(pom_digest + "\n")
    return layout.libs


# --- start / stop / status ----------------------------------------------------------------------------


def status(home: Path) -> BrokerInfo | None:
    """The broker running from home when its process is alive and its port answers, else None.

    A record whose process is gone (or whose pid now belongs to another program) is removed; a broker
    whose record was lost is found by its command line and recorded again.
    """
    info = _live_broker(home.expanduser().resolve())
    return info if info is not None and _port_accepts(info.host, info.port) else None


def local_bootstrap(home: Path) -> str | None:
    """host:port of the local broker `newsflow broker start` left running under home, if any."""
    info = status(home)
    return info.bootstrap if info else None


def start(
    home: Path,
    *,
    kafka_version: str = DEFAULT_KAFKA_VERSION,
    port: int | None = None,
    controller_port: int | None = None,
    timeout: float = 60.0,
    jars_home: Path | None = None,
    on_progress: Progress | None = None,
) -> BrokerInfo:
    """Start the local broker under home (or return the one already running there) and wait until it answers.

    Ports: `port`/`controller_port` when given (a clash is an error), else the ones this home used last
    time if still free, else free ones. `jars_home` is where the jars are cached (default: home). The data
    one Kafka release formatted is only started by that release.
    """
    home = home.expanduser().resolve()
    layout = BrokerLayout(home, check_kafka_version(kafka_version))
    with _locked(layout):
        running = _live_broker(home)
        if running is not None:
            if running.kafka_version != kafka_version:
                raise BrokerError(
                    f"a Kafka {running.kafka_version} broker (pid {running.pid}) runs from {home}; stop it "
                    f"(`newsflow broker stop`) before starting Kafka {kafka_version}"
                )
            if answers_metadata(running.bootstrap):
                return running
            raise BrokerError(
                f"a broker (pid {running.pid}) runs from {home} but does not answer at {running.bootstrap}; "
                "stop it first (`newsflow broker stop`)"
            )
        java = find_java()
        identity = _read_identity(layout)
        formatted_by = identity["kafka_version"] if identity else None
        if formatted_by not in (None, kafka_version) and (layout.data_dir / "meta.properties").is_file():
            raise BrokerError(
                f"the broker data in {layout.data_dir} belongs to Kafka {formatted_by}: run that release "
                f"(NEWSFLOW_KAFKA_VERSION={formatted_by}), or remove the directory (its topics are lost) to start "
                f"Kafka {kafka_version} afresh"
            )
        libs = ensure_jars(jars_home or home, kafka_version, on_progress=on_progress)
        recorded = (identity["port"], identity["controller_port"]) if identity else None
        broker_port, controller = choose_ports(
            port=port, controller_port=controller_port, recorded=recorded, notify=on_progress
        )
        cluster_id = identity["cluster_id"] if identity else new_cluster_id()
        _write_config(layout, broker_port, controller)
        _write_json_atomically(
            layout.identity,
            {
                "cluster_id": cluster_id,
                "port": broker_port,
                "controller_port": controller,
                "kafka_version": kafka_version,
            },
        )
        if not (layout.data_dir / "meta.properties").is_file():
            _format_storage(java, libs, layout, cluster_id, on_progress)
        if on_progress:
            on_progress(f"starting Kafka {kafka_version} on {HOST}:{broker_port}…")
        info = _launch(java, libs, layout, broker_port, controller, timeout)
        write_state(info)
        return info


def stop(home: Path, *, timeout: float = 30.0) -> bool:
    """Stop the broker running from home: SIGTERM (a controlled shutdown), SIGKILL after `timeout` seconds.

    False when none was running. The data stays, so the next start continues where this one ended.
    """
    home = home.expanduser().resolve()
    layout = BrokerLayout(home)
    with _locked(layout):
        info = _live_broker(home)
        if info is None:
            return False
        _terminate(info.pid, timeout)
        clear_state(home)
        return True


def _live_broker(home: Path) -> BrokerInfo | None:
    """The broker process of home: the recorded one, else one whose record was lost (e.g. deleted by hand),
    found by its command line and recorded again. Records of dead brokers are removed."""
    info = read_state(home)
    if info is not None and _is_our_broker(info):
        return info
    clear_state(home)
    layout = BrokerLayout(home)
    pid = _find_broker_process(layout)
    identity = _read_identity(layout)
    if pid is None or identity is None:
        return None
    info = BrokerInfo(
        pid=pid,
        host=HOST,
        port=identity["port"],
        controller_port=identity["controller_port"],
        started_at=datetime.fromtimestamp(Path(f"/proc/{pid}").stat().st_mtime, UTC).isoformat(),
        log_path=layout.server_log,
        home=home,
        kafka_version=identity["kafka_version"],
    )
    write_state(info)
    return info


def _find_broker_process(layout: BrokerLayout) -> int | None:
    """The pid of a running broker started with this home's server.properties (Linux: from /proc)."""
    for process in Path("/proc").glob("[0-9]*"):
        pid = int(process.name)
        if _runs_broker_of(pid, layout) and _pid_alive(pid):
            return pid
    return None


def _read_identity(layout: BrokerLayout) -> dict[str, Any] | None:
    try:
        data = json.loads(layout.identity.read_text(encoding="utf-8"))
        return {
            "cluster_id": str(data["cluster_id"]),
            "port": int(data["port"]),
            "controller_port": int(data["controller_port"]),
            "kafka_version": str(data.get("kafka_version", DEFAULT_KAFKA_VERSION)),  # older homes ran 3.9.1
        }
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _write_config(layout: BrokerLayout, port: int, controller_port: int) -> None:
    layout.data_dir.mkdir(parents=True, exist_ok=True)
    layout.logs_dir.mkdir(parents=True, exist_ok=True)
    properties = server_properties(data_dir=layout.data_dir, port=port, controller_port=controller_port)
    layout.server_properties.write_text(render_properties(properties), encoding="ascii")
    logging = log4j2_properties if uses_log4j2(layout.kafka_version) else log4j_properties
    layout.logging_config.write_text(render_properties(logging(layout.server_log)), encoding="ascii")


def _java_command(java: str, libs: Path, layout: BrokerLayout, main: str, *args: str) -> list[str]:
    return [
        java,
        *HEAP_OPTIONS,
        *JVM_OPTIONS,
        (
            f"-Dlog4j2.configurationFile={layout.logging_config}"
            if uses_log4j2(layout.kafka_version)
            else f"-Dlog4j.configuration={layout.logging_config.as_uri()}"
        ),
        f"-Dkafka.logs.dir={layout.logs_dir}",
        "-cp",
        f"{libs}{os.sep}*",
        main,
        *args,
    ]


def _format_storage(java: str, libs: Path, layout: BrokerLayout, cluster_id: str, on_progress: Progress | None) -> None:
    if on_progress:
        on_progress(f"formatting broker storage in {layout.data_dir} (cluster id {cluster_id})…")
    command = _java_command(
        java, libs, layout, "kafka.tools.StorageTool",
        "format", "--ignore-formatted", "-t", cluster_id, "-c", str(layout.server_properties),
    )  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-20:])
        raise BrokerError(f"formatting the broker storage failed:\n{tail}")


def _launch(java: str, libs: Path, layout: BrokerLayout, port: int, controller_port: int, timeout: float) -> BrokerInfo:
    log_offset = layout.server_log.stat().st_size if layout.server_log.exists() else 0
    command = _java_command(java, libs, layout, "kafka.Kafka", str(layout.server_properties))
    with layout.console_log.open("wb") as console:
        child = subprocess.Popen(
            command,
            cwd=layout.root,
            stdin=subprocess.DEVNULL,
            stdout=console,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # survives the CLI that started it, and its Ctrl-C
        )
    _children[child.pid] = child
    info = BrokerInfo(
        pid=child.pid,
        host=HOST,
        port=port,
        controller_port=controller_port,
        started_at=datetime.now(UTC).isoformat(),
        log_path=layout.server_log,
        home=layout.home,
        kafka_version=layout.kafka_version,
    )
    try:
        _wait_until_ready(info, layout, log_offset, timeout)
    except BaseException:
        _terminate(child.pid, 10.0)
        raise
    return info


def _wait_until_ready(info: BrokerInfo, layout: BrokerLayout, log_offset: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    logged_start = False
    while True:
        new_log = _read_from(layout.server_log, log_offset)
        problem = _startup_problem(new_log, info)
        if problem:
            raise BrokerError(f"{problem}\n{_failure_tail(layout)}")
        if not _pid_alive(info.pid):
            cause = startup_cause(new_log)
            headline = f"the Kafka broker exited during start-up{': ' + cause if cause else ''}"
            raise BrokerError(f"{headline}\n{_failure_tail(layout)}")
        logged_start = logged_start or STARTED_MARKER in new_log
        if logged_start and answers_metadata(info.bootstrap, timeout=2.0):
            return
        if time.monotonic() > deadline:
            raise BrokerError(
                f"the Kafka broker did not answer at {info.bootstrap} within {timeout:g} s:\n{_failure_tail(layout)}"
            )
        time.sleep(0.25)


def _startup_problem(log: str, info: BrokerInfo) -> str | None:
    """A start-up failure recognisable in the broker's log, in words the user can act on."""
    if "Address already in use" in log:
        return f"port {info.port} or {info.controller_port} on {info.host} was taken while the broker started"
    if "Failed to acquire lock on file .lock" in log:
        return f"another Kafka process already uses the data directory under {info.home}"
    return None


def startup_cause(log: str) -> str | None:
    """The exception a failed start-up ended with: the innermost `Caused by:` of the log's last stack trace."""
    cause: str | None = None
    for line in log.splitlines():
        if match := _EXCEPTION_LINE.match(line):
            cause = match.group("exception")  # a new trace's top line, or a deeper cause of the current one
    return cause


def _read_from(path: Path, offset: int) -> str:
    try:
        with path.open("rb") as handle:
            size = handle.seek(0, os.SEEK_END)
            handle.seek(offset if size >= offset else 0)  # smaller than before: the log rolled over
            return handle.read().decode("utf-8", errors="replace")
    except OSError:
        return ""


def _failure_tail(layout: BrokerLayout) -> str:
    parts = [f"--- {path} ---\n{tail}" for path in (layout.server_log, layout.console_log) if (tail := log_tail(path))]
    return "\n".join(parts) or "(the broker wrote no log)"


def _terminate(pid: int, timeout: float) -> None:
    """SIGTERM, wait up to timeout, then SIGKILL; returns once the process is gone."""
    for sig, wait in ((signal.SIGTERM, timeout), (signal.SIGKILL, 10.0)):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, sig)
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if not _pid_alive(pid):
                _children.pop(pid, None)
                return
            time.sleep(0.1)
    raise BrokerError(f"the Kafka broker (pid {pid}) did not exit")
