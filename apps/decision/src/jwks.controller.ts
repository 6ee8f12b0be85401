import { Controller, Get, Header, Inject } from '@nestjs/common';
import type { GrantKeyRing } from '@approvals/grants';

export const GRANT_KEYS = Symbol('GrantKeys');

/** The public keys of the execution grants, for executors that verify grants offline (RFC 7517). */
@Controller()
export class JwksController {
  constructor(@Inject(GRANT_KEYS) private readonly keys: GrantKeyRing) {}

  @Get('.well-known/jwks.json')
  @Header('Content-Type', 'application/jwk-set+json')
  // Short enough that a rotated key is picked up soon after the restart that starts using it.
  @Header('Cache-Control', 'public, max-age=300')
  jwks() {
    return this.keys.jwks();
  }
}
