#!/usr/bin/env bash
# A real single-node Apache Kafka broker (KRaft: broker and controller in one JVM) for local use
# and CI. Its artifacts come from Maven Central through Maven (deploy/kafka/pom.xml) into a cache
# outside the repository; re-runs reuse the cache.
#
#   deploy/kafka/kafka.sh start | stop | status | logs
#
# Settings (environment): KAFKA_PORT (9092), KAFKA_CONTROLLER_PORT (KAFKA_PORT+1),
# KAFKA_VERSION (from pom.xml), KAFKA_HEAP (512m), APPROVALS_KAFKA_CACHE (~/.cache/approvals/kafka),
# APPROVALS_KAFKA_DATA (/tmp/approvals-kafka-$KAFKA_PORT), KAFKA_START_TIMEOUT (90 s).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
port="${KAFKA_PORT:-9092}"
controller_port="${KAFKA_CONTROLLER_PORT:-$((port + 1))}"
version="${KAFKA_VERSION:-$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$here/pom.xml")}"
cache="${APPROVALS_KAFKA_CACHE:-$HOME/.cache/approvals/kafka}/$version"
data="${APPROVALS_KAFKA_DATA:-/tmp/approvals-kafka-$port}"
pidfile="$data/broker.pid"
heap="${KAFKA_HEAP:-512m}"
timeout="${KAFKA_START_TIMEOUT:-90}"

say() { printf '[kafka] %s\n' "$*" >&2; }

running() { [[ -f "$pidfile" ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

fetch() {
  if [[ -f "$cache/.complete" ]]; then return; fi
  command -v mvn >/dev/null || { say "Maven (mvn) is needed to fetch Kafka $version from Maven Central"; exit 1; }
  command -v java >/dev/null || { say "a Java runtime (17+) is needed to run Kafka"; exit 1; }
  say "fetching Apache Kafka $version from Maven Central into $cache ..."
  mkdir -p "$cache"
  mvn -q -B -f "$here/pom.xml" -Dkafka.version="$version" dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$cache/libs"
  touch "$cache/.complete"
}

java_run() {
  java -Xms128m -Xmx"$heap" -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$here/log4j2.properties" -Dkafka.logs.dir="$data/logs" \
    -cp "$cache/libs/*" "$@"
}

configure() {
  mkdir -p "$data/logs" "$data/log-dirs"
  cat >"$data/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$controller_port
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$controller_port
advertised.listeners=PLAINTEXT://127.0.0.1:$port
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$data/log-dirs
# One broker: internal topics must not ask for replicas that cannot exist, or consumers never
# find a group coordinator and transactions never start.
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
default.replication.factor=1
min.insync.replicas=1
num.partitions=1
auto.create.topics.enable=false
group.initial.rebalance.delay.ms=0
num.network.threads=2
num.io.threads=2
log.retention.hours=24
PROPS
  if [[ ! -f "$data/log-dirs/meta.properties" ]]; then
    local cluster
    cluster="$(java_run kafka.tools.StorageTool random-uuid | tail -1)"
    say "formatting KRaft storage in $data (cluster $cluster)"
    java_run kafka.tools.StorageTool format -t "$cluster" -c "$data/server.properties" >"$data/logs/format.log" 2>&1 \
      || { cat "$data/logs/format.log" >&2; exit 1; }
  fi
}

start() {
  if running; then say "already running on 127.0.0.1:$port (pid $(cat "$pidfile"))"; return; fi
  if port_open "$port"; then say "port $port is taken by another process; set KAFKA_PORT"; exit 1; fi
  fetch
  configure
  say "starting Kafka $version on 127.0.0.1:$port (controller $controller_port, heap $heap) ..."
  nohup bash -c "$(declare -f java_run); here='$here' data='$data' heap='$heap' cache='$cache'; java_run kafka.Kafka '$data/server.properties'" \
    >"$data/logs/stdout.log" 2>&1 &
  echo $! >"$pidfile"
  local waited=0
  until port_open "$port"; do
    if ! running; then say "the broker exited during start-up:"; tail -n 40 "$data/logs/stdout.log" "$data/logs/server.log" 2>/dev/null >&2; exit 1; fi
    if ((waited >= timeout)); then say "not accepting connections after ${timeout}s"; stop; exit 1; fi
    sleep 1
    waited=$((waited + 1))
  done
  say "accepting connections on 127.0.0.1:$port after ${waited}s (pid $(cat "$pidfile"), logs in $data/logs)"
}

stop() {
  if ! running; then say "not running"; rm -f "$pidfile"; return; fi
  local pid
  pid="$(cat "$pidfile")"
  say "stopping (pid $pid) ..."
  pkill -TERM -P "$pid" 2>/dev/null || true
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 30); do
    if ! kill -0 "$pid" 2>/dev/null && ! pgrep -P "$pid" >/dev/null 2>&1; then break; fi
    sleep 1
  done
  pkill -KILL -P "$pid" 2>/dev/null || true
  kill -KILL "$pid" 2>/dev/null || true
  rm -f "$pidfile"
  say "stopped"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) if running; then say "running on 127.0.0.1:$port (pid $(cat "$pidfile"))"; else say "not running"; exit 3; fi ;;
  logs) tail -n "${2:-100}" "$data/logs/server.log" ;;
  *) echo "usage: $0 start|stop|status|logs [lines]" >&2; exit 2 ;;
esac
