export * from './auth/bearer-token-verifier';
export * from './directory/directory-file.schema';
export * from './directory/file-directory';
