import fc from 'fast-check';
import type { ActionView__Output, RequestActionResponse__Output } from '@approvals/contracts';
import { canonicalJson as serverCanonicalJson, sha256Hex, validateActionRequest } from '@approvals/application';
import type { ActionView, RequestedAction } from '@approvals/sdk';
import { requestHashOf } from '@approvals/sdk';

// The SDK is published without the server's code, so what it shares with the server by contract
// is pinned here: the hash a grant binds, and the shape of the messages it decodes.

/** Fails to compile unless A and B are the same type. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const sameView: Same<ActionView, ActionView__Output> = true;
const sameResponse: Same<Omit<RequestedAction, 'idempotencyKey'>, RequestActionResponse__Output> = true;

describe('the SDK and the service agree', () => {
  it('on the types of the messages the SDK decodes', () => {
    expect([sameView, sameResponse]).toEqual([true, true]);
  });

  it('on the request hash, for any request the service accepts', () => {
    const word = fc.stringMatching(/^[a-z][a-z0-9]{0,8}$/);
    const padded = (text: fc.Arbitrary<string>) => fc.tuple(fc.constantFrom('', ' ', '\t'), text, fc.constantFrom('', ' ', '\n')).map(([a, b, c]) => a + b + c);
    const json = fc.jsonValue({ maxDepth: 3 }).filter((v) => !JSON.stringify(v).includes('__proto__'));
    const request = fc.record({
      model: padded(word),
      action: fc.tuple(word, word).map(([a, b]) => `${a}.${b}`),
      resource: fc.record({ kind: word, id: padded(fc.string({ minLength: 1, maxLength: 20 }).filter((s) => s.trim() !== '')) }),
      environment: word,
      dataClassification: fc.constantFrom(undefined, '', 'pii', ' internal '),
      parameters: fc.dictionary(fc.string({ maxLength: 6 }).filter((k) => !['__proto__', 'constructor', 'prototype'].includes(k)), json, { maxKeys: 5 }),
      justification: padded(fc.string({ minLength: 1, maxLength: 30 }).filter((s) => s.trim() !== '')),
      idempotencyKey: fc.stringMatching(/^[\x21-\x7e]{1,20}$/),
      runId: fc.constantFrom(undefined, '', 'run-7'),
      onBehalfOf: fc.constantFrom(undefined, '', 'olivia', ' olivia '),
    });
    let accepted = 0;
    fc.assert(
      fc.property(request, (r) => {
        const validated = validateActionRequest(
          'agent-reporting',
          {
            ...r,
            onBehalfOf: r.onBehalfOf ?? '',
            dataClassification: r.dataClassification ?? '',
            runId: r.runId ?? '',
            parametersJson: JSON.stringify(r.parameters),
          },
          () => true,
        );
        if (!validated.ok) return true; // only what the service accepts has a hash
        accepted += 1;
        expect(requestHashOf('agent-reporting', r)).toBe(sha256Hex(serverCanonicalJson(validated.request)));
        return true;
      }),
      { numRuns: 500 },
    );
    expect(accepted).toBeGreaterThan(250);
  });
});
