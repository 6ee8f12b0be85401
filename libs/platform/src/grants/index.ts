export * from './ed25519-grant-issuer';
