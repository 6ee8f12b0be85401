import type { Metadata } from '@grpc/grpc-js';
import { Controller, Inject, UseFilters, UseInterceptors } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type {
  ConsistencyProof__Output,
  GetConsistencyProofRequest__Output,
  GetInclusionProofRequest__Output,
  InclusionProof__Output,
  GetPolicyHistoryRequest__Output,
  GetTimelineRequest__Output,
  PolicyHistory__Output,
  SearchActionsRequest__Output,
  SearchActionsResponse__Output,
  Timeline__Output,
} from '@approvals/contracts';
import type { EventStore } from '@approvals/application';
import { AuditQueries, LedgerProofs, readPolicyHistory, requestRules } from '@approvals/application';
import { toActionStreamId } from '@approvals/domain';
import type { Ledger } from '@approvals/ledger';
import {
  AUTHENTICATOR,
  EVENT_STORE,
  GrpcExceptionFilter,
  LEDGER,
  RefuseMalformedText,
  grpcError,
  requireActionId,
  validRequest,
} from '@approvals/nest-platform';
import type { GrpcAuthenticator, GrpcPeer } from '@approvals/nest-platform';

const readAuditTrail = 'read the audit trail';

/** approvals.v1.AuditService: the auditors' questions, answered from the read model. */
@Controller()
@UseFilters(GrpcExceptionFilter)
@UseInterceptors(RefuseMalformedText)
export class AuditGrpcController {
  constructor(
    @Inject(AuditQueries) private readonly queries: AuditQueries,
    @Inject(AUTHENTICATOR) private readonly auth: GrpcAuthenticator,
    @Inject(EVENT_STORE) private readonly ledger: EventStore,
    @Inject(LEDGER) private readonly ledgerWithLog: Ledger,
  ) {}

  @GrpcMethod('AuditService', 'GetTimeline')
  async getTimeline(request: GetTimelineRequest__Output, metadata: Metadata, call?: GrpcPeer): Promise<Timeline__Output> {
    await this.auth.human(metadata, readAuditTrail, call);
    const result = await this.queries.getTimeline(requireActionId(request.actionId));
    if (!result.ok) throw grpcError(result.error.code, result.error.message);
    return result.value;
  }

  @GrpcMethod('AuditService', 'SearchActions')
  async searchActions(request: SearchActionsRequest__Output, metadata: Metadata, call?: GrpcPeer): Promise<SearchActionsResponse__Output> {
    await this.auth.human(metadata, readAuditTrail, call);
    validRequest(requestRules.searchActions, {
      agent_id: request.agentId ?? '',
      action: request.action ?? '',
      environment: request.environment ?? '',
      approver_id: request.approverId ?? '',
      requested_after: request.requestedAfter ?? '',
      requested_before: request.requestedBefore ?? '',
      page_token: request.pageToken ?? '',
    });
    const result = await this.queries.searchActions(request);
    if (!result.ok) throw grpcError(result.error.code, result.error.message);
    return result.value;
  }

  /** Policy activations come from the ledger itself (a short stream): its record is the answer. */
  @GrpcMethod('AuditService', 'GetPolicyHistory')
  async getPolicyHistory(request: GetPolicyHistoryRequest__Output, metadata: Metadata, call?: GrpcPeer): Promise<PolicyHistory__Output> {
    await this.auth.human(metadata, readAuditTrail, call);
    validRequest(requestRules.policyHistory, { version: request.version ?? '' });
    return readPolicyHistory(this.ledger, { version: request.version, includeFiles: request.includeFiles });
  }

  @GrpcMethod('AuditService', 'GetInclusionProof')
  async getInclusionProof(request: GetInclusionProofRequest__Output, metadata: Metadata, call?: GrpcPeer): Promise<InclusionProof__Output> {
    await this.auth.human(metadata, readAuditTrail, call);
    const actionId = requireActionId(request.actionId);
    const proofs = this.proofs();
    const proof = await proofs.inclusion(toActionStreamId(actionId));
    if (!proof) throw grpcError('FAILED_PRECONDITION', 'no checkpoint of the ledger has been signed yet; try again after the next one');
    if (proof.events.length === 0 && proof.notYetCheckpointed === 0) throw grpcError('NOT_FOUND', `action ${actionId} does not exist`);
    return { proofJson: JSON.stringify(proof), treeSize: String(proof.treeSize), events: proof.events.length, notYetCheckpointed: proof.notYetCheckpointed };
  }

  @GrpcMethod('AuditService', 'GetConsistencyProof')
  async getConsistencyProof(request: GetConsistencyProofRequest__Output, metadata: Metadata, call?: GrpcPeer): Promise<ConsistencyProof__Output> {
    await this.auth.human(metadata, readAuditTrail, call);
    const { from_size: from, to_size: to } = validRequest(requestRules.consistencyProof, { from_size: Number(request.fromSize), to_size: Number(request.toSize) });
    const result = await this.proofs().consistency(from, to);
    if (typeof result === 'string') throw grpcError('NOT_FOUND', result);
    return { fromCheckpoint: result.from.note, toCheckpoint: result.to.note, proof: result.proof };
  }

  private proofs(): LedgerProofs {
    if (!this.ledgerWithLog.log) throw grpcError('FAILED_PRECONDITION', `the ${this.ledgerWithLog.spec.store} ledger keeps no ledger log, so it gives no proofs`);
    return new LedgerProofs(this.ledgerWithLog.events, this.ledgerWithLog.log, this.ledgerWithLog.densePositions);
  }
}
