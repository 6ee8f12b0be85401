import * as grpc from '@grpc/grpc-js';
import type { ActionView__Output } from '@approvals/contracts';

/** A decoded ActionView as the client returns it (defaults filled in), awaiting two approvals. */
export function actionView(overrides: Partial<ActionView__Output> = {}): ActionView__Output {
  return {
    actionId: 'act-1',
    status: 'AWAITING_APPROVAL',
    agentId: 'agent-reporting',
    model: 'gpt-x',
    onBehalfOf: 'olivia',
    action: 'db.export',
    resource: { kind: 'dataset', id: 'customers' },
    environment: 'prod',
    dataClassification: '',
    parametersJson: '{"rows":5000}',
    justification: 'weekly report',
    idempotencyKey: 'key-1',
    requestedAt: '2025-03-01T08:59:58.000Z',
    evaluation: {
      outcome: 'REQUIRE_APPROVAL',
      policyVersion: 'demo-7',
      determiningPolicies: ['prod-export-needs-owner'],
      reasons: ['production exports need a data owner'],
      evaluatedAt: '2025-03-01T08:59:58.100Z',
    },
    approval: {
      steps: [{ group: 'data-owners', minApprovals: 1 }],
      expiresAt: '2025-03-01T09:59:58.100Z',
      votes: [],
      denyEndsRequest: true,
      standingMaxSeconds: 0,
      breakGlassGroups: [],
      channels: [],
    },
    decidedAt: '',
    reason: '',
    grant: null,
    execution: null,
    revision: '2',
    runId: '',
    requestHash: 'sha256-of-the-request',
    approvedVia: '',
    standingApprovalOf: '',
    standingApproval: null,
    breakGlass: null,
    ...overrides,
  };
}

/** An error shaped like the ones grpc-js calls fail with. */
export function serviceError(code: grpc.status, details: string): grpc.ServiceError {
  return Object.assign(new Error(`${code} ${grpc.status[code]}: ${details}`), { code, details, metadata: new grpc.Metadata() });
}
