import { Controller, Get, Header, Inject } from '@nestjs/common';
import type { CheckpointKeyRing } from '@approvals/keys';

export const CHECKPOINT_KEYS = Symbol('CheckpointKeys');

/**
 * The public keys of the ledger's signed checkpoints, for auditors and witnesses (C2SP verifier
 * keys, `<origin>+<key id>+<key>`); the last one signs, the older ones verify older checkpoints.
 */
@Controller()
export class LedgerKeysController {
  constructor(@Inject(CHECKPOINT_KEYS) private readonly keys: CheckpointKeyRing) {}

  @Get('.well-known/ledger-checkpoint-keys')
  @Header('Cache-Control', 'public, max-age=300')
  keysOfLog() {
    return { origin: this.keys.origin, keys: this.keys.verifierKeys() };
  }
}
