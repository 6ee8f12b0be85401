import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
// kubernetes-models 4.x and @kubernetes-models/prometheus-operator 4.x: the last majors that ship
// CommonJS beside ESM (5.x and 6.x are ESM only, which Jest's CommonJS runtime here cannot load).
import { Deployment, type IDeployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler, type IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { Job, type IJob } from 'kubernetes-models/batch/v1';
import { NetworkPolicy, type INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget, type IPodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, Namespace, Secret, Service, ServiceAccount, type IConfigMap, type IContainer, type IPodSpec, type ISecret, type IService } from 'kubernetes-models/v1';
import { ServiceMonitor, type IServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import { repoRoot } from '@approvals/testing';

jest.setTimeout(60_000);

// No cluster and no container engine run on these machines, so the manifests are checked the way
// an operator would before applying them: rendered with `kubectl kustomize`, every object checked
// against the Kubernetes API schema (kubernetes-models), then read for what matters in
// operation (replicas, probes, security, disruption budgets, autoscalers, network policies,
// secrets, the migration). The Compose file is parsed and checked the same way.

const root = repoRoot();
const k8s = join(root, 'deploy', 'k8s');
const composeDir = join(root, 'deploy', 'compose');
const SERVICES = ['intake', 'policy-evaluator', 'decision', 'notifier', 'audit-projector'] as const;
const GRPC_SERVICES = ['intake', 'notifier', 'audit-projector'];

type Manifest = { apiVersion: string; kind: string; metadata?: { name?: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> } };
type LabelSelector = NonNullable<NonNullable<IDeployment['spec']>['selector']>;
type Workload = IDeployment | IJob;

// --- rendering and schema validation ---

const KUBECTL_MISSING =
  'kubectl is not installed: these tests render deploy/k8s with `kubectl kustomize`. Install it (Debian: `apt-get install kubernetes-client`) and run them again.';

function kustomize(dir: string): Manifest[] {
  let output: string;
  try {
    output = execFileSync('kubectl', ['kustomize', dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    const failure = error as NodeJS.ErrnoException & { stderr?: string };
    if (failure.code === 'ENOENT') throw new Error(KUBECTL_MISSING);
    throw new Error(`kubectl kustomize ${dir} failed:\n${failure.stderr ?? failure.message}`);
  }
  return parseAllDocuments(output)
    .map((document) => document.toJS() as Manifest | null)
    .filter((manifest): manifest is Manifest => manifest !== null);
}

// Every kind the manifests may hold, with its schema. A kind not listed here fails the tests:
// add its model when adding a new kind of object.
const models: Record<string, new (data: never) => { validate(): void }> = {
  'v1/ConfigMap': ConfigMap,
  'v1/Namespace': Namespace,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'v1/ServiceAccount': ServiceAccount,
  'apps/v1/Deployment': Deployment,
  'batch/v1/Job': Job,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
  'monitoring.coreos.com/v1/ServiceMonitor': ServiceMonitor,
};

const nameOf = (manifest: Manifest) => `${manifest.kind} ${manifest.metadata?.name ?? '(no name)'}`;

/** What the API server would refuse (or what this file does not know): one line per problem. */
function schemaProblems(manifests: Manifest[]): string[] {
  return manifests.flatMap((manifest) => {
    const Model = models[`${manifest.apiVersion}/${manifest.kind}`];
    if (!Model) return [`${nameOf(manifest)}: unknown kind ${manifest.apiVersion}/${manifest.kind}`];
    try {
      new Model(manifest as never).validate();
      return [];
    } catch (error) {
      return [`${nameOf(manifest)}: ${(error as Error).message}`];
    }
  });
}

/** Renders a copy of deploy/k8s with the files an operator provides (never the real ones). */
function stagedCopy(write: (dir: string) => void): { dir: string; dispose: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'approvals-k8s-'));
  // The secrets folder may hold an operator's real files: only its kustomization is copied.
  const secretsDir = join(k8s, 'secrets');
  const copied = (source: string) => {
    const inSecrets = relative(secretsDir, source);
    return inSecrets.startsWith('..') || inSecrets === '' || basename(source) === 'kustomization.yaml';
  };
  cpSync(k8s, dir, { recursive: true, filter: copied });
  write(dir);
  return { dir, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

// --- reading the rendered objects ---

const ofKind = <T>(manifests: Manifest[], kind: string) => manifests.filter((manifest) => manifest.kind === kind) as unknown as T[];

function matches(selector: LabelSelector | undefined, labels: Record<string, string> = {}): boolean {
  if (!selector) return false;
  const byLabels = Object.entries(selector.matchLabels ?? {}).every(([key, value]) => labels[key] === value);
  const byExpressions = (selector.matchExpressions ?? []).every(({ key, operator, values = [] }) => {
    if (operator === 'In') return key in labels && values.includes(labels[key]!);
    if (operator === 'NotIn') return !(key in labels) || !values.includes(labels[key]!);
    if (operator === 'Exists') return key in labels;
    return !(key in labels);
  });
  return byLabels && byExpressions;
}

const podSpec = (workload: Workload): IPodSpec => workload.spec!.template.spec!;
const podLabels = (workload: Workload) => workload.spec!.template.metadata?.labels ?? {};
const allContainers = (workload: Workload): IContainer[] => [...(podSpec(workload).initContainers ?? []), ...podSpec(workload).containers];
const mainContainer = (deployment: IDeployment) => podSpec(deployment).containers.find((container) => container.name === 'approvals')!;
const serviceOf = (deployment: IDeployment) => deployment.spec!.template.metadata?.labels?.['app.kubernetes.io/component'];

/** The environment a container starts with: its env, and the ConfigMaps it takes whole (which must exist). */
function environment(container: IContainer, manifests: Manifest[]): Record<string, string | { secret: string; key: string }> {
  const configMaps = ofKind<IConfigMap>(manifests, 'ConfigMap');
  const result: Record<string, string | { secret: string; key: string }> = {};
  for (const source of container.envFrom ?? []) {
    const name = source.configMapRef?.name;
    const configMap = configMaps.find((candidate) => candidate.metadata?.name === name);
    if (!configMap) throw new Error(`container ${container.name} takes its environment from ConfigMap ${name}, which is not rendered`);
    Object.assign(result, configMap.data);
  }
  for (const variable of container.env ?? []) {
    const secret = variable.valueFrom?.secretKeyRef;
    result[variable.name] = secret ? { secret: secret.name!, key: secret.key } : (variable.value ?? '');
  }
  return result;
}

/** The ports of a pod that a set of network policies lets in, by container port name and number. */
function allowedIngress(policies: INetworkPolicy[], labels: Record<string, string>, from: (peer: NonNullable<NonNullable<INetworkPolicy['spec']>['ingress']>[number]) => boolean) {
  return policies
    .filter((policy) => matches(policy.spec!.podSelector, labels))
    .flatMap((policy) => (policy.spec!.ingress ?? []).filter(from).flatMap((rule) => (rule.ports ?? []).map((port) => port.port)));
}

function allowedEgressPorts(policies: INetworkPolicy[], labels: Record<string, string>) {
  return policies
    .filter((policy) => matches(policy.spec!.podSelector, labels))
    .flatMap((policy) => (policy.spec!.egress ?? []).flatMap((rule) => (rule.ports ?? []).map((port) => `${port.port}/${port.protocol ?? 'TCP'}`)));
}

// --- the checks, as functions returning problems (so that a test can show each one fails) ---

function deploymentProblems(deployment: IDeployment): string[] {
  const problems: string[] = [];
  const name = deployment.metadata?.name;
  const spec = podSpec(deployment);
  const container = mainContainer(deployment);
  if (!container) return [`${name}: no container named approvals`];
  const httpPort = container.ports?.find((port) => port.name === 'http');
  if ((deployment.spec?.replicas ?? 1) < 2) problems.push(`${name}: fewer than 2 replicas`);
  if (!httpPort) problems.push(`${name}: no container port named http`);
  if (container.args?.[0] !== serviceOf(deployment)) problems.push(`${name}: runs ${container.args?.join(' ')}, not ${serviceOf(deployment)}`);
  const probe = (kind: 'livenessProbe' | 'readinessProbe' | 'startupProbe', path: string) => {
    const get = container[kind]?.httpGet;
    if (get?.path !== path || get.port !== 'http') problems.push(`${name}: ${kind} is not GET ${path} on the http port`);
  };
  probe('livenessProbe', '/healthz');
  probe('readinessProbe', '/readyz');
  probe('startupProbe', '/healthz');
  for (const each of allContainers(deployment)) {
    const { requests, limits } = each.resources ?? {};
    if (!requests?.['cpu'] || !requests['memory'] || !limits?.['cpu'] || !limits['memory']) problems.push(`${name}/${each.name}: resources need cpu and memory requests and limits`);
    const security = each.securityContext ?? {};
    if (security.readOnlyRootFilesystem !== true) problems.push(`${name}/${each.name}: root file system is not read-only`);
    if ((security.runAsNonRoot ?? spec.securityContext?.runAsNonRoot) !== true) problems.push(`${name}/${each.name}: may run as root`);
    if (security.allowPrivilegeEscalation !== false) problems.push(`${name}/${each.name}: allows privilege escalation`);
    if (!security.capabilities?.drop?.includes('ALL')) problems.push(`${name}/${each.name}: does not drop every capability`);
  }
  if ((spec.securityContext?.seccompProfile ?? container.securityContext?.seccompProfile)?.type !== 'RuntimeDefault') problems.push(`${name}: no RuntimeDefault seccomp profile`);
  if (spec.securityContext?.runAsUser !== 1000) problems.push(`${name}: does not run as the image's user (1000)`);
  const strategy = deployment.spec?.strategy;
  if (strategy?.type !== 'RollingUpdate' || strategy.rollingUpdate?.maxUnavailable !== 0 || strategy.rollingUpdate.maxSurge !== 1) problems.push(`${name}: rollout is not maxUnavailable 0, maxSurge 1`);
  if (spec.terminationGracePeriodSeconds !== 30) problems.push(`${name}: terminationGracePeriodSeconds is not 30`);
  const spread = (spec.topologySpreadConstraints ?? []).some((constraint) => constraint.topologyKey === 'kubernetes.io/hostname' && matches(constraint.labelSelector, podLabels(deployment)));
  const antiAffinity = [...(spec.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []), ...(spec.affinity?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((term) => term.podAffinityTerm)].some(
    (term) => term.topologyKey === 'kubernetes.io/hostname' && matches(term.labelSelector, podLabels(deployment)),
  );
  if (!spread && !antiAffinity) problems.push(`${name}: replicas are not spread across nodes`);
  for (const mount of container.volumeMounts ?? []) {
    if (!spec.volumes?.some((volume) => volume.name === mount.name)) problems.push(`${name}: mounts volume ${mount.name}, which the pod does not have`);
  }
  for (const path of ['/data', '/tmp']) {
    const mount = container.volumeMounts?.find((candidate) => candidate.mountPath === path);
    if (!spec.volumes?.find((volume) => volume.name === mount?.name)?.emptyDir) problems.push(`${name}: ${path} is not an emptyDir`);
  }
  return problems;
}

/** The decision Deployment: the signing keys from the Secret, read-only, and the settings naming files inside it. */
function signingKeyProblems(deployment: IDeployment, manifests: Manifest[]): string[] {
  const container = mainContainer(deployment);
  const volume = podSpec(deployment).volumes?.find((candidate) => candidate.secret?.secretName === 'approvals-signing-keys');
  const mount = container.volumeMounts?.find((candidate) => candidate.name === volume?.name);
  if (!volume || !mount) return ['the decision Deployment does not mount the Secret approvals-signing-keys'];
  const problems = mount.readOnly === true ? [] : ['the signing keys are not mounted read-only'];
  const env = environment(container, manifests);
  for (const [setting, key] of [
    ['APPROVALS_GRANT_KEYS_FILE', 'grant-keys.json'],
    ['APPROVALS_CHECKPOINT_KEYS_FILE', 'checkpoint-keys.json'],
  ] as const) {
    const file = env[setting];
    if (typeof file !== 'string' || dirname(file) !== mount.mountPath) problems.push(`${setting} (${JSON.stringify(file)}) is not a file in ${mount.mountPath}`);
    else {
      const item = volume.secret!.items?.find((candidate) => candidate.path === basename(file));
      if ((item?.key ?? basename(file)) !== key) problems.push(`${setting} reads ${basename(file)}, not the Secret's key ${key}`);
    }
  }
  return problems;
}

const expectedSettings = {
  APPROVALS_LEDGER_STORE: 'postgres',
  APPROVALS_READ_MODEL_STORE: 'postgres',
  APPROVALS_STATE_STORE: 'postgres',
  APPROVALS_MIGRATIONS: 'explicit',
};

function settingProblems(workload: Workload, container: IContainer, manifests: Manifest[]): string[] {
  const env = environment(container, manifests);
  const problems = Object.entries(expectedSettings)
    .filter(([setting, value]) => env[setting] !== value)
    .map(([setting, value]) => `${workload.metadata?.name}: ${setting} is ${JSON.stringify(env[setting])}, not ${value}`);
  if (JSON.stringify(env['APPROVALS_POSTGRES_URL']) !== JSON.stringify({ secret: 'approvals-secrets', key: 'postgres-url' })) problems.push(`${workload.metadata?.name}: APPROVALS_POSTGRES_URL does not come from the Secret approvals-secrets`);
  if (!env['APPROVALS_KAFKA_BROKERS']) problems.push(`${workload.metadata?.name}: no APPROVALS_KAFKA_BROKERS`);
  return problems;
}

function serviceProblems(manifests: Manifest[]): string[] {
  const deployments = ofKind<IDeployment>(manifests, 'Deployment');
  return ofKind<IService>(manifests, 'Service').flatMap((service) => {
    const selected = deployments.filter((deployment) => matches({ matchLabels: service.spec?.selector }, podLabels(deployment)));
    if (selected.length !== 1) return [`Service ${service.metadata?.name} selects ${selected.length} Deployments, not 1`];
    const ports = podSpec(selected[0]!).containers.flatMap((container) => container.ports ?? []);
    return (service.spec?.ports ?? [])
      .filter(({ targetPort }) => !ports.some((port) => (typeof targetPort === 'string' ? port.name === targetPort : port.containerPort === targetPort)))
      .map(({ name, targetPort }) => `Service ${service.metadata?.name} port ${name}: targetPort ${targetPort} is no container port of ${selected[0]!.metadata?.name}`);
  });
}

function budgetAndScalerProblems(manifests: Manifest[]): string[] {
  const budgets = ofKind<IPodDisruptionBudget>(manifests, 'PodDisruptionBudget');
  const scalers = ofKind<IHorizontalPodAutoscaler>(manifests, 'HorizontalPodAutoscaler');
  return ofKind<IDeployment>(manifests, 'Deployment').flatMap((deployment) => {
    const name = deployment.metadata?.name;
    const problems: string[] = [];
    const budget = budgets.filter((candidate) => matches(candidate.spec?.selector, podLabels(deployment)));
    if (budget.length !== 1 || budget[0]!.spec?.minAvailable !== 1) problems.push(`${name}: needs exactly one PodDisruptionBudget with minAvailable 1`);
    const scaler = scalers.filter(({ spec }) => spec?.scaleTargetRef.kind === 'Deployment' && spec.scaleTargetRef.name === name);
    const cpu = scaler[0]?.spec?.metrics?.find((metric) => metric.resource?.name === 'cpu')?.resource?.target;
    if (scaler.length !== 1) problems.push(`${name}: needs exactly one HorizontalPodAutoscaler`);
    // minReplicas equals the Deployment's replicas: an apply that resets the count then changes nothing.
    else if (scaler[0]!.spec!.minReplicas !== deployment.spec?.replicas || scaler[0]!.spec!.maxReplicas <= (scaler[0]!.spec!.minReplicas ?? 1)) {
      problems.push(`${name}: autoscaler range ${scaler[0]!.spec!.minReplicas}..${scaler[0]!.spec!.maxReplicas} does not start at its ${deployment.spec?.replicas} replicas and grow`);
    } else if (cpu?.type !== 'Utilization' || !cpu.averageUtilization) problems.push(`${name}: autoscaler does not follow CPU utilization`);
    return problems;
  });
}

function networkProblems(manifests: Manifest[]): string[] {
  const policies = ofKind<INetworkPolicy>(manifests, 'NetworkPolicy');
  const deployments = ofKind<IDeployment>(manifests, 'Deployment');
  const workloads: Workload[] = [...deployments, ...ofKind<IJob>(manifests, 'Job')];
  const problems = policies
    .filter((policy) => !workloads.some((workload) => matches(policy.spec!.podSelector, podLabels(workload))))
    .map((policy) => `NetworkPolicy ${policy.metadata?.name} selects no approvals pod`);
  const anyone = () => true;
  const fromMonitoring = (rule: { from?: Array<{ namespaceSelector?: LabelSelector }> }) =>
    (rule.from ?? []).some((peer) => matches(peer.namespaceSelector, { 'kubernetes.io/metadata.name': 'monitoring' }));
  for (const workload of workloads) {
    const name = workload.metadata?.name;
    const labels = podLabels(workload);
    const types = (policy: INetworkPolicy): string[] => policy.spec!.policyTypes ?? [];
    const denies = policies.some(
      (policy) => matches(policy.spec!.podSelector, labels) && types(policy).includes('Ingress') && types(policy).includes('Egress') && !policy.spec!.ingress && !policy.spec!.egress,
    );
    if (!denies) problems.push(`${name}: no default-deny policy selects its pods`);
    const egress = allowedEgressPorts(policies, labels);
    for (const port of ['53/UDP', '53/TCP', '9092/TCP', '5432/TCP', '4318/TCP']) if (!egress.includes(port)) problems.push(`${name}: egress to ${port} is not allowed`);
  }
  for (const deployment of deployments) {
    const name = deployment.metadata?.name;
    const labels = podLabels(deployment);
    const ports = mainContainer(deployment).ports ?? [];
    const allows = (allowed: Array<string | number | undefined>, portName: string) => {
      const port = ports.find((candidate) => candidate.name === portName);
      return port !== undefined && allowed.some((entry) => entry === port.name || entry === port.containerPort);
    };
    if (!allows(allowedIngress(policies, labels, fromMonitoring), 'http')) problems.push(`${name}: Prometheus (namespace monitoring) may not reach the http port`);
    if (GRPC_SERVICES.includes(serviceOf(deployment)!) && !allows(allowedIngress(policies, labels, anyone), 'grpc')) problems.push(`${name}: its gRPC port is closed to clients`);
  }
  const notifier = deployments.find((deployment) => serviceOf(deployment) === 'notifier');
  // An empty namespaceSelector and no podSelector: every pod of every namespace.
  const fromCluster = (rule: { from?: Array<{ namespaceSelector?: LabelSelector; podSelector?: LabelSelector }> }) =>
    (rule.from ?? []).some((peer) => peer.namespaceSelector !== undefined && Object.keys(peer.namespaceSelector).length === 0 && !peer.podSelector);
  if (notifier && !allowedIngress(policies, podLabels(notifier), fromCluster).some((port) => port === 'http' || port === 8080)) problems.push('the notifier\'s console and callbacks (http) are closed to the cluster');
  return problems;
}

function monitorProblems(manifests: Manifest[]): string[] {
  const services = ofKind<IService>(manifests, 'Service');
  const monitors = ofKind<IServiceMonitor>(manifests, 'ServiceMonitor');
  if (monitors.length === 0) return ['no ServiceMonitor'];
  return services.flatMap((service) => {
    const scraped = monitors.some(
      (monitor) =>
        matches(monitor.spec.selector as LabelSelector, service.metadata?.labels) &&
        monitor.spec.endpoints.some((endpoint) => endpoint.path === '/metrics' && service.spec?.ports?.some((port) => port.name === endpoint.port)),
    );
    return scraped ? [] : [`Service ${service.metadata?.name}: no ServiceMonitor scrapes /metrics on one of its ports`];
  });
}

function migrationProblems(manifests: Manifest[]): string[] {
  const jobs = ofKind<IJob>(manifests, 'Job').filter((job) => podSpec(job).containers.some((container) => container.args?.join(' ') === 'cli migrate'));
  if (jobs.length !== 1) return [`${jobs.length} Jobs run \`cli migrate\`, not 1`];
  const job = jobs[0]!;
  const container = podSpec(job).containers[0]!;
  const problems = settingProblems(job, container, manifests);
  if (job.metadata?.name !== 'approvals-migrate') problems.push('the migration Job is not named approvals-migrate');
  if (job.spec?.backoffLimit === undefined || job.spec.ttlSecondsAfterFinished === undefined) problems.push('the migration Job has no backoffLimit or ttlSecondsAfterFinished');
  if (!['Never', 'OnFailure'].includes(podSpec(job).restartPolicy ?? '')) problems.push('the migration Job restarts Always');
  if (container.securityContext?.readOnlyRootFilesystem !== true || container.securityContext.allowPrivilegeEscalation !== false || podSpec(job).securityContext?.runAsNonRoot !== true) problems.push('the migration Job runs with a writable root or as root');
  // The same image as the services, so it migrates to the schema they expect.
  const images = new Set(ofKind<IDeployment>(manifests, 'Deployment').map((deployment) => mainContainer(deployment).image));
  if (images.size !== 1 || !images.has(container.image)) problems.push(`the migration Job runs ${container.image}, the services ${[...images].join(', ')}`);
  return problems;
}

/** The policy directory a service reads is the policies ConfigMap, mounted read-only, with one schema, policies and the directory. */
function policyProblems(deployment: IDeployment, manifests: Manifest[]): string[] {
  const name = deployment.metadata?.name;
  const env = environment(mainContainer(deployment), manifests);
  const dir = env['APPROVALS_POLICY_DIR'];
  const mount = mainContainer(deployment).volumeMounts?.find((candidate) => candidate.mountPath === dir);
  const volume = podSpec(deployment).volumes?.find((candidate) => candidate.name === mount?.name);
  const configMap = ofKind<IConfigMap>(manifests, 'ConfigMap').find((candidate) => candidate.metadata?.name === volume?.configMap?.name);
  if (!mount?.readOnly || !configMap) return [`${name}: APPROVALS_POLICY_DIR (${JSON.stringify(dir)}) is not the policies ConfigMap, mounted read-only`];
  if (typeof env['APPROVALS_DIRECTORY_FILE'] !== 'string' || dirname(env['APPROVALS_DIRECTORY_FILE']) !== dir) return [`${name}: APPROVALS_DIRECTORY_FILE is not in ${dir}`];
  const files = Object.keys(configMap.data ?? {});
  if (files.filter((file) => file.endsWith('.cedarschema')).length !== 1 || !files.some((file) => file.endsWith('.cedar')) || !files.includes(basename(env['APPROVALS_DIRECTORY_FILE']))) {
    return [`${name}: the policies ConfigMap holds ${files.join(', ')}: not one schema, policies and the directory`];
  }
  return [];
}

// --- the tests ---

describe('the Kubernetes manifests (deploy/k8s)', () => {
  let base: Manifest[];
  let production: Manifest[];
  let secrets: Manifest[];
  // What the operator provides to the production overlay: their policies (stand-ins here: the demo
  // schema and policies, and a directory without the demo's public API keys).
  const demo = join(root, 'policies', 'demo');
  const cedarFiles = readdirSync(demo).filter((file) => file.endsWith('.cedar'));
  const directory = JSON.parse(readFileSync(join(demo, 'directory.json'), 'utf8'), (key, value: unknown) => (['apiKey', '$comment'].includes(key) ? undefined : value)) as object;
  const operatorPolicies: Record<string, string> = {
    'approvals.cedarschema': readFileSync(join(demo, 'approvals.cedarschema'), 'utf8'),
    'approvals.cedar': cedarFiles.map((file) => readFileSync(join(demo, file), 'utf8')).join('\n'),
    'directory.json': `${JSON.stringify(directory, null, 2)}\n`,
  };

  beforeAll(() => {
    base = kustomize(join(k8s, 'base'));
    const staged = stagedCopy((dir) => {
      for (const [file, text] of Object.entries(operatorPolicies)) writeFileSync(join(dir, 'overlays', 'production', 'policies', file), text);
      for (const file of ['grant-keys.json', 'checkpoint-keys.json', 'postgres-url', 'console-secret']) writeFileSync(join(dir, 'secrets', file), `stand-in for ${file}`);
    });
    try {
      production = kustomize(join(staged.dir, 'overlays', 'production'));
      secrets = kustomize(join(staged.dir, 'secrets'));
    } finally {
      staged.dispose();
    }
  });

  it('are rendered with kubectl, which must be installed (Debian: kubernetes-client)', () => {
    const version = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' });
    if (version.error) throw new Error(KUBECTL_MISSING);
    expect(version.stdout).toMatch(/Kustomize Version: v5/);
  });

  it.each([
    ['base', () => base],
    ['production overlay', () => production],
    ['secrets', () => secrets],
  ])('%s: every object is of a known kind and valid against the Kubernetes API schema', (_name, rendered) => {
    expect(rendered().length).toBeGreaterThan(0);
    expect(schemaProblems(rendered())).toEqual([]);
  });

  describe.each([
    ['base', () => base],
    ['production overlay', () => production],
  ])('%s', (_name, rendered) => {
    it('runs each of the five services as a Deployment with 2+ replicas, probes, resources, a locked-down pod and spread over nodes', () => {
      const deployments = ofKind<IDeployment>(rendered(), 'Deployment');
      expect(deployments.map(serviceOf).sort()).toEqual([...SERVICES].sort());
      expect(deployments.flatMap(deploymentProblems)).toEqual([]);
    });

    it('gives every service and the migration the distributed settings: PostgreSQL stores, explicit migrations, the database URL from a Secret', () => {
      const deployments = ofKind<IDeployment>(rendered(), 'Deployment');
      expect(deployments.flatMap((deployment) => settingProblems(deployment, mainContainer(deployment), rendered()))).toEqual([]);
      const notifier = deployments.find((deployment) => serviceOf(deployment) === 'notifier')!;
      expect(environment(mainContainer(notifier), rendered())['APPROVALS_CONSOLE_SECRET']).toEqual({ secret: 'approvals-secrets', key: 'console-secret' });
      // Nothing secret in a ConfigMap.
      const settings = ofKind<IConfigMap>(rendered(), 'ConfigMap').flatMap((configMap) => Object.keys(configMap.data ?? {}));
      expect(settings.filter((key) => /SECRET|PASSWORD|TOKEN|POSTGRES_URL|PRIVATE/i.test(key))).toEqual([]);
    });

    it('mounts the signing keys read-only on the decision Deployment only, and points the key settings into them', () => {
      const deployments = ofKind<IDeployment>(rendered(), 'Deployment');
      const decision = deployments.find((deployment) => serviceOf(deployment) === 'decision')!;
      expect(signingKeyProblems(decision, rendered())).toEqual([]);
      const others = deployments.filter((deployment) => deployment !== decision && podSpec(deployment).volumes?.some((volume) => volume.secret?.secretName === 'approvals-signing-keys'));
      expect(others.map((deployment) => deployment.metadata?.name)).toEqual([]);
    });

    it('reads the policies and the directory from the policies ConfigMap, mounted read-only', () => {
      expect(ofKind<IDeployment>(rendered(), 'Deployment').flatMap((deployment) => policyProblems(deployment, rendered()))).toEqual([]);
    });

    it('migrates with a Job running `cli migrate` on the same image and database settings', () => {
      expect(migrationProblems(rendered())).toEqual([]);
    });

    it('covers every Deployment with a PodDisruptionBudget and an autoscaler starting at its replicas', () => {
      expect(budgetAndScalerProblems(rendered())).toEqual([]);
    });

    it('has Services that select one Deployment each and target its named ports (gRPC for intake, notifier, audit projector)', () => {
      expect(serviceProblems(rendered())).toEqual([]);
      const services = ofKind<IService>(rendered(), 'Service');
      const withGrpc = services.filter((service) => service.spec?.ports?.some((port) => port.name === 'grpc')).map((service) => service.spec?.selector?.['app.kubernetes.io/component']);
      expect(withGrpc.sort()).toEqual([...GRPC_SERVICES].sort());
      expect(services.every((service) => service.spec?.ports?.some((port) => port.name === 'http'))).toBe(true);
    });

    it('scrapes /metrics of every Service with a ServiceMonitor', () => {
      expect(monitorProblems(rendered())).toEqual([]);
    });

    it('denies traffic by default and opens only gRPC, the console, metrics and the egress the services need', () => {
      expect(networkProblems(rendered())).toEqual([]);
    });

    it('ships no Secret: they are the operator\'s (deploy/k8s/secrets or a secret store)', () => {
      expect(ofKind<ISecret>(rendered(), 'Secret').map(nameOf)).toEqual([]);
    });
  });

  it('base: the policies are byte-for-byte copies of policies/demo (copy them again when those change)', () => {
    const copies = join(k8s, 'base', 'policies');
    for (const file of readdirSync(copies)) expect(readFileSync(join(copies, file), 'utf8')).toBe(readFileSync(join(demo, file), 'utf8'));
    expect(readdirSync(copies).sort()).toEqual([...cedarFiles, 'approvals.cedarschema', 'directory.json'].sort());
  });

  it('production: intake and notifier run 3 replicas, the image is pinned, everything is in namespace approvals', () => {
    const replicas = Object.fromEntries(ofKind<IDeployment>(production, 'Deployment').map((deployment) => [serviceOf(deployment), deployment.spec?.replicas]));
    expect(replicas).toEqual({ intake: 3, notifier: 3, decision: 2, 'policy-evaluator': 2, 'audit-projector': 2 });
    const workloads: Workload[] = [...ofKind<IDeployment>(production, 'Deployment'), ...ofKind<IJob>(production, 'Job')];
    const images = new Set(workloads.flatMap(allContainers).map((container) => container.image));
    expect(images.size).toBe(1);
    expect([...images][0]).toMatch(/^[^:@]+(:\d+\.\d+\.\d+|@sha256:[0-9a-f]{64})$/);
    expect(production.filter((manifest) => manifest.kind !== 'Namespace' && manifest.metadata?.namespace !== 'approvals').map(nameOf)).toEqual([]);
    expect(ofKind<Manifest>(production, 'Namespace').map((namespace) => namespace.metadata?.labels?.['pod-security.kubernetes.io/enforce'])).toEqual(['restricted']);
  });

  it('production: the operator\'s policies replace the demo set, whose public API keys never reach it', () => {
    const policies = ofKind<IConfigMap>(production, 'ConfigMap').filter((configMap) => configMap.metadata?.name?.startsWith('approvals-policies'));
    expect(policies.map((configMap) => configMap.data)).toEqual([operatorPolicies]);
    expect(production.filter((manifest) => JSON.stringify(manifest).includes('demo-only-')).map(nameOf)).toEqual([]);
  });

  it('production: settings for a real cluster (lease TTL, log level, collector endpoint)', () => {
    const decision = ofKind<IDeployment>(production, 'Deployment').find((deployment) => serviceOf(deployment) === 'decision')!;
    const env = environment(mainContainer(decision), production);
    expect(env).toMatchObject({ APPROVALS_LEASE_TTL_MS: expect.stringMatching(/^\d+$/), LOG_LEVEL: 'info', OTEL_EXPORTER_OTLP_ENDPOINT: expect.stringMatching(/^https?:\/\//) });
    expect(env['OTEL_EXPORTER_OTLP_ENDPOINT']).not.toBe(environment(mainContainer(ofKind<IDeployment>(base, 'Deployment')[0]!), base)['OTEL_EXPORTER_OTLP_ENDPOINT']);
  });

  it('secrets: the kustomization makes every Secret and key the Deployments and the Job read, under fixed names', () => {
    const made = new Set(ofKind<ISecret>(secrets, 'Secret').flatMap((secret) => Object.keys(secret.data ?? {}).map((key) => `${secret.metadata?.name}/${key}`)));
    const workloads: Workload[] = [...ofKind<IDeployment>(production, 'Deployment'), ...ofKind<IJob>(production, 'Job')];
    const read = new Set<string>();
    for (const workload of workloads) {
      for (const container of allContainers(workload)) for (const variable of container.env ?? []) if (variable.valueFrom?.secretKeyRef) read.add(`${variable.valueFrom.secretKeyRef.name}/${variable.valueFrom.secretKeyRef.key}`);
      for (const volume of podSpec(workload).volumes ?? []) for (const item of volume.secret?.items ?? []) read.add(`${volume.secret!.secretName}/${item.key}`);
    }
    expect([...read].sort()).toEqual(['approvals-secrets/console-secret', 'approvals-secrets/postgres-url', 'approvals-signing-keys/checkpoint-keys.json', 'approvals-signing-keys/grant-keys.json']);
    expect([...made].sort()).toEqual([...read].sort());
    // The files the operator creates there are never committed.
    expect(readFileSync(join(k8s, 'secrets', '.gitignore'), 'utf8').split('\n')).toEqual(expect.arrayContaining(['*', '!kustomization.yaml']));
  });

  // Each check above must be able to fail: broken copies of the rendered objects must be caught.
  describe('the checks catch what they look for', () => {
    const copy = (): Manifest[] => structuredClone(base);
    const deployment = (manifests: Manifest[], service: string) => ofKind<IDeployment>(manifests, 'Deployment').find((candidate) => serviceOf(candidate) === service)!;

    it('a schema violation, and an object of a kind no model knows', () => {
      const broken = copy();
      (deployment(broken, 'intake').spec as { replicas: unknown }).replicas = 'two';
      broken.push({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } });
      expect(schemaProblems(broken)).toEqual([expect.stringContaining('Deployment approvals-intake'), 'Widget w: unknown kind example.com/v1/Widget']);
    });

    it('a missing probe, a writable root file system, one replica, a wrong readiness path', () => {
      const broken = copy();
      const intake = deployment(broken, 'intake');
      delete mainContainer(intake).livenessProbe;
      mainContainer(intake).securityContext!.readOnlyRootFilesystem = false;
      intake.spec!.replicas = 1;
      mainContainer(deployment(broken, 'notifier')).readinessProbe!.httpGet!.path = '/healthz';
      expect(ofKind<IDeployment>(broken, 'Deployment').flatMap(deploymentProblems)).toEqual([
        'approvals-intake: fewer than 2 replicas',
        'approvals-intake: livenessProbe is not GET /healthz on the http port',
        'approvals-intake/approvals: root file system is not read-only',
        'approvals-notifier: readinessProbe is not GET /readyz on the http port',
      ]);
    });

    it('signing keys mounted writable, settings that miss the mount, a store that is not postgres', () => {
      const broken = copy();
      const decision = deployment(broken, 'decision');
      mainContainer(decision).volumeMounts!.find((mount) => mount.mountPath === '/keys')!.readOnly = false;
      mainContainer(decision).env!.find((variable) => variable.name === 'APPROVALS_GRANT_KEYS_FILE')!.value = '/data/grant-keys.json';
      mainContainer(decision).env!.push({ name: 'APPROVALS_STATE_STORE', value: 'embedded' });
      expect(signingKeyProblems(decision, broken)).toEqual(['the signing keys are not mounted read-only', 'APPROVALS_GRANT_KEYS_FILE ("/data/grant-keys.json") is not a file in /keys']);
      expect(settingProblems(decision, mainContainer(decision), broken)).toEqual(['approvals-decision: APPROVALS_STATE_STORE is "embedded", not postgres']);
    });

    it('a Deployment without a budget or autoscaler, a Service with a wrong target port, a missing ServiceMonitor', () => {
      const broken = copy().filter((manifest) => !(manifest.metadata?.name === 'approvals-decision' && ['PodDisruptionBudget', 'HorizontalPodAutoscaler'].includes(manifest.kind)));
      ofKind<IService>(broken, 'Service').find((service) => service.metadata?.name === 'approvals-intake')!.spec!.ports![0]!.targetPort = 'grcp';
      expect(budgetAndScalerProblems(broken)).toEqual(['approvals-decision: needs exactly one PodDisruptionBudget with minAvailable 1', 'approvals-decision: needs exactly one HorizontalPodAutoscaler']);
      expect(serviceProblems(broken)).toEqual(['Service approvals-intake port grpc: targetPort grcp is no container port of approvals-intake']);
      expect(monitorProblems(broken.filter((manifest) => manifest.kind !== 'ServiceMonitor'))).toEqual(['no ServiceMonitor']);
    });

    it('a network policy without the default deny or the database egress, a Job that does not migrate', () => {
      const broken = copy().filter((manifest) => manifest.metadata?.name !== 'approvals-default-deny');
      const egress = ofKind<INetworkPolicy>(broken, 'NetworkPolicy').find((policy) => policy.metadata?.name === 'approvals-allow-egress')!;
      egress.spec!.egress = egress.spec!.egress!.filter((rule) => !rule.ports?.some((port) => port.port === 5432));
      expect(networkProblems(broken)).toEqual(expect.arrayContaining(['approvals-intake: no default-deny policy selects its pods', 'approvals-decision: egress to 5432/TCP is not allowed', 'approvals-migrate: egress to 5432/TCP is not allowed']));
      podSpec(ofKind<IJob>(broken, 'Job')[0]!).containers[0]!.args = ['cli', 'audit', 'verify'];
      expect(migrationProblems(broken)).toEqual(['0 Jobs run `cli migrate`, not 1']);
    });
  });
});

// --- Compose ---

type ComposeService = {
  image?: string;
  command?: string[];
  entrypoint?: string[];
  environment?: Record<string, string>;
  depends_on?: string[] | Record<string, { condition?: string }>;
  volumes?: string[];
  ports?: string[];
  healthcheck?: { test?: string[]; disable?: boolean };
  deploy?: { replicas?: number };
};

describe('the Compose stack (deploy/compose)', () => {
  const text = readFileSync(join(composeDir, 'compose.yaml'), 'utf8');
  const compose = parse(text, { merge: true }) as { services: Record<string, ComposeService>; volumes?: Record<string, unknown> };
  const services = compose.services;
  const isApprovals = (service: ComposeService) => service.image?.includes('approvals') === true;
  const dependencies = (service: ComposeService): Record<string, { condition?: string }> =>
    Array.isArray(service.depends_on) ? Object.fromEntries(service.depends_on.map((name) => [name, {}])) : (service.depends_on ?? {});
  /** The long-running approvals services: name -> which of the five it runs. */
  const replicas = Object.entries(services).filter(([, service]) => isApprovals(service) && SERVICES.includes(service.command?.[0] as (typeof SERVICES)[number]));

  it('depends only on services it defines', () => {
    const unknown = Object.entries(services).flatMap(([name, service]) => Object.keys(dependencies(service)).filter((dependency) => !services[dependency]).map((dependency) => `${name} -> ${dependency}`));
    expect(unknown).toEqual([]);
  });

  it('runs two replicas of each of the five services', () => {
    const counts: Record<string, number> = {};
    for (const [, service] of replicas) counts[service.command![0]!] = (counts[service.command![0]!] ?? 0) + (service.deploy?.replicas ?? 1);
    expect(counts).toEqual(Object.fromEntries(SERVICES.map((service) => [service, 2])));
  });

  it('starts every service after the migration has completed and the broker is healthy', () => {
    expect(services['migrate']?.command).toEqual(['cli', 'migrate']);
    expect(dependencies(services['migrate']!)['postgres']?.condition).toBe('service_healthy');
    for (const [name, service] of replicas) {
      expect([name, dependencies(service)['migrate']?.condition]).toEqual([name, 'service_completed_successfully']);
      expect([name, dependencies(service)['kafka']?.condition]).toEqual([name, 'service_healthy']);
    }
  });

  it('runs Kafka in KRaft mode, without ZooKeeper', () => {
    const kafka = services['kafka']!;
    expect(kafka.image).toMatch(/^apache\/kafka:/);
    expect(kafka.environment?.['KAFKA_PROCESS_ROLES']?.split(',').sort()).toEqual(['broker', 'controller']);
    expect(kafka.environment?.['KAFKA_CONTROLLER_QUORUM_VOTERS']).toMatch(/@kafka:/);
    expect(JSON.stringify(services)).not.toMatch(/zookeeper/i);
  });

  it('gives every approvals container the distributed settings: Kafka, PostgreSQL stores, explicit migrations', () => {
    for (const [name, service] of [...replicas, ['migrate', services['migrate']!] as const]) {
      const env = service.environment ?? {};
      expect([name, env]).toEqual([name, expect.objectContaining(expectedSettings)]);
      expect([name, env['APPROVALS_KAFKA_BROKERS']]).toEqual([name, 'kafka:9092']);
      expect([name, new URL(env['APPROVALS_POSTGRES_URL']!).hostname]).toEqual([name, 'postgres']);
    }
  });

  it('has the decision replicas read the same signing keys, made once by `keys` before they start, read-only', () => {
    const keys = services['keys']!;
    expect(keys.command?.join(' ')).toMatch(/grant-keys rotate --file \/data\/grant-keys\.json[\s\S]*checkpoint-keys rotate --file \/data\/checkpoint-keys\.json/);
    // Only when missing: every `up` must not rotate the keys.
    expect(keys.command?.join(' ')).toMatch(/test -f \/data\/grant-keys\.json \|\|/);
    const volume = keys.volumes?.find((entry) => entry.endsWith(':/data'))?.split(':')[0];
    expect(volume && compose.volumes && volume in compose.volumes).toBe(true);
    const decisions = replicas.filter(([, service]) => service.command?.[0] === 'decision');
    for (const [name, service] of decisions) {
      expect([name, dependencies(service)['keys']?.condition]).toEqual([name, 'service_completed_successfully']);
      const mount = service.volumes?.find((entry) => entry.startsWith(`${volume}:`));
      expect([name, mount]).toEqual([name, `${volume}:/keys:ro`]);
      expect([name, service.environment?.['APPROVALS_GRANT_KEYS_FILE'], service.environment?.['APPROVALS_CHECKPOINT_KEYS_FILE']]).toEqual([name, '/keys/grant-keys.json', '/keys/checkpoint-keys.json']);
    }
  });

  it('takes the console secret from .env (git-ignored), never from the file itself', () => {
    for (const [name, service] of replicas.filter(([, service]) => service.command?.[0] === 'notifier')) {
      expect([name, service.environment?.['APPROVALS_CONSOLE_SECRET']]).toEqual([name, expect.stringMatching(/^\$\{APPROVALS_CONSOLE_SECRET:\?.+\}$/)]);
    }
    expect(readFileSync(join(composeDir, '.gitignore'), 'utf8').split('\n')).toContain('.env');
    expect(readFileSync(join(composeDir, '.env.example'), 'utf8')).toMatch(/^APPROVALS_CONSOLE_SECRET=$/m);
  });

  it('health-checks every service with the image\'s healthcheck, read-only root file system, distinct published ports', () => {
    for (const [name, service] of replicas) {
      expect([name, service.healthcheck?.test]).toEqual([name, ['CMD', 'node', '/app/deploy/container/entrypoint.mjs', 'healthcheck']]);
      expect([name, (service as { read_only?: boolean }).read_only]).toEqual([name, true]);
    }
    for (const name of ['kafka', 'postgres']) expect([name, services[name]?.healthcheck?.test?.length]).toEqual([name, expect.any(Number)]);
    const published = Object.values(services).flatMap((service) => service.ports ?? []).map((port) => port.split(':').slice(0, -1).join(':'));
    expect(published.length).toBeGreaterThan(0);
    expect(new Set(published).size).toBe(published.length);
  });

  it('mounts config files that exist, sends traces to Jaeger and has Prometheus scrape every replica', () => {
    const mounted = Object.values(services).flatMap((service) => service.volumes ?? []).filter((entry) => entry.startsWith('./')).map((entry) => entry.split(':')[0]!);
    expect(mounted.sort()).toEqual(['./otel-collector.yaml', './prometheus.yml']);
    for (const file of mounted) expect([file, existsSync(join(composeDir, file))]).toEqual([file, true]);

    const collector = parse(readFileSync(join(composeDir, 'otel-collector.yaml'), 'utf8')) as {
      exporters: Record<string, { endpoint?: string }>;
      service: { pipelines: Record<string, { receivers: string[]; exporters: string[] }> };
    };
    const traceExporter = collector.exporters[collector.service.pipelines['traces']!.exporters[0]!]!;
    expect(services[traceExporter.endpoint!.split(':')[0]!]?.image).toMatch(/^jaegertracing\//);
    expect(collector.service.pipelines['traces']!.receivers).toEqual(['otlp']);

    const prometheus = parse(readFileSync(join(composeDir, 'prometheus.yml'), 'utf8')) as { scrape_configs: Array<{ static_configs: Array<{ targets: string[] }> }> };
    const targets = prometheus.scrape_configs.flatMap((config) => config.static_configs.flatMap((entry) => entry.targets));
    for (const target of targets) expect([target, services[target.split(':')[0]!] !== undefined]).toEqual([target, true]);
    for (const [name] of replicas) expect(targets).toContain(`${name}:8080`);
  });

  // Only where Docker Compose is installed: without it (as on these machines) the test passes
  // without running it, and the checks above are all there is.
  it('is accepted by `docker compose config` (when Docker Compose is installed)', () => {
    const compose = (args: string[]) =>
      spawnSync('docker', ['compose', ...args], { encoding: 'utf8', env: { ...process.env, APPROVALS_CONSOLE_SECRET: 'x'.repeat(32) } });
    if (compose(['version']).status !== 0) return;
    const result = compose(['-f', join(composeDir, 'compose.yaml'), 'config', '-q']);
    expect([result.status, result.stderr]).toEqual([0, '']);
  });
});
