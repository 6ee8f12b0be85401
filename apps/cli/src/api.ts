import type {
  ActionView__Output,
  AwaitDecisionRequest,
  AwaitDecisionResponse__Output,
  BreakGlassResponse__Output,
  CancelActionRequest,
  CastVoteRequest,
  CastVoteResponse__Output,
  ConsistencyProof__Output,
  GetConsistencyProofRequest,
  GetInclusionProofRequest,
  InclusionProof__Output,
  GetActionRequest,
  GetPolicyHistoryRequest,
  GetTimelineRequest,
  InvokeBreakGlassRequest,
  ListPendingRequest,
  ListPendingResponse__Output,
  PolicyHistory__Output,
  RequestActionRequest,
  RequestActionResponse__Output,
  ReviewBreakGlassRequest,
  RevokeStandingApprovalRequest,
  RevokeStandingApprovalResponse__Output,
  SearchActionsRequest,
  SearchActionsResponse__Output,
  Timeline__Output,
  WatchActionRequest,
} from '@approvals/contracts';
import { serverStream, unary, type ApprovalsClient } from '@approvals/client';

/** The calls the CLI makes, as promises; commands depend on this so tests can inject a fake. */
export interface ApprovalsApi {
  requestAction(request: RequestActionRequest): Promise<RequestActionResponse__Output>;
  getAction(request: GetActionRequest): Promise<ActionView__Output>;
  watchAction(request: WatchActionRequest): AsyncIterable<ActionView__Output>;
  /** `deadlineMs` bounds the whole call; it should exceed the request's timeout. */
  awaitDecision(request: AwaitDecisionRequest, deadlineMs: number): Promise<AwaitDecisionResponse__Output>;
  cancelAction(request: CancelActionRequest): Promise<ActionView__Output>;
  castVote(request: CastVoteRequest): Promise<CastVoteResponse__Output>;
  listPending(request: ListPendingRequest): Promise<ListPendingResponse__Output>;
  revokeStandingApproval(request: RevokeStandingApprovalRequest): Promise<RevokeStandingApprovalResponse__Output>;
  invokeBreakGlass(request: InvokeBreakGlassRequest): Promise<BreakGlassResponse__Output>;
  reviewBreakGlass(request: ReviewBreakGlassRequest): Promise<BreakGlassResponse__Output>;
  getTimeline(request: GetTimelineRequest): Promise<Timeline__Output>;
  searchActions(request: SearchActionsRequest): Promise<SearchActionsResponse__Output>;
  getPolicyHistory(request: GetPolicyHistoryRequest): Promise<PolicyHistory__Output>;
  getInclusionProof(request: GetInclusionProofRequest): Promise<InclusionProof__Output>;
  getConsistencyProof(request: GetConsistencyProofRequest): Promise<ConsistencyProof__Output>;
  close(): void;
}

/** The ApprovalsApi over real gRPC clients. */
export function grpcApi(client: ApprovalsClient): ApprovalsApi {
  return {
    requestAction: (request) => unary(client.intake, 'RequestAction', request),
    getAction: (request) => unary(client.intake, 'GetAction', request),
    watchAction: (request) => serverStream(client.intake, 'WatchAction', request),
    awaitDecision: (request, deadlineMs) => unary(client.intake, 'AwaitDecision', request, undefined, { deadline: Date.now() + deadlineMs }),
    cancelAction: (request) => unary(client.intake, 'CancelAction', request),
    castVote: (request) => unary(client.decisions, 'CastVote', request),
    listPending: (request) => unary(client.decisions, 'ListPending', request),
    revokeStandingApproval: (request) => unary(client.decisions, 'RevokeStandingApproval', request),
    invokeBreakGlass: (request) => unary(client.decisions, 'InvokeBreakGlass', request),
    reviewBreakGlass: (request) => unary(client.decisions, 'ReviewBreakGlass', request),
    getTimeline: (request) => unary(client.audit, 'GetTimeline', request),
    searchActions: (request) => unary(client.audit, 'SearchActions', request),
    getPolicyHistory: (request) => unary(client.audit, 'GetPolicyHistory', request),
    getInclusionProof: (request) => unary(client.audit, 'GetInclusionProof', request),
    getConsistencyProof: (request) => unary(client.audit, 'GetConsistencyProof', request),
    close: () => client.close(),
  };
}
