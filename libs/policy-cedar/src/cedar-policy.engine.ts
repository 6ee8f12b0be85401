import * as cedar from '@cedar-policy/cedar-wasm/nodejs';
import type { Directory, PolicyDecision, PolicyEngine } from '@approvals/application';
import type { ActionRequest } from '@approvals/domain';
import { strictestRequirement } from './approval-annotations';
import type { CedarPolicy, CedarPolicySet } from './cedar-policy-set';
import { toCedarRequest } from './cedar-request';

/** Options of CedarPolicyEngine. */
export interface CedarPolicyEngineOptions {
  /**
   * Resolves each agent's owner and the owner's groups into entities. When given, an agent
   * missing from it is denied.
   */
  directory?: Directory | undefined;
}

/**
 * Evaluates requests with Cedar and reads approval requirements from policy annotations:
 * forbid beats everything, a matching `@approval("required")` permit beats a plain permit,
 * no matching permit denies, and any evaluation error denies (fail closed).
 */
export class CedarPolicyEngine implements PolicyEngine {
  readonly version: string;
  private readonly directory: Directory | undefined;

  constructor(
    readonly policySet: CedarPolicySet,
    options: CedarPolicyEngineOptions = {},
  ) {
    this.version = policySet.version;
    this.directory = options.directory;
    // Parsed once into the wasm module's cache, keyed by the content hash: evaluation never re-parses text.
    const schema = cedar.preparseSchema(this.version, policySet.schemaText);
    const policies = cedar.preparsePolicySet(this.version, {
      staticPolicies: Object.fromEntries([...policySet.policies].map(([id, policy]) => [id, policy.text])),
    });
    for (const answer of [schema, policies]) {
      if (answer.type === 'failure') {
        throw new Error(`Cedar rejected policy set ${this.version}: ${answer.errors.map((error) => error.message).join('; ')}`);
      }
    }
  }

  evaluate(request: ActionRequest): PolicyDecision {
    try {
      return this.decide(request);
    } catch (error) {
      return this.deny([], [`policy evaluation failed, denied (fail closed): ${(error as Error).message}`]);
    }
  }

  private decide(request: ActionRequest): PolicyDecision {
    if (!this.policySet.actions.has(request.action)) {
      return this.deny([], [`action "${request.action}" is not declared in the policy schema, so no policy permits it`]);
    }
    const built = toCedarRequest(request, this.policySet.namespace, this.directory, this.policySet.contextParameters.get(request.action));
    if (!built.ok) return this.deny([], [`request denied: ${built.reason}`]);

    const answer = cedar.statefulIsAuthorized({
      ...built.value,
      preparsedSchemaName: this.version,
      preparsedPolicySetId: this.version,
      validateRequest: true,
    });
    if (answer.type === 'failure') {
      const messages = answer.errors.map((error) => error.message).join('; ');
      return this.deny([], [`policy evaluation failed, denied (fail closed): ${messages}`]);
    }

    const { decision, diagnostics } = answer.response;
    // Cedar skips a policy that errors; a skipped forbid could turn into an ALLOW, so any error denies.
    if (diagnostics.errors.length > 0) {
      return this.deny(
        sorted(diagnostics.errors.map((error) => error.policyId)),
        diagnostics.errors.map((error) => `policy "${error.policyId}" failed to evaluate, denied (fail closed): ${error.error.message}`),
      );
    }
    const determining = sorted(diagnostics.reason).map((id) => this.policy(id));
    if (decision === 'deny') {
      if (determining.length === 0) {
        return this.deny([], [`no policy permits "${request.action}" on ${request.resource.kind} "${request.resource.id}"`]);
      }
      return this.deny(
        determining.map((policy) => policy.id),
        determining.map((policy) => reasonOf(policy)),
      );
    }

    const approvals = determining.filter((policy) => policy.approval !== undefined);
    if (approvals.length > 0) {
      return {
        outcome: 'REQUIRE_APPROVAL',
        policyVersion: this.version,
        determiningPolicies: approvals.map((policy) => policy.id),
        reasons: approvals.map((policy) => reasonOf(policy)),
        requirement: strictestRequirement(approvals.flatMap((policy) => (policy.approval ? [policy.approval] : []))),
      };
    }
    return {
      outcome: 'ALLOW',
      policyVersion: this.version,
      determiningPolicies: determining.map((policy) => policy.id),
      reasons: determining.map((policy) => reasonOf(policy)),
    };
  }

  private policy(id: string): CedarPolicy {
    const policy = this.policySet.policies.get(id);
    if (!policy) throw new Error(`Cedar reported policy "${id}", which is not in policy set ${this.version}`);
    return policy;
  }

  private deny(determiningPolicies: string[], reasons: string[]): PolicyDecision {
    return { outcome: 'DENY', policyVersion: this.version, determiningPolicies, reasons };
  }
}

function reasonOf(policy: CedarPolicy): string {
  return policy.reason ?? `${policy.effect === 'forbid' ? 'forbidden' : 'permitted'} by policy "${policy.id}"`;
}

function sorted(ids: readonly string[]): string[] {
  return [...new Set(ids)].sort();
}
