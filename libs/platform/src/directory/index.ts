export * from './directory-file.schema';
export * from './file-directory';
