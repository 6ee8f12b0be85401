import type * as cedar from '@cedar-policy/cedar-wasm/nodejs';
import type { Directory } from '@approvals/application';
import type { ActionRequest, JsonValue } from '@approvals/domain';

/** The principal, action, resource, context and entities of one Cedar authorization request. */
export interface CedarRequest {
  principal: cedar.TypeAndId;
  action: cedar.TypeAndId;
  resource: cedar.TypeAndId;
  context: cedar.Context;
  entities: cedar.EntityJson[];
}

/** Action parameters that policies can see, and the context attribute each becomes. */
export const cedarContextParameters = {
  rows: { attribute: 'rowCount', type: 'Long' },
  costUsd: { attribute: 'costUsd', type: 'decimal' },
} as const;

/** The context attributes the request itself fills in; any other declared one comes from the parameters. */
export const builtInContextAttributes: ReadonlySet<string> = new Set(['environment', 'model', 'dataClassification', 'onBehalfOf', ...Object.values(cedarContextParameters).map((p) => p.attribute)]);

/** The type of a context attribute a parameter of the same name fills. */
export type ContextParameterType = 'String' | 'Long' | 'Boolean';

/** Largest value Cedar's decimal type holds (it is a 64-bit integer of ten-thousandths). */
const MAX_DECIMAL = 922_337_203_685_477;

/** Turns an ActionRequest into a Cedar request, or explains why it cannot be (the caller denies it). */
export function toCedarRequest(
  request: ActionRequest,
  namespace: string,
  directory?: Directory,
  /** Context attributes the schema declares for this action beyond the built-in ones: filled from the parameters of the same name. */
  declared: ReadonlyMap<string, ContextParameterType> = new Map(),
): { ok: true; value: CedarRequest } | { ok: false; reason: string } {
  const type = (name: string) => (namespace === '' ? name : `${namespace}::${name}`);
  const invalid = (reason: string) => ({ ok: false as const, reason });

  for (const [field, value] of [
    ['agentId', request.agentId],
    ['model', request.model],
    ['action', request.action],
    ['environment', request.environment],
    ['resource.kind', request.resource?.kind],
    ['resource.id', request.resource?.id],
  ] as const) {
    if (typeof value !== 'string' || value === '') return invalid(`request.${field} must be a non-empty string`);
  }
  for (const [field, value] of [
    ['dataClassification', request.dataClassification],
    ['onBehalfOf', request.onBehalfOf],
  ] as const) {
    if (value !== undefined && typeof value !== 'string') return invalid(`request.${field} must be a string when present`);
  }

  const context: cedar.Context = { environment: request.environment, model: request.model };
  if (request.dataClassification !== undefined) context['dataClassification'] = request.dataClassification;
  if (request.onBehalfOf !== undefined) context['onBehalfOf'] = request.onBehalfOf;
  const parameters = request.parameters ?? {};
  for (const [name, { attribute, type: valueType }] of Object.entries(cedarContextParameters)) {
    const value: JsonValue | undefined = parameters[name];
    if (value === undefined) continue;
    const converted = valueType === 'Long' ? toLong(value) : toDecimal(value);
    if (converted === undefined) {
      const expected = valueType === 'Long' ? 'a whole number >= 0' : `a number between 0 and ${MAX_DECIMAL}`;
      return invalid(`parameters.${name} must be ${expected}, got ${JSON.stringify(value)}`);
    }
    context[attribute] = converted;
  }
  for (const [name, valueType] of declared) {
    if (!Object.hasOwn(parameters, name)) continue;
    const value = parameters[name];
    const fits =
      valueType === 'String' ? typeof value === 'string' : valueType === 'Long' ? toSignedLong(value) !== undefined : typeof value === 'boolean';
    if (!fits) return invalid(`parameters.${name} must be ${valueType === 'String' ? 'a string' : valueType === 'Long' ? 'a whole number' : 'true or false'} (the policy schema declares context.${name} as ${valueType}), got ${JSON.stringify(value)}`);
    context[name] = value as string | number | boolean;
  }

  const principal = { type: type('Agent'), id: request.agentId };
  const resource = { type: type('Resource'), id: `${request.resource.kind}/${request.resource.id}` };
  const entities: cedar.EntityJson[] = [{ uid: resource, attrs: { kind: request.resource.kind }, parents: [] }];

  const agent = directory?.findAgent(request.agentId);
  if (directory && !agent) return invalid(`agent "${request.agentId}" is not in the directory`);
  const agentAttrs: Record<string, cedar.CedarValueJson> = {};
  if (agent) {
    const owner = { type: type('Human'), id: agent.owner };
    agentAttrs['owner'] = { __entity: owner };
    const groupIds = new Set(directory?.findHuman(agent.owner)?.groups ?? []);
    const groups = [...groupIds].map((id) => ({ type: type('Group'), id }));
    entities.push({ uid: owner, attrs: {}, parents: groups });
    entities.push(...groups.map((uid) => ({ uid, attrs: {}, parents: [] })));
  }
  entities.push({ uid: principal, attrs: agentAttrs, parents: [] });

  return {
    ok: true,
    value: { principal, action: { type: type('Action'), id: request.action }, resource, context, entities },
  };
}

function toLong(value: JsonValue): number | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : undefined;
}

function toSignedLong(value: JsonValue | undefined): number | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) ? value : undefined;
}

function toDecimal(value: JsonValue): cedar.CedarValueJson | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > MAX_DECIMAL) return undefined;
  return { __extn: { fn: 'decimal', arg: value.toFixed(4) } };
}
